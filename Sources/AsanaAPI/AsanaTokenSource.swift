/// Supplies the bearer token of an AsanaClient; an OAuth source refreshes it.
///
/// ``AsanaClient`` asks ``currentToken()`` before every HTTP attempt (retries and list pages
/// included) and, when Asana answers 401, calls ``renewToken(after:)`` at most once per logical
/// request (asana-api.md §4.2: an expired OAuth access token gets 401; §11 item 7: refresh once and
/// retry). Tokens are opaque strings; the client never checks their format (asana-api.md §4.1, §11 item 14).
///
/// Errors thrown by either method reach the caller of the client unchanged (they are the source's
/// own typed errors, e.g. "reauthorization required" after an `invalid_grant`, §11 item 8).
public protocol AsanaTokenSource: Sendable {
    /// The token to send now. An OAuth source refreshes first when the token expires soon.
    func currentToken() async throws -> String
    /// Asana answered 401 to a request sent with `rejected`. Returns a different token to retry that request
    /// with (once), or nil when the source cannot renew (a PAT): the 401 is then thrown.
    func renewToken(after rejected: String) async throws -> String?
}

/// A fixed token (personal access token, service-account token): never renewed.
///
/// ``renewToken(after:)`` returns `nil`, so a 401 is thrown as ``AsanaAPIError/unauthorized(message:)``
/// (asana-api.md §4.1, §4.6: PATs and service-account tokens live until revoked).
public struct StaticTokenSource: AsanaTokenSource {
    private let token: String

    /// A source that always answers `token` (opaque, not validated: asana-api.md §11 item 14).
    public init(_ token: String) {
        self.token = token
    }

    /// Returns the fixed token; never throws.
    public func currentToken() async throws -> String { token }

    /// Returns `nil`: a fixed token cannot be renewed.
    public func renewToken(after rejected: String) async throws -> String? { nil }
}
