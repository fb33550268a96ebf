import AccessProtocol
import Foundation

/// OAuth apps (client secrets, sealed like credentials) and the authorizations waiting for `oauthFinish`.
public protocol OAuthStore: Sendable {
    /// Seals and stores the client secret of the OAuth app `clientId`, replacing any previous one.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty client id or secret, one over 512 bytes, or a
    ///   client id with a control character (SQLite text would end at a NUL).
    @discardableResult
    func putOAuthClient(clientId: String, secret: String, at: Date) async throws -> OAuthClientSummary

    /// Every stored OAuth app, by client id. No secret is opened.
    func oauthClientSummaries() async throws -> [OAuthClientSummary]

    /// The client secret of `clientId`, or nil when none is stored.
    /// - Throws: ``AccessStoreError/oauthClientTampered(clientId:)`` when AES-GCM refuses the row.
    func openOAuthClientSecret(clientId: String) async throws -> String?

    /// Deletes the OAuth app `clientId`. Credentials it issued stay, but cannot be refreshed any more.
    /// - Returns: whether an app was deleted.
    @discardableResult
    func deleteOAuthClient(clientId: String) async throws -> Bool

    /// Stores a started authorization (its verifier sealed, its state kept as a SHA-256 only). Expired flows
    /// are dropped first, in the same transaction.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when ``StoreLimits/maxPendingOAuthFlows`` unexpired flows are
    ///   already waiting, or the state is empty or already pending.
    func insertOAuthFlow(_ flow: OAuthFlow) async throws

    /// Removes and returns the authorization started with `state`: a state can be finished once.
    /// - Returns: nil when no flow has this state, or it expired at `at` (an expired one is removed too).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when its sealed verifier fails to open (the flow is removed).
    func takeOAuthFlow(state: String, at: Date) async throws -> OAuthFlow?
}
