import AsyncHTTPClient
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The connection to Asana could not be established: refused, the connect timeout (TCP connect plus TLS
/// handshake) ran out, or the host is unreachable. Nothing was sent, so ``AsanaClient`` may send the request
/// again (at most ``AsanaClientConfiguration/connectAttempts`` tries in all, any method) and then throws
/// ``AsanaAPIError/transport(_:)``.
public struct AsanaConnectFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The underlying error, as text (e.g. `connection refused`, `HTTPClientError.connectTimeout`).
    public var detail: String

    /// Creates a failure with the underlying error's text.
    public init(detail: String) { self.detail = detail }

    /// `could not connect: <detail>`.
    public var description: String { "could not connect: \(detail)" }
}

/// ``AsanaTransport`` over AsyncHTTPClient (chosen over URLSession for a long-running daemon on Linux: SwiftNIO event loops, connection pooling, deadlines).
///
/// Cross-origin redirects drop the `Authorization` header (AsyncHTTPClient's redirect rules), so the
/// token is not sent to another host.
///
/// Connections: by default the transport uses an `HTTPClient` of its own (one per connect timeout and pool size,
/// shared by every transport with those, kept for the process lifetime) whose connect timeout is
/// `connectTimeout`, whose pool holds `maxConnectionsPerHost` HTTP/1 connections per host, and which does **not**
/// retry a failed connection establishment: AsyncHTTPClient would otherwise retry a refused connect with backoff
/// until the request deadline. A connect failure is thrown at once as ``AsanaConnectFailure`` and ``AsanaClient``
/// decides about retrying.
public struct HTTPClientAsanaTransport: AsanaTransport {
    /// The client used.
    public let httpClient: HTTPClient
    /// Deadline of one request, from sending until the response head arrives.
    public let timeout: Duration
    /// Largest body accepted, in bytes.
    public let maxResponseBytes: Int

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - httpClient: the AsyncHTTPClient instance, whose owner shuts it down; `nil` (the default) uses the
    ///     process-wide client for `connectTimeout` (``sharedHTTPClient(connectTimeout:)``). A client passed in
    ///     keeps its own connect settings (`HTTPClient.shared` retries refused connects until the deadline).
    ///   - timeout: per-request timeout, default 30 s.
    ///   - connectTimeout: connection establishment timeout (TCP + TLS) when `httpClient` is `nil`, default 5 s.
    ///   - maxConnectionsPerHost: HTTP/1 connections kept per host when `httpClient` is `nil` (AsyncHTTPClient's soft
    ///     limit; its own default is 8). Default: what the default governor lets run at once,
    ///     ``AsanaGovernorConfiguration/maxConcurrentRequests`` (24): a smaller pool would make requests the governor
    ///     let go wait for a connection, so fewer than its cap would reach Asana.
    ///   - maxResponseBytes: body size limit, default 16 MiB.
    public init(
        httpClient: HTTPClient? = nil, timeout: Duration = .seconds(30),
        connectTimeout: Duration = AsanaClientConfiguration.defaultConnectTimeout,
        maxConnectionsPerHost: Int = AsanaGovernorConfiguration().maxConcurrentRequests,
        maxResponseBytes: Int = 16 * 1024 * 1024
    ) {
        self.httpClient = httpClient ?? Self.sharedHTTPClient(connectTimeout: connectTimeout, maxConnectionsPerHost: maxConnectionsPerHost)
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    private struct ClientKey: Hashable {
        var connectNanoseconds: Int64
        var connectionsPerHost: Int
    }

    private static let clients = Mutex<[ClientKey: HTTPClient]>([:])

    /// The process-wide `HTTPClient` with connect timeout `connectTimeout` (at least 1 ms), a pool of
    /// `maxConnectionsPerHost` HTTP/1 connections per host (at least 1) and no retry of failed connection
    /// establishment; made on first use, never shut down (it lives as long as the process).
    public static func sharedHTTPClient(
        connectTimeout: Duration, maxConnectionsPerHost: Int = AsanaGovernorConfiguration().maxConcurrentRequests
    ) -> HTTPClient {
        let key = ClientKey(connectNanoseconds: max(1_000_000, nanoseconds(connectTimeout)), connectionsPerHost: max(1, maxConnectionsPerHost))
        return clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration.singletonConfiguration  // what HTTPClient.shared uses
            configuration.timeout.connect = .nanoseconds(key.connectNanoseconds)
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = key.connectionsPerHost
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// Sends the request and collects the whole body.
    ///
    /// - Throws: ``AsanaConnectFailure`` when no connection could be established (nothing was sent);
    ///   ``AsanaAPIError/transport(_:)`` when no answer arrived otherwise or the method is not
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
            if Self.isConnectFailure(error) { throw AsanaConnectFailure(detail: String(describing: error)) }
            throw AsanaAPIError.transport(String(describing: error))
        }
    }

    /// Whether AsyncHTTPClient failed before a connection was up: refused or unreachable (`NIOConnectionError`,
    /// an `IOError` with `ECONNREFUSED`, `EHOSTUNREACH`, `ENETUNREACH`), or the connect or TLS handshake timeout.
    static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .tlsHandshakeTimeout
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode)
        }
        return false
    }
}
