import AccessStore
import Foundation

/// What an OAuth credential seals: the tokens Asana granted and what is needed to refresh them.
///
/// Stored as the credential's secret (kind `oauth`), JSON with sorted keys; never logged, never in an RPC
/// result. The credential's fingerprint is that of ``refreshToken`` (of ``accessToken`` when Asana granted
/// no refresh token), so it stays the same across access-token refreshes.
struct OAuthTokenSet: Codable, Sendable, Equatable {
    /// The bearer token; Asana's live one hour (`expires_in` 3600, https://developers.asana.com/docs/oauth).
    var accessToken: String
    /// The long-lived token that gets new access tokens; nil when Asana granted none.
    var refreshToken: String?
    /// When ``accessToken`` expires: the exchange time plus `expires_in`.
    var expiresAt: Date
    /// When ``accessToken`` was granted.
    var issuedAt: Date
    /// The OAuth app that was granted the tokens; its secret is needed to refresh.
    var clientId: String
    /// The scopes granted (as asked at `oauthStart`; `["default"]` for full permissions).
    var scopes: [String]
    /// Who authorized: Asana's `data` of the token answer.
    var authorizedUser: AuthorizedUser

    /// The Asana user who granted the authorization.
    struct AuthorizedUser: Codable, Sendable, Equatable {
        var gid: String?
        var name: String?
        var email: String?
    }

    /// Whether ``accessToken`` should be refreshed at `now`: when less than `margin` or half its lifetime
    /// (whichever is shorter, so that a short-lived token is not refreshed on every request) is left.
    func needsRefresh(at now: Date, margin: TimeInterval) -> Bool {
        let lifetime = max(0, expiresAt.timeIntervalSince(issuedAt))
        return expiresAt.timeIntervalSince(now) < min(margin, lifetime / 2)
    }

    /// The text whose fingerprint identifies the credential.
    var fingerprintSource: String { refreshToken ?? accessToken }

    /// The JSON the credential seals.
    func sealedText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Decodes a sealed token set.
    /// - Returns: nil when `text` is not one (a credential stored as `oauth` by hand with a bare token).
    static func decode(_ text: String) -> OAuthTokenSet? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(OAuthTokenSet.self, from: Data(text.utf8))
    }
}
