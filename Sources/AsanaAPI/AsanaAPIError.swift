/// Why a call to Asana failed, after the client's retries (see ``AsanaClient``).
///
/// `message` values are the `message` fields of Asana's `{"errors":[…]}` body joined with `"; "`
/// (https://developers.asana.com/docs/errors). No case ever carries the bearer token: the client removes it from any text
/// before throwing.
public enum AsanaAPIError: Error, Sendable, Equatable {
    /// 401: missing, invalid, expired or revoked token, or the app is blocked in the workspace (https://developers.asana.com/docs/errors).
    case unauthorized(message: String)
    /// 403: authenticated but not allowed (not an admin, no access to the object, missing OAuth scope).
    case forbidden(message: String)
    /// 404: unknown route or object.
    case notFound(message: String)
    /// 400, and any other 4xx without a case of its own (the message then starts with `"HTTP <status>: "`).
    /// Also thrown before sending when an argument is empty or not usable (e.g. an empty gid), and when a
    /// list `offset` is refused again after the listing restarted once (``AsanaClient`` restarts it on the first refusal).
    case badRequest(message: String)
    /// 429 still answered after `maxAttempts` tries, or a `Retry-After` longer than `maxRetryAfter`.
    /// `retryAfter` is the last `Retry-After` received, `nil` when Asana sent none (https://developers.asana.com/docs/rate-limits).
    case rateLimited(retryAfter: Duration?)
    /// 5xx: after the retries for GET, at once for POST. `phrase` is Asana's support phrase (500s only).
    case server(status: Int, message: String, phrase: String?)
    /// A list page answered 200 without a `next_page` key although `limit` was sent, so the list may be
    /// incomplete (Asana OpenAPI schema `NextPage`). `path` is the request path with its query, relative to the base URL.
    case malformedPage(path: String)
    /// The answer is not what Asana sends: not JSON, no `data`, wrong field types, body too large,
    /// an unexpected status. The text says what was wrong.
    case malformedResponse(String)
    /// No HTTP answer: connection refused, timeout, reset, TLS failure. The text is the underlying error.
    case transport(String)
    /// Asana's OAuth endpoints (`/-/oauth_token`, `/-/oauth_revoke`) refused the request with a 4xx and
    /// `{"error": "...", "error_description"?: "..."}` (RFC 6749 §5.2; https://developers.asana.com/docs/oauth): e.g. 400 `invalid_grant`
    /// (refresh token revoked or unknown, code used or expired: the user must authorize again, https://github.com/raycast/extensions/issues/10582),
    /// 401 `invalid_client` (wrong client id or secret). Never retried.
    case oauth(status: Int, error: String, description: String?)
}

extension AsanaAPIError: CustomStringConvertible {
    /// One sentence naming the failure and what it means for the caller.
    public var description: String {
        switch self {
        case .unauthorized(let message):
            return "Asana refused the credentials (401 Unauthorized): \(message); check that the token is valid and not revoked or expired."
        case .forbidden(let message):
            return "Asana denied the request (403 Forbidden): \(message)."
        case .notFound(let message):
            return "Asana found no such object or route (404 Not Found): \(message)."
        case .badRequest(let message):
            return "Asana rejected the request as invalid: \(message)."
        case .rateLimited(let retryAfter):
            if let retryAfter {
                return "Asana rate limit exceeded; Asana asks to retry after \(formatSeconds(retryAfter))."
            }
            return "Asana rate limit exceeded and retries were used up; Asana gave no Retry-After."
        case .server(let status, let message, let phrase):
            let suffix = phrase.map { " (Asana error phrase: \"\($0)\")" } ?? ""
            return "Asana answered with server error \(status): \(message)\(suffix)."
        case .malformedPage(let path):
            return "Asana returned a list page without next_page for \(path) although limit was sent, so the list may be incomplete."
        case .malformedResponse(let detail):
            return "Asana returned an unexpected response: \(detail)."
        case .transport(let detail):
            return "Could not reach Asana: \(detail)."
        case .oauth(let status, let error, let description):
            let detail = description.map { ": \($0)" } ?? ""
            let hint: String
            switch error {
            case "invalid_grant": hint = "; the authorization is no longer valid, the user must authorize the app again"
            case "invalid_client": hint = "; check the app's client id and client secret"
            default: hint = ""
            }
            return "Asana's OAuth endpoint refused the request (\(status) \(error)\(detail))\(hint)."
        }
    }

    /// The same error with `redact` applied to every text it carries (messages, phrase, path, OAuth
    /// error and description); ``rateLimited(retryAfter:)`` is returned as is.
    func redacted(with redact: (String) -> String) -> AsanaAPIError {
        switch self {
        case .unauthorized(let message): return .unauthorized(message: redact(message))
        case .forbidden(let message): return .forbidden(message: redact(message))
        case .notFound(let message): return .notFound(message: redact(message))
        case .badRequest(let message): return .badRequest(message: redact(message))
        case .rateLimited: return self
        case .server(let status, let message, let phrase):
            return .server(status: status, message: redact(message), phrase: phrase.map(redact))
        case .malformedPage(let path): return .malformedPage(path: redact(path))
        case .malformedResponse(let detail): return .malformedResponse(redact(detail))
        case .transport(let detail): return .transport(redact(detail))
        case .oauth(let status, let error, let description):
            return .oauth(status: status, error: redact(error), description: description.map(redact))
        }
    }

    /// Whether the failure may go away by itself (rate limit, server error, transport failure).
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .server, .transport: return true
        default: return false
        }
    }
}

/// `Duration` as seconds for messages: `"7 s"`, `"1.5 s"`.
func formatSeconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    if attoseconds == 0 { return "\(seconds) s" }
    let value = Double(seconds) + Double(attoseconds) / 1e18
    return "\(value) s"
}
