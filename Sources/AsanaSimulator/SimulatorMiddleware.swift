import Foundation
import Hummingbird

/// Runs before every route, in this order:
/// 1. logs `"<METHOD> <path relative to /api/1.0>[?query]"` (``AsanaSimulator/requestLog()``);
/// 2. answers a pending ``SimulatedFault`` for the path, if any (not authenticated, not counted);
/// 3. authenticates `Authorization: Bearer <token>` (scheme case-insensitive) → else 401 `Not Authorized`
///    (asana-api.md §2, §10.1);
/// 4. applies the token's per-minute budget → 429 with `Retry-After` and Asana's message (asana-api.md §8);
/// 5. calls the route and turns every error into Asana's `{"errors": [...]}` body: unknown routes → 404
///    `No matching route for request` (asana-api.md §2 [secondary]); an unexpected error → 500 with a `phrase`.
struct SimulatorMiddleware: RouterMiddleware {
    typealias Context = SimulatorRequestContext

    let state: SimulatorState
    let faults: FaultQueue
    let limiter: RateLimiter
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = RouteEnvironment.relativePath(request.uri.path)
        let query = request.uri.query.map { $0.isEmpty ? "" : "?" + $0 } ?? ""
        state.log("\(request.method.rawValue) \(path)\(query)")

        if let fault = faults.take(method: request.method.rawValue, path: path) {
            return fault.errorBody(serial: state.nextErrorSerial()).makeResponse()
        }
        guard let token = Self.bearerToken(request.headers[.authorization]), let caller = state.userGid(forToken: token) else {
            return AsanaErrorBody.notAuthorized.makeResponse()
        }
        if case .limited(let retryAfter) = limiter.admit(token: token, now: now()) {
            return AsanaErrorBody(.tooManyRequests, AsanaErrorBody.rateLimitMessage, retryAfter: retryAfter).makeResponse()
        }
        var context = context
        context.caller = caller
        do {
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

    /// The token of `Bearer <token>`, or nil.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
