import AccessStore
import Foundation
import LineRPC

/// Params of `putOAuthClient`.
public struct PutOAuthClientParams: RPCParams {
    public static let memberNames: Set<String> = ["clientId", "clientSecret"]
    /// The app's client id from Asana's developer console (1–512 bytes).
    public var clientId: String
    /// The app's client secret (1–512 bytes): sealed at once, never logged, never returned.
    public var clientSecret: String
}

/// Params of `deleteOAuthClient`.
public struct DeleteOAuthClientParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["clientId"]
    public var clientId: String
}

/// Params of `oauthStart`.
public struct OAuthStartParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["workspace", "clientId", "redirectUri", "scopes", "purpose"]
    /// Workspace gid or exact name; resolved at `oauthFinish` with the granted token.
    public var workspace: String
    /// An app whose secret was stored with `putOAuthClient`.
    public var clientId: String
    /// Exactly as registered for the app in Asana: `https://…`, `http://127.0.0.1…`/`http://localhost…`
    /// (loopback, for native apps), or `urn:ietf:wg:oauth:2.0:oob` (asana-api.md §4.2).
    public var redirectUri: String
    /// Default: the access-sync set for `sync`, `["default"]` (full permissions) for `provision`.
    public var scopes: [String]?
    /// `sync` (default) or `provision`.
    public var purpose: CredentialPurpose?
}

/// The answer to `oauthStart`.
public struct OAuthStartResult: Codable, Sendable {
    /// Open this in a browser signed in to Asana as the person who grants access.
    public var authorizeUrl: String
    /// The `state` in the URL; Asana sends it back on the redirect with the `code`. Pass both to `oauthFinish`.
    public var state: String
    /// After this `oauthFinish` refuses the state (10 minutes after the start).
    public var expiresAt: Date
    public var workspace: String
    public var purpose: CredentialPurpose
    public var clientId: String
    public var redirectUri: String
    public var scopes: [String]
}

/// Params of `oauthFinish`.
public struct OAuthFinishParams: RPCParams {
    public static let memberNames: Set<String> = ["state", "code", "force"]
    /// The `state` of `oauthStart` (Asana echoes it on the redirect).
    public var state: String
    /// The `code` of Asana's redirect (`<redirectUri>?code=…&state=…`); single use, short-lived.
    public var code: String
    /// Store a `provision` credential although its user is not an admin of the workspace (default false).
    public var force: Bool?
}

/// The answer to `oauthFinish`: what was stored, never a token.
public struct OAuthFinishResult: Codable, Sendable {
    public var workspace: WorkspaceName
    public var purpose: CredentialPurpose
    /// The stored credential (kind `oauth`; the fingerprint is that of the refresh token).
    public var credential: CredentialSummary
    /// The Asana user who granted access.
    public var authorizedUser: AuthorizedUserResult
    public var scopes: [String]
    /// When the access token expires; it is refreshed 5 minutes before, and on a 401.
    public var accessTokenExpiresAt: Date
    /// Whether Asana granted a refresh token (without one, the credential stops working when the access token expires).
    public var refreshable: Bool
    /// The connection test run with the granted token before storing it (as `testCredential` answers it).
    public var checks: CredentialTestResult
}

/// The Asana user who granted an OAuth authorization (Asana's token answer `data`, asana-api.md §4.2).
public struct AuthorizedUserResult: Codable, Sendable, Equatable {
    public var gid: String?
    public var name: String?
    public var email: String?

    enum CodingKeys: String, CodingKey { case gid, name, email }

    /// Encodes every member, an unknown one as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gid, forKey: .gid)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
    }
}
