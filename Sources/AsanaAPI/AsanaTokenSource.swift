/// Supplies the bearer token of an AsanaClient; an OAuth source refreshes it.
///
/// ``AsanaClient`` asks ``currentToken()`` before every HTTP attempt (retries and list pages
/// included) and, when Asana answers 401, calls ``renewToken(after:)`` at most once per logical
/// request (an expired OAuth access token gets 401: refresh once and retry, https://github.com/Asana/python-asana/issues/108).
/// Tokens are opaque strings; the client never checks their format (https://developers.asana.com/docs/personal-access-token).
///
/// Errors thrown by either method reach the caller of the client unchanged (they are the source's
/// own typed errors, e.g. "reauthorization required" after an `invalid_grant`, https://github.com/raycast/extensions/issues/10582).
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
/// (PATs and service-account tokens live until revoked: https://developers.asana.com/docs/personal-access-token, https://help.asana.com/s/article/service-accounts?language=en_US).
public struct StaticTokenSource: AsanaTokenSource {
    private let token: String

    /// A source that always answers `token` (opaque, not validated: https://developers.asana.com/docs/personal-access-token).
    public init(_ token: String) {
        self.token = token
    }

    /// Returns the fixed token; never throws.
    public func currentToken() async throws -> String { token }

    /// Returns `nil`: a fixed token cannot be renewed.
    public func renewToken(after rejected: String) async throws -> String? { nil }
}
