import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging
import Synchronization

/// The bearer token of one stored OAuth credential (workspace, purpose), refreshed when needed.
///
/// - The token set is read from the store on every request, so a credential authorized again is used at once.
/// - An access token that expires within ``refreshMargin`` (or half its lifetime) is refreshed before it is sent; a 401 refreshes
///   too (``AsanaClient`` then retries the request once).
/// - One refresh at a time per credential: callers that need a new token meanwhile wait for it.
/// - A refresh answer without `refresh_token` keeps the stored one (inferred from https://developers.asana.com/docs/oauth; https://github.com/NangoHQ/nango/issues/455).
/// - Asana refusing the refresh token (`invalid_grant`, RFC 6749 §5.2; https://github.com/raycast/extensions/issues/10582) marks the credential
///   `reauthorizationRequired` and throws `credential.reauthorization_required`; no further refresh is tried
///   until the credential is stored again.
/// - Tokens are never logged.
actor OAuthTokenSource: AsanaTokenSource {
    /// How long before its expiry an access token is refreshed: 5 minutes (Asana's live 3,600 s), or half its
    /// lifetime when that is shorter (``OAuthTokenSet/needsRefresh(at:margin:)``).
    static let refreshMargin: TimeInterval = 300

    let workspace: String
    let purpose: CredentialPurpose
    private let store: any AccessStore
    private let oauth: AsanaOAuthClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var refreshing: Task<String, any Error>?
    /// The access token the last refresh replaced, and the one it got. Reading the store suspends this actor,
    /// so a caller may read the old token set, then find the refresh of it already finished (``refreshing``
    /// nil): it takes the new token instead of refreshing a second time.
    private var lastRefresh: (replaced: String, renewed: String)?

    init(workspace: String, purpose: CredentialPurpose, store: any AccessStore, oauth: AsanaOAuthClient, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.workspace = workspace
        self.purpose = purpose
        self.store = store
        self.oauth = oauth
        self.logger = logger
        self.now = now
    }

    func currentToken() async throws -> String {
        let (tokens, fingerprint) = try await load()
        if !tokens.needsRefresh(at: now(), margin: Self.refreshMargin) { return tokens.accessToken }
        return try await refresh(tokens, fingerprint: fingerprint)
    }

    func renewToken(after rejected: String) async throws -> String? {
        let (tokens, fingerprint) = try await load()
        // Another request refreshed meanwhile: use its token.
        if tokens.accessToken != rejected { return tokens.accessToken }
        return try await refresh(tokens, fingerprint: fingerprint)
    }

    /// The stored token set and its credential's fingerprint.
    /// - Throws: `credential.missing`, `credential.unreadable`, `credential.reauthorization_required`.
    private func load() async throws -> (OAuthTokenSet, String) {
        let opened = try await AccessService.openUsableCredential(store: store, workspace: workspace, purpose: purpose)
        guard let tokens = OAuthTokenSet.decode(opened.secret) else { throw AccessError.credentialUnreadable(workspace, purpose: purpose) }
        return (tokens, opened.fingerprint)
    }

    /// Refreshes once for everyone waiting.
    private func refresh(_ tokens: OAuthTokenSet, fingerprint: String) async throws -> String {
        if let refreshing { return try await refreshing.value }
        if let lastRefresh, lastRefresh.replaced == tokens.accessToken { return lastRefresh.renewed }
        let task = Task { try await self.performRefresh(tokens, fingerprint: fingerprint) }
        refreshing = task
        defer { refreshing = nil }
        let renewed = try await task.value
        lastRefresh = (tokens.accessToken, renewed)
        return renewed
    }

    private func performRefresh(_ tokens: OAuthTokenSet, fingerprint: String) async throws -> String {
        guard let refreshToken = tokens.refreshToken else {
            try await markReauthorizationRequired(fingerprint: fingerprint, reason: "the access token expired and Asana granted no refresh token")
        }
        let storedSecret: String?
        do {
            storedSecret = try await store.openOAuthClientSecret(clientId: tokens.clientId)
        } catch AccessStoreError.oauthClientTampered {
            throw AccessError.oauthClientUnreadable(tokens.clientId)
        }
        guard let clientSecret = storedSecret else { throw AccessError.oauthClientUnknown(tokens.clientId) }
        let grant: OAuthTokenGrant
        do {
            grant = try await oauth.refresh(refreshToken: refreshToken, clientId: tokens.clientId, clientSecret: clientSecret)
        } catch AsanaAPIError.oauth(_, let error, let description) where error == "invalid_grant" {
            try await markReauthorizationRequired(fingerprint: fingerprint, reason: "Asana refused the refresh token (invalid_grant\(description.map { ": \($0)" } ?? ""))")
        } catch AsanaAPIError.oauth(let status, let error, let description) {
            logger.warning("Asana refused an OAuth token refresh", metadata: [
                "workspace": "\(workspace)", "purpose": "\(purpose.rawValue)", "clientId": "\(tokens.clientId)", "asana.error": "\(error)"])
            throw AccessError.oauthRefreshRefused(workspace, purpose: purpose, clientId: tokens.clientId, status: status, error: error, description: description)
        }
        var renewed = tokens
        renewed.accessToken = grant.accessToken
        renewed.refreshToken = grant.refreshToken ?? tokens.refreshToken
        renewed.issuedAt = now()
        renewed.expiresAt = renewed.issuedAt.addingTimeInterval(TimeInterval(grant.expiresIn))
        let stored = try await store.replaceCredential(
            workspaceGid: workspace, purpose: purpose, kind: .oauth, secret: try renewed.sealedText(),
            fingerprintOf: renewed.fingerprintSource, onlyIfFingerprint: fingerprint, at: now())
        if stored == nil {
            // The credential was stored again while refreshing: use the new one.
            return try await load().0.accessToken
        }
        logger.info("OAuth access token refreshed", metadata: ["workspace": "\(workspace)", "purpose": "\(purpose.rawValue)",
                                                               "expiresIn": "\(grant.expiresIn)"])
        return renewed.accessToken
    }

    private func markReauthorizationRequired(fingerprint: String, reason: String) async throws -> Never {
        try await store.markCredentialReauthorizationRequired(workspaceGid: workspace, purpose: purpose, fingerprint: fingerprint, reason: reason, at: now())
        logger.warning("OAuth credential needs a new authorization", metadata: ["workspace": "\(workspace)", "purpose": "\(purpose.rawValue)",
                                                                              "reason": "\(reason)"])
        throw AccessError.credentialReauthorizationRequired(workspace, purpose: purpose, reason: reason)
    }
}

/// One ``OAuthTokenSource`` per credential, so that refreshes are not duplicated across calls.
final class OAuthTokenSources: Sendable {
    private let sources = Mutex<[String: OAuthTokenSource]>([:])

    /// The source of (workspace, purpose), made by `make` on first use.
    func source(workspace: String, purpose: CredentialPurpose, make: () -> OAuthTokenSource) -> OAuthTokenSource {
        sources.withLock { sources in
            let key = "\(workspace)/\(purpose.rawValue)"
            if let existing = sources[key] { return existing }
            let created = make()
            sources[key] = created
            return created
        }
    }
}
