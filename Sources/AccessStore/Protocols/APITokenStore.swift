import AccessProtocol
import Foundation

/// API tokens: named bearer tokens with a role, stored as hashes only.
public protocol APITokenStore: Sendable {
    /// Creates an API token named `name` with `role`, expiring at `expiresAt` (nil: never).
    ///
    /// The token text is `aat_<id>_<secret>` (64 ASCII characters): `id` is 16 lowercase hex digits
    /// (8 random bytes), `secret` 43 characters of base64url without padding (32 random bytes).
    /// Only SHA-256 of the secret is stored: the text is returned here once and can never be read back.
    /// - Returns: the token text, to hand to its holder, and its summary (`lastUsedAt`, `revokedAt` nil).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` unless `name` is 1–64 characters of
    ///   `A-Z a-z 0-9 . _ -`, or when `expiresAt` is not between ``StoreLimits/minimumAPITokenLifetime`` and
    ///   ``StoreLimits/maximumAPITokenLifetime`` after `at`; ``AccessStoreError/apiTokenNameTaken(name:)`` when a token
    ///   (active or revoked) already has that name.
    func createAPIToken(name: String, role: AccessRole, at: Date, expiresAt: Date?) async throws -> (token: String, summary: APITokenSummary)

    /// Every API token, active and revoked, ordered by name (bytewise: `A-Z` before `a-z`).
    /// Neither secrets nor their hashes are read.
    func apiTokens() async throws -> [APITokenSummary]

    /// Revokes the active token named `name`: `revokedAt` = `at`, and it no longer verifies.
    /// The row stays (listed, with its name still taken).
    /// - Returns: true when a token was revoked; false when no token has that name or it was already revoked.
    @discardableResult
    func revokeAPIToken(name: String, at: Date) async throws -> Bool

    /// Checks a presented token text.
    ///
    /// Parses `aat_<id>_<secret>`, loads the token by `id`, and compares SHA-256 of the secret with
    /// the stored hash in constant time (``constantTimeEquals(_:_:)``). On success, sets `lastUsedAt`
    /// to `at` when it is nil or at least ``StoreLimits/apiTokenLastUsedInterval`` older (a failed check writes nothing).
    /// - Returns: the token's summary (with `lastUsedAt` as stored after this call, and `expiresAt`), or nil
    ///   when the text is malformed, names no token, does not match, or the token is revoked or expired
    ///   (`expiresAt <= at`: an expired token fails exactly like a wrong one).
    /// - Throws: only storage errors; never for bad input.
    func verifyAPIToken(_ token: String, at: Date) async throws -> APITokenSummary?
}

extension APITokenStore {
    /// ``createAPIToken(name:role:at:expiresAt:)`` for a token that never expires.
    public func createAPIToken(name: String, role: AccessRole, at: Date) async throws -> (token: String, summary: APITokenSummary) {
        try await createAPIToken(name: name, role: role, at: at, expiresAt: nil)
    }
}
