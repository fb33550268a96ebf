import AccessMetrics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AsyncHTTPClient
import Logging
import Synchronization

/// HTTP client of the Asana REST API (Asana OpenAPI spec; https://developers.asana.com/docs/errors, https://developers.asana.com/docs/pagination,
/// https://developers.asana.com/docs/rate-limits).
///
/// - Sends `Authorization: Bearer <token>` on every request, the token asked from its
///   ``AsanaTokenSource`` before each attempt; no token is ever logged, and every token the client has
///   sent (the last ``redactedTokenLimit``) is removed from the text of every thrown ``AsanaAPIError``.
/// - A 401 makes the client call ``AsanaTokenSource/renewToken(after:)`` once per logical request; with a
///   new token the same request is sent again, POSTs too (a 401 means Asana did not apply it,
///   https://github.com/Asana/python-asana/issues/108). Without one (a PAT) the 401 is thrown as ``AsanaAPIError/unauthorized(message:)``.
/// - Lists follow `next_page.offset` until `next_page` is `null`, `limit` = ``AsanaClientConfiguration/pageSize``.
/// - Retries per ``RetryPolicy``: 429 on any method (after `Retry-After` or backoff); 5xx and transport
///   failures on GET only. POST is never retried after a 5xx or transport failure, because Asana may have
///   applied it. A connection that could not be established (``AsanaConnectFailure``: nothing was sent) is
///   retried on any method, at most ``AsanaClientConfiguration/connectAttempts`` tries in all (default 3).
/// - A listing stops after ``AsanaClientConfiguration/maxListPages`` pages (default 20,000).
/// - With an ``AsanaGovernor`` (one per token, shared by every client of that token), each attempt first
///   takes a permit (a read slot for GET, a write slot for POST, room in the per-minute budget) and gives
///   it back when the answer arrives; a 429 pauses the governor for `Retry-After` (or the backoff), so
///   every request of the token waits, not just the refused one (https://developers.asana.com/docs/rate-limits, https://github.com/Asana/node-asana/issues/210).
/// - Safe to share between tasks; ``requestCount`` and ``rateLimitedCount`` are guarded by a `Mutex`.
public final class AsanaClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: AsanaClientConfiguration
    /// The retry rules derived from ``configuration``.
    public let retryPolicy: RetryPolicy

    /// The governor of the client's token, `nil` when requests are not governed.
    public let governor: AsanaGovernor?

    /// How many of the most recently sent distinct tokens are redacted from error texts.
    public static let redactedTokenLimit = 8

    private let tokenSource: any AsanaTokenSource
    private let transport: any AsanaTransport
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let baseURL: String
    private let counters = Mutex(Counters())

    private struct Counters {
        var requests = 0
        var rateLimited = 0
        /// Distinct tokens sent, oldest first, at most ``AsanaClient/redactedTokenLimit``.
        var sentTokens: [String] = []
    }

    /// Creates a client whose bearer token comes from `tokenSource`.
    ///
    /// - Parameters:
    ///   - tokenSource: asked for the token before every attempt and to renew it after a 401
    ///     (``StaticTokenSource`` for a PAT or service-account token; an OAuth source refreshes).
    ///   - configuration: base URL, page size and retry settings.
    ///   - transport: sends the HTTP requests (``HTTPClientAsanaTransport`` in production).
    ///   - governor: the governor shared by every client of this token, or `nil` for none. With one, a
    ///     429 waits in the governor (its `sleep`), not in this client's `sleep`.
    ///   - logger: receives one debug line per request (method, path without query, status, attempt)
    ///     and a notice per retry; never a token or headers.
    ///   - sleep: waits between retries; tests inject a recorder instead of really sleeping.
    public init(
        tokenSource: any AsanaTokenSource,
        configuration: AsanaClientConfiguration = .init(),
        transport: any AsanaTransport,
        governor: AsanaGovernor? = nil,
        logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.tokenSource = tokenSource
        self.configuration = configuration
        self.retryPolicy = RetryPolicy(configuration: configuration)
        self.transport = transport
        self.governor = governor
        self.logger = logger
        self.sleep = sleep
        self.baseURL = configuration.normalizedBaseURL
    }

    /// Creates a client with a fixed token (a ``StaticTokenSource``).
    ///
    /// - Parameters:
    ///   - token: a personal access token, service-account token or OAuth access token; opaque, never
    ///     validated for format (https://developers.asana.com/docs/personal-access-token). Never renewed: a 401 is thrown.
    ///   - configuration: base URL, page size and retry settings.
    ///   - transport: sends the HTTP requests (``HTTPClientAsanaTransport`` in production).
    ///   - governor: the governor shared by every client of this token, or `nil` for none.
    ///   - logger: receives one debug line per request (method, path without query, status, attempt)
    ///     and a notice per retry; never the token or headers.
    ///   - sleep: waits between retries; tests inject a recorder instead of really sleeping.
    public convenience init(
        token: String,
        configuration: AsanaClientConfiguration = .init(),
        transport: any AsanaTransport,
        governor: AsanaGovernor? = nil,
        logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.init(
            tokenSource: StaticTokenSource(token), configuration: configuration, transport: transport,
            governor: governor, logger: logger, sleep: sleep)
    }

    /// Creates a client that talks HTTP through AsyncHTTPClient, with the configuration's
    /// ``AsanaClientConfiguration/requestTimeout``, ``AsanaClientConfiguration/connectTimeout`` and
    /// ``AsanaClientConfiguration/maxResponseBytes``.
    /// - Parameter httpClient: `nil` (the default) for the process-wide client of the connect timeout
    ///   (``HTTPClientAsanaTransport/sharedHTTPClient(connectTimeout:)``).
    public convenience init(
        token: String,
        configuration: AsanaClientConfiguration = .init(),
        httpClient: HTTPClient? = nil,
        logger: Logger
    ) {
        let transport = HTTPClientAsanaTransport(
            httpClient: httpClient,
            timeout: configuration.requestTimeout,
            connectTimeout: configuration.connectTimeout,
            maxResponseBytes: configuration.maxResponseBytes)
        self.init(token: token, configuration: configuration, transport: transport, logger: logger)
    }

    /// HTTP requests actually handed to the transport, retries and every list page included.
    public var requestCount: Int { counters.withLock { $0.requests } }

    /// 429 answers received (each one, whether or not a retry then succeeded).
    public var rateLimitedCount: Int { counters.withLock { $0.rateLimited } }

    // MARK: - Request helpers used by the endpoint methods

    /// HTTP methods the client sends.
    enum Method: String {
        case get = "GET"
        case post = "POST"
    }

    /// GETs `{"data": {…}}` and decodes `data`.
    func getObject<Value: Decodable>(_ type: Value.Type, path: String, query: [(String, String)] = []) async throws
        -> Value
    {
        let (relative, response) = try await send(.get, path: path, query: query)
        return try decode(AsanaEnvelope<Value>.self, from: response, relative: relative).data
    }

    /// GETs every page of a list, following `next_page.offset` until `next_page` is `null`.
    ///
    /// `query` must already contain `limit`; the offset is appended as the last query item.
    /// A page that fails transiently is retried with the same offset (``send(_:path:query:body:)``).
    /// An offset Asana refuses with 400 (expired or no longer valid: tokens live about 15 minutes; the
    /// status is [UNCONFIRMED], the simulator answers 400 `offset: …`) restarts the listing from the
    /// first page, dropping what was read, once; a second refusal is thrown.
    /// A listing takes at most ``AsanaClientConfiguration/maxListPages`` pages (20,000 by default, restarts
    /// included), so an Asana that hands out new offsets forever cannot hold a sync or grow memory without end.
    /// - Throws: ``AsanaAPIError/malformedPage(path:)`` when a page has no `next_page` key,
    ///   ``AsanaAPIError/malformedResponse(_:)`` when Asana hands back an offset it already gave
    ///   (which would loop forever) or when the listing still has a `next_page` after
    ///   ``AsanaClientConfiguration/maxListPages`` pages (the text names the listing and the bound),
    ///   plus everything ``send(_:path:query:body:)`` throws.
    func getList<Element: Decodable>(_ type: Element.Type, path: String, query: [(String, String)]) async throws
        -> [Element]
    {
        var results: [Element] = []
        var offset: String?
        var seenOffsets: Set<String> = []
        var restarted = false
        var pages = 0
        let maxPages = max(1, configuration.maxListPages)
        while true {
            guard pages < maxPages else {
                let listing = redact(PercentEncoding.pathWithQuery(path, query))
                throw AsanaAPIError.malformedResponse(
                    "the listing GET \(listing) did not end after \(maxPages) pages (the bound maxListPages, "
                        + "\(maxPages * configuration.effectivePageSize) records at limit \(configuration.effectivePageSize)): "
                        + "Asana keeps returning a next_page.offset, refusing to read on")
            }
            pages += 1
            var pageQuery = query
            if let offset { pageQuery.append(("offset", offset)) }
            let relative: String
            let response: AsanaHTTPResponse
            do {
                (relative, response) = try await send(.get, path: path, query: pageQuery)
            } catch AsanaAPIError.badRequest(let message) where offset != nil {
                // The first page took the same query, so a 400 here is about the offset.
                guard !restarted else {
                    throw AsanaAPIError.badRequest(message: "\(message) (an offset was refused again after the listing restarted from the first page)")
                }
                restarted = true
                logger.notice("Asana refused a pagination offset, restarting the listing from the first page",
                              metadata: ["asana.path": "\(path)", "asana.error": "\(message)"])
                results.removeAll()
                seenOffsets.removeAll()
                offset = nil
                continue
            }
            let page = try decode(AsanaPage<Element>.self, from: response, relative: relative)
            results.append(contentsOf: page.data)
            switch page.next {
            case .absent:
                throw AsanaAPIError.malformedPage(path: redact(relative))
            case .lastPage:
                return results
            case .offset(let next):
                guard !next.isEmpty, seenOffsets.insert(next).inserted else {
                    throw AsanaAPIError.malformedResponse(
                        redact("\(relative): next_page.offset repeats or is empty, refusing to loop"))
                }
                offset = next
            }
        }
    }

    /// POSTs `{"data":{"user":…}}` and returns the 2xx answer.
    func postUser(_ user: String, path: String) async throws -> (relative: String, response: AsanaHTTPResponse) {
        let body = try encodeUserBody(user)
        return try await send(.post, path: path, body: body)
    }

    /// Decodes a 2xx answer; any decoding failure becomes ``AsanaAPIError/malformedResponse(_:)``.
    func decode<Value: Decodable>(_ type: Value.Type, from response: AsanaHTTPResponse, relative: String) throws
        -> Value
    {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(response.body))
        } catch let error as DecodingError {
            throw AsanaAPIError.malformedResponse(redact("\(relative): \(describe(error))"))
        } catch {
            throw AsanaAPIError.malformedResponse(redact("\(relative): \(error)"))
        }
    }

    /// Checks an id used as a path segment and percent-encodes it.
    ///
    /// - Throws: ``AsanaAPIError/badRequest(message:)`` for an empty id, `.` or `..`, without sending anything.
    func pathID(_ value: String, _ what: String) throws -> String {
        guard !value.isEmpty, value != ".", value != ".." else {
            throw AsanaAPIError.badRequest(message: "\(what) must be a non-empty Asana id")
        }
        return PercentEncoding.pathSegment(value)
    }

    /// Checks a user reference (gid, email or `me`) sent in a query or body.
    ///
    /// - Throws: ``AsanaAPIError/badRequest(message:)`` when empty.
    func userReference(_ value: String) throws -> String {
        guard !value.isEmpty else {
            throw AsanaAPIError.badRequest(message: "user must be a gid, an email address or \"me\", not empty")
        }
        return value
    }

    // MARK: - Sending with retries

    /// Sends one logical request, retrying per ``retryPolicy``, and returns its 2xx answer.
    ///
    /// Each attempt asks the token source for the token to send. A 401 is answered by one call to
    /// ``AsanaTokenSource/renewToken(after:)`` per logical request; a new token resends the same request
    /// (GET or POST: Asana did not apply a request it refused with 401, https://github.com/Asana/python-asana/issues/108).
    /// That resend does not use up one of ``RetryPolicy/maxAttempts``. With a ``governor``, every attempt
    /// holds a permit from just before sending until its answer (or failure) arrives; the token is asked
    /// and renewed outside it.
    ///
    /// - Returns: the path with query relative to the base URL (for error messages) and the answer.
    /// - Throws: ``AsanaAPIError`` for every failure, with every sent token removed from its text;
    ///   whatever the token source throws, unchanged; `CancellationError` (or what `sleep` throws) when cancelled.
    func send(_ method: Method, path: String, query: [(String, String)] = [], body: [UInt8]? = nil) async throws
        -> (relative: String, response: AsanaHTTPResponse)
    {
        let relative = PercentEncoding.pathWithQuery(path, query)
        var baseHeaders: [(String, String)] = [
            ("Accept", "application/json"),
            ("User-Agent", "asana-access"),
        ]
        if body != nil { baseHeaders.append(("Content-Type", "application/json")) }

        let kind: AsanaGovernor.RequestKind = method == .get ? .read : .write
        let route = AsanaRoute.template(path)
        var logger = self.logger
        logger[metadataKey: "asana.method"] = "\(method.rawValue)"
        logger[metadataKey: "asana.path"] = "\(path)"

        var attempt = 0
        var renewed = false
        var renewedToken: String?
        while true {
            if renewedToken == nil { attempt += 1 }
            try Task.checkCancellation()
            let token: String
            if let renewedToken {
                token = renewedToken
            } else {
                token = try await tokenSource.currentToken()
            }
            renewedToken = nil
            remember(token)
            let request = AsanaHTTPRequest(
                method: method.rawValue, url: baseURL + relative,
                headers: [("Authorization", "Bearer \(token)")] + baseHeaders, body: body)
            if let governor {
                let waitStarted = ContinuousClock.now
                try await governor.acquire(kind)
                AsanaRequestMetrics.recordGovernorWait(kind: kind == .read ? "read" : "write", ContinuousClock.now - waitStarted)
            }
            counters.withLock { $0.requests += 1 }
            logger.debug("Asana request", metadata: ["asana.attempt": "\(attempt)"])
            let outcome: Result<AsanaHTTPResponse, any Error>
            do {
                outcome = .success(try await transport.send(request))
            } catch {
                outcome = .failure(error)
            }
            AsanaRequestMetrics.recordAttempt(route: route, method: method.rawValue, status: try? outcome.get().status)
            // A 429 pauses every request of the token; recorded before the slot is handed on.
            var rateLimitDelay: Duration?
            if case .success(let answer) = outcome, answer.status == 429 {
                let retryAfter = RetryPolicy.parseRetryAfter(answer.header("Retry-After"))
                if retryAfter.map({ $0 <= retryPolicy.maxRetryAfter }) ?? true {
                    let delay = retryAfter ?? retryPolicy.backoff(retry: attempt)
                    rateLimitDelay = delay
                    governor?.pause(for: delay)
                }
            }
            governor?.release(kind)

            let response: AsanaHTTPResponse
            do {
                response = try outcome.get()
            } catch let error as CancellationError {
                throw error
            } catch let failure as AsanaConnectFailure {
                // Nothing reached Asana: any method may be sent again, but only a few quick times.
                let connectAttempts = min(max(1, configuration.connectAttempts), retryPolicy.maxAttempts)
                guard attempt < connectAttempts else {
                    throw sanitized(.transport("\(failure) (\(attempt) attempt\(attempt == 1 ? "" : "s"), connect timeout \(formatSeconds(configuration.connectTimeout)))"))
                }
                let delay = retryPolicy.backoff(retry: attempt)
                logger.notice(
                    "Asana connection could not be established, retrying",
                    metadata: ["asana.attempt": "\(attempt)", "asana.delay": "\(delay)", "asana.error": "\(redact(failure.description))"])
                try await sleep(delay)
                continue
            } catch {
                let failure = transportFailure(error)
                guard case .transport = failure, method == .get, attempt < retryPolicy.maxAttempts else {
                    throw sanitized(failure)
                }
                let delay = retryPolicy.backoff(retry: attempt)
                logger.notice(
                    "Asana request failed in transport, retrying",
                    metadata: [
                        "asana.attempt": "\(attempt)", "asana.delay": "\(delay)",
                        "asana.error": "\(sanitized(failure))",
                    ])
                try await sleep(delay)
                continue
            }

            logger.debug("Asana response", metadata: ["asana.attempt": "\(attempt)", "asana.status": "\(response.status)"])
            switch response.status {
            case 200..<300:
                return (relative, response)
            case 401 where !renewed:
                renewed = true
                guard let fresh = try await tokenSource.renewToken(after: token), fresh != token else {
                    throw sanitized(Self.clientError(response))
                }
                remember(fresh)
                logger.notice("Asana refused the token (401), retrying once with a renewed token",
                              metadata: ["asana.attempt": "\(attempt)"])
                renewedToken = fresh
            case 429:
                counters.withLock { $0.rateLimited += 1 }
                let retryAfter = RetryPolicy.parseRetryAfter(response.header("Retry-After"))
                if let retryAfter, retryAfter > retryPolicy.maxRetryAfter {
                    throw AsanaAPIError.rateLimited(retryAfter: retryAfter)
                }
                guard attempt < retryPolicy.maxAttempts else {
                    throw AsanaAPIError.rateLimited(retryAfter: retryAfter)
                }
                let delay = rateLimitDelay ?? retryPolicy.backoff(retry: attempt)
                logger.notice(
                    "Asana rate limit (429), retrying",
                    metadata: ["asana.attempt": "\(attempt)", "asana.delay": "\(delay)"])
                // With a governor the pause recorded above makes the next acquire wait.
                if governor == nil {
                    await AsanaRateLimitWait.observer?.tell(AsanaRateLimitWait(reason: .rateLimited, duration: delay))
                    try await sleep(delay)
                }
            case 500..<600:
                guard method == .get, attempt < retryPolicy.maxAttempts else {
                    let details = Self.errorDetails(response)
                    throw sanitized(.server(status: response.status, message: details.message, phrase: details.phrase))
                }
                let delay = retryPolicy.backoff(retry: attempt)
                logger.notice(
                    "Asana server error, retrying",
                    metadata: [
                        "asana.attempt": "\(attempt)", "asana.status": "\(response.status)", "asana.delay": "\(delay)",
                    ])
                try await sleep(delay)
            case 400..<500:
                throw sanitized(Self.clientError(response))
            default:
                throw sanitized(.malformedResponse("\(relative): unexpected HTTP status \(response.status)"))
            }
        }
    }

    /// Adds `token` to the tokens redacted from error texts, keeping the last ``redactedTokenLimit``.
    private func remember(_ token: String) {
        counters.withLock { counters in
            if let index = counters.sentTokens.firstIndex(of: token) {
                counters.sentTokens.remove(at: index)
            }
            counters.sentTokens.append(token)
            if counters.sentTokens.count > Self.redactedTokenLimit {
                counters.sentTokens.removeFirst(counters.sentTokens.count - Self.redactedTokenLimit)
            }
        }
    }

    /// Maps a 4xx answer other than 429 to its error case.
    static func clientError(_ response: AsanaHTTPResponse) -> AsanaAPIError {
        let message = errorDetails(response).message
        switch response.status {
        case 400: return .badRequest(message: message)
        case 401: return .unauthorized(message: message)
        case 403: return .forbidden(message: message)
        case 404: return .notFound(message: message)
        default: return .badRequest(message: "HTTP \(response.status): \(message)")
        }
    }

    /// The `errors[].message` values joined with `"; "` and the first `phrase`; a fallback text when the
    /// body is not Asana's error shape. Messages longer than 1,000 characters are cut.
    static func errorDetails(_ response: AsanaHTTPResponse) -> (message: String, phrase: String?) {
        if let body = try? JSONDecoder().decode(AsanaErrorBody.self, from: Data(response.body)) {
            let messages = body.errors.compactMap(\.message).filter { !$0.isEmpty }
            if !messages.isEmpty {
                let joined = messages.joined(separator: "; ")
                let message = joined.count > 1000 ? String(joined.prefix(1000)) + "…" : joined
                return (message, body.errors.first?.phrase)
            }
        }
        return ("HTTP \(response.status) without an Asana error message", nil)
    }

    /// Turns whatever a transport threw into an ``AsanaAPIError``.
    private func transportFailure(_ error: any Error) -> AsanaAPIError {
        if let error = error as? AsanaAPIError { return error }
        return .transport(String(describing: error))
    }

    /// `error` with every occurrence of a sent token in its text replaced.
    /// Every case is covered by ``AsanaAPIError/redacted(with:)``, ``AsanaAPIError/oauth(status:error:description:)`` included.
    func sanitized(_ error: AsanaAPIError) -> AsanaAPIError {
        error.redacted(with: redact)
    }

    /// `text` with every token this client has sent (the last ``redactedTokenLimit``) replaced by
    /// `<redacted token>`. Tokens shorter than 6 characters are not real Asana tokens and are left alone,
    /// so they cannot garble ordinary words.
    func redact(_ text: String) -> String {
        let tokens = counters.withLock { $0.sentTokens }
            .filter { $0.count >= 6 }
            .sorted { $0.count > $1.count }
        var result = text
        for token in tokens {
            result = result.replacing(token, with: "<redacted token>")
        }
        return result
    }

    /// `{"data":{"user":"<user>"}}` as JSON bytes (Asana OpenAPI `addUser`/`removeUser` operations).
    private func encodeUserBody(_ user: String) throws -> [UInt8] {
        struct Body: Encodable {
            struct Inner: Encodable { let user: String }
            let data: Inner
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(Body(data: .init(user: try userReference(user)))))
        } catch let error as AsanaAPIError {
            throw error
        } catch {
            throw AsanaAPIError.badRequest(message: "user could not be encoded as JSON")
        }
    }
}

/// A short description of a decoding failure: what was wrong and where.
func describe(_ error: DecodingError) -> String {
    func location(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "top level" }
        return path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "missing key \"\(key.stringValue)\" at \(location(context.codingPath))"
    case .typeMismatch(let type, let context):
        return "expected \(type) at \(location(context.codingPath))"
    case .valueNotFound(let type, let context):
        return "null where \(type) is required at \(location(context.codingPath))"
    case .dataCorrupted(let context):
        return context.codingPath.isEmpty ? "body is not valid JSON" : "invalid value at \(location(context.codingPath))"
    @unknown default:
        return "could not decode the body"
    }
}
