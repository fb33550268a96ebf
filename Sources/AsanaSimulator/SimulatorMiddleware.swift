import Foundation
import Hummingbird

/// Runs before every route.
///
/// Below `/api/1.0`, in this order:
/// 1. logs `"<METHOD> <path relative to /api/1.0>[?query]"` (``AsanaSimulator/requestLog()``);
/// 2. answers a pending ``SimulatedFault`` for the path, or one drawn from the ``RandomFaultPlan``, if any (not
///    authenticated, not counted); a connection-reset fault closes the connection without an answer; an
///    endless-pages fault answers an empty page with a fresh `next_page.offset`;
/// 3. authenticates `Authorization: Bearer <token>` (scheme case-insensitive): a seeded token, or a live OAuth access
///    token → else 401 `Not Authorized`; an expired OAuth access token → 401
///    `The bearer token has expired. Please refresh it to get a new one.` (https://developers.asana.com/docs/errors, https://github.com/Asana/python-asana/issues/108);
/// 4. applies the token's per-minute budget → 429 with `Retry-After` and Asana's message (https://developers.asana.com/docs/rate-limits);
/// 5. a token with granular scopes must hold the endpoint's scope (``ScopeRequirement``) → else 403
///    (https://developers.asana.com/docs/oauth-scopes); full-permission tokens pass;
/// 6. takes a concurrency slot of the token (GET: reads, others: writes; ``ConcurrencyLimiter``) → else 429 with
///    Asana's rate-limit message and `Retry-After: concurrencyRetryAfter` (none when nil; https://developers.asana.com/docs/rate-limits, https://github.com/Asana/node-asana/issues/210);
///    the slot is held until the answer is built, also when the route throws;
/// 7. waits out ``SimulatorConfiguration/latency`` plus a ``SimulatedFault/Kind/latency(_:)`` fault taken in step 2,
///    holding the slot;
/// 8. calls the route and turns every error into Asana's `{"errors": [...]}` body: unknown routes → 404
///    `No matching route for request` (seen in third-party captures, unconfirmed by Asana); an unexpected error → 500 with a `phrase`.
///
/// The OAuth endpoints (`/-/…`, ``OAuthRoutes``) are logged without secrets or tokens
/// (`"POST /-/oauth_token grant_type=refresh_token"`, `"GET /-/oauth_authorize client_id=demo-client"`,
/// `"POST /-/oauth_revoke"`), can get faults, and are neither authenticated here nor rate limited.
struct SimulatorMiddleware: RouterMiddleware {
    typealias Context = SimulatorRequestContext

    let state: SimulatorState
    let faults: FaultQueue
    let limiter: RateLimiter
    let concurrency: ConcurrencyLimiter
    let concurrencyRetryAfter: Int?
    let oauth: OAuthRegistry
    /// ``SimulatorConfiguration/latency``.
    let latency: Duration
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = RouteEnvironment.relativePath(request.uri.path)
        if path.hasPrefix(OAuthRoutes.prefix) { return try await handleOAuth(request, path: path, context: context, next: next) }
        let query = request.uri.query.map { $0.isEmpty ? "" : "?" + $0 } ?? ""
        state.logAPIRequest("\(request.method.rawValue) \(path)\(query)")

        var delay = latency
        if let fault = faults.take(method: request.method.rawValue, path: path) {
            switch fault.kind {
            case .status: return fault.errorBody(serial: state.nextErrorSerial()).makeResponse()
            case .connectionReset: return await Self.dropConnection(context)
            case .endlessPages: return endlessPage(path: path)
            case .latency(let duration): delay += duration
            }
        }
        guard let token = Self.bearerToken(request.headers[.authorization]) else { return AsanaErrorBody.notAuthorized.makeResponse() }
        let caller: String
        var scopes: [String]?
        if let seeded = state.seededToken(token) {
            (caller, scopes) = seeded
        } else {
            switch oauth.authenticate(token) {
            case .valid(let user, let granted): (caller, scopes) = (user, granted)
            case .expired: return AsanaErrorBody.tokenExpired.makeResponse()
            case .unknown: return AsanaErrorBody.notAuthorized.makeResponse()
            }
        }
        if case .limited(let retryAfter) = limiter.admit(token: token, now: now()) {
            return AsanaErrorBody(.tooManyRequests, AsanaErrorBody.rateLimitMessage, retryAfter: retryAfter).makeResponse()
        }
        if let requirement = ScopeRequirement.of(method: request.method.rawValue, path: path), !requirement.isSatisfied(by: scopes) {
            return requirement.refusal.makeResponse()
        }
        let isWrite = request.method != .get && request.method != .head
        guard concurrency.acquire(token: token, write: isWrite) else {
            return AsanaErrorBody(.tooManyRequests, AsanaErrorBody.rateLimitMessage, retryAfter: concurrencyRetryAfter).makeResponse()
        }
        defer { concurrency.release(token: token, write: isWrite) }
        var context = context
        context.caller = caller
        context.scopes = scopes
        do {
            if delay > .zero { try await Task.sleep(for: delay) }
            return try await next(request, context)
        } catch let error as AsanaErrorBody {
            return error.makeResponse()
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .notFound: message = error.body ?? "No matching route for request"
            case .contentTooLarge: message = "Request body too large"
            default: message = error.body ?? error.status.reasonPhrase
            }
            let phrase = error.status.code == 500 ? ErrorPhrase.make(state.nextErrorSerial()) : nil
            return AsanaErrorBody(error.status, message, phrase: phrase).makeResponse()
        } catch {
            context.logger.error("simulator route failed", metadata: ["error": "\(error)"])
            return AsanaErrorBody(.internalServerError, "Server Error", phrase: ErrorPhrase.make(state.nextErrorSerial())).makeResponse()
        }
    }

    /// An empty list page whose `next_page` carries a never-repeated offset (``SimulatedFault/Kind/endlessPages``).
    private func endlessPage(path: String) -> Response {
        let offset = "endless-\(state.nextErrorSerial())"
        let nextPath = "\(path)?limit=100&offset=\(offset)"
        let body = JSONValue.object([
            ("data", .array([])),
            ("next_page", .object([("offset", .string(offset)), ("path", .string(nextPath)), ("uri", .string(nextPath))])),
        ])
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=UTF-8"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }

    /// The `/-/…` OAuth paths: log (no secrets), fault, route. A form body is collected here (≤ 1 MiB) to log its
    /// `grant_type`; the route reads it again.
    private func handleOAuth(
        _ request: Request, path: String, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        var line = "\(request.method.rawValue) \(path)"
        if request.method == .get, path == "/-/oauth_authorize", let client = QueryItems(rawQuery: request.uri.query)["client_id"] {
            line += " client_id=" + QueryItems.encode(client)
        }
        var tooLarge = false
        if request.method == .post, request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            do {
                let buffer = try await request.collectBody(upTo: WriteRequest.maxBodyBytes)
                let form = QueryItems(rawQuery: String(decoding: buffer.readableBytesView, as: UTF8.self))
                if path == "/-/oauth_token", let grantType = form["grant_type"] {
                    // Only the two known values are echoed, so a misplaced secret never reaches the log.
                    let known = grantType == "authorization_code" || grantType == "refresh_token"
                    line += " grant_type=" + (known ? grantType : "other")
                }
            } catch {
                tooLarge = true
            }
        }
        state.log(line)
        if let fault = faults.take(method: request.method.rawValue, path: path) {
            switch fault.kind {
            case .status: return fault.errorBody(serial: state.nextErrorSerial()).makeResponse()
            case .connectionReset: return await Self.dropConnection(context)
            case .endlessPages: return endlessPage(path: path)
            case .latency(let duration): try await Task.sleep(for: duration)
            }
        }
        if tooLarge { return OAuthError.invalidRequest("The request body is too large.").makeResponse() }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return OAuthRoutes.plain(.notFound, "Not Found")
        } catch {
            context.logger.error("simulator OAuth route failed", metadata: ["error": "\(error)"])
            return OAuthRoutes.plain(.internalServerError, "Server Error")
        }
    }

    /// Closes the request's connection without answering (a ``SimulatedFault/Kind/connectionReset`` fault). The
    /// returned response is never delivered: the channel is already closed when Hummingbird tries to write it.
    static func dropConnection(_ context: Context) async -> Response {
        try? await context.channel.close().get()
        return Response(status: .internalServerError)
    }

    /// The token of `Bearer <token>`, or nil.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
