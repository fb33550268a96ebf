import AsyncHTTPClient
import NIOCore

/// ``AsanaTransport`` over AsyncHTTPClient (chosen over URLSession for a long-running daemon: DESIGN.md).
///
/// Cross-origin redirects drop the `Authorization` header (AsyncHTTPClient's redirect rules), so the
/// token is not sent to another host.
public struct HTTPClientAsanaTransport: AsanaTransport {
    /// The client used; `HTTPClient.shared` by default (it needs no shutdown).
    public let httpClient: HTTPClient
    /// Deadline of one request, from sending until the response head arrives.
    public let timeout: Duration
    /// Largest body accepted, in bytes.
    public let maxResponseBytes: Int

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - httpClient: the AsyncHTTPClient instance; its owner shuts it down (not needed for `.shared`).
    ///   - timeout: per-request timeout, default 30 s.
    ///   - maxResponseBytes: body size limit, default 16 MiB.
    public init(
        httpClient: HTTPClient = .shared, timeout: Duration = .seconds(30), maxResponseBytes: Int = 16 * 1024 * 1024
    ) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// Sends the request and collects the whole body.
    ///
    /// - Throws: ``AsanaAPIError/transport(_:)`` when no answer arrived or the method is not
    ///   GET/POST/PUT/DELETE; ``AsanaAPIError/malformedResponse(_:)`` when the body exceeds
    ///   `maxResponseBytes`; `CancellationError` when the task was cancelled.
    public func send(_ request: AsanaHTTPRequest) async throws -> AsanaHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        switch request.method {
        case "GET": outgoing.method = .GET
        case "POST": outgoing.method = .POST
        case "PUT": outgoing.method = .PUT
        case "DELETE": outgoing.method = .DELETE
        default: throw AsanaAPIError.transport("unsupported HTTP method \(request.method)")
        }
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        if let body = request.body {
            outgoing.body = .bytes(body)
        }
        do {
            let response = try await httpClient.execute(outgoing, timeout: .nanoseconds(nanoseconds(timeout)))
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return AsanaHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw AsanaAPIError.malformedResponse("response body larger than \(maxResponseBytes) bytes")
        } catch let error as CancellationError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw AsanaAPIError.transport(String(describing: error))
        }
    }
}
