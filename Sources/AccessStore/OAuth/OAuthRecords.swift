import AccessProtocol
import Foundation

/// An authorization started by `oauthStart`, waiting for `oauthFinish` (single use, expiring).
public struct OAuthFlow: Sendable, Equatable {
    /// The `state` sent to Asana's authorize URL (random, URL-safe). Only its SHA-256 is stored.
    public var state: String
    /// The workspace as the caller gave it: a gid or an exact name, resolved with the granted token.
    public var workspace: String
    /// What the credential will be used for.
    public var purpose: CredentialPurpose
    /// The OAuth app's client id; its secret must be stored (``OAuthStore/putOAuthClient(clientId:secret:at:)``).
    public var clientId: String
    /// The redirect URI sent to the authorize URL; the code exchange must send the same (RFC 6749 §4.1.3; https://developers.asana.com/docs/oauth).
    public var redirectUri: String
    /// The scopes asked for, in order (`["default"]` for full permissions).
    public var scopes: [String]
    /// The PKCE `code_verifier` (RFC 7636), sealed at rest.
    public var codeVerifier: String
    /// Who started the authorization.
    public var principal: String
    /// When it was started; millisecond precision.
    public var createdAt: Date
    /// After this the flow cannot be finished; millisecond precision.
    public var expiresAt: Date

    /// Creates a value from all of its fields.
    public init(state: String, workspace: String, purpose: CredentialPurpose, clientId: String, redirectUri: String, scopes: [String],
                codeVerifier: String, principal: String, createdAt: Date, expiresAt: Date) {
        self.state = state
        self.workspace = workspace
        self.purpose = purpose
        self.clientId = clientId
        self.redirectUri = redirectUri
        self.scopes = scopes
        self.codeVerifier = codeVerifier
        self.principal = principal
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
