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

extension OAuthClientSummary {
    /// Checks an OAuth app before either store seals it.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for a client id that is not 1–512 bytes without control
    ///   characters, or a secret that is not 1–512 bytes.
    static func checkNew(clientId: String, secret: String) throws {
        guard (1...512).contains(clientId.utf8.count), !clientId.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw AccessStoreError.invalidArgument("the client id must be 1 to 512 bytes without control characters")
        }
        guard (1...512).contains(secret.utf8.count) else { throw AccessStoreError.invalidArgument("the client secret must be 1 to 512 bytes") }
    }
}
