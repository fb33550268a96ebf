import Foundation

// OAuth 2.0 authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) against Asana's authorization
// server (https://developers.asana.com/docs/oauth): store an app, start, finish (protocol.md §5, "OAuth").

/// `putOAuthClient`: seal and store an OAuth app's client secret. Role: admin.
public enum PutOAuthClient: AccessMethod {
    /// `{clientId, clientSecret}`.
    public struct Params: Codable, Sendable, Equatable {
        /// The app's client id from Asana's developer console (1–512 bytes).
        public var clientId: String
        /// The app's client secret (1–512 bytes): sealed at once, never logged, never returned.
        public var clientSecret: String

        public init(clientId: String, clientSecret: String) {
            self.clientId = clientId
            self.clientSecret = clientSecret
        }
    }

    public typealias Result = OAuthClientSummary

    public static let name = "putOAuthClient"
    public static let summary = "Seal and store an OAuth app's client secret (needed to exchange codes and refresh tokens)."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["clientId", "clientSecret"]
}

/// `listOAuthClients`: stored OAuth apps, client ids and secret fingerprints. Role: admin.
public enum ListOAuthClients: AccessMethod {
    public typealias Params = EmptyParams
    public typealias Result = ItemList<OAuthClientSummary>

    public static let name = "listOAuthClients"
    public static let summary = "List stored OAuth apps (client ids and secret fingerprints)."
    public static let minimumRole: AccessRole? = .admin
}

/// `deleteOAuthClient`: delete a stored OAuth app. Role: admin.
public enum DeleteOAuthClient: AccessMethod {
    /// `{clientId}`.
    public struct Params: Codable, Sendable, Equatable {
        public var clientId: String

        public init(clientId: String) {
            self.clientId = clientId
        }
    }

    /// `{done}`: `false` when no app had that client id.
    public typealias Result = Done

    public static let name = "deleteOAuthClient"
    public static let summary = "Delete a stored OAuth app; OAuth credentials it issued can no longer be refreshed."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["clientId"]
}

/// `oauthStart`: begin an authorization; answers Asana's authorize URL (with `state` and a PKCE S256
/// challenge) to open in a browser. Role: admin.
public enum OAuthStart: AccessMethod {
    /// `{workspace, clientId, redirectUri, scopes?, purpose?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name; resolved at `oauthFinish` with the granted token.
        public var workspace: String
        /// An app whose secret was stored with `putOAuthClient`.
        public var clientId: String
        /// Exactly as registered for the app in Asana: `https://…`, `http://127.0.0.1…`/`http://localhost…`
        /// (loopback, for native apps, RFC 8252 §7.3), or `urn:ietf:wg:oauth:2.0:oob`
        /// (https://developers.asana.com/docs/oauth).
        public var redirectUri: String
        /// Default: the access-sync set for `sync`, `["default"]` (full permissions) for `provision`.
        public var scopes: [String]?
        /// `sync` (default) or `provision`.
        public var purpose: CredentialPurpose?

        public init(workspace: String, clientId: String, redirectUri: String, scopes: [String]? = nil, purpose: CredentialPurpose? = nil) {
            self.workspace = workspace
            self.clientId = clientId
            self.redirectUri = redirectUri
            self.scopes = scopes
            self.purpose = purpose
        }
    }

    /// `{authorizeUrl, state, expiresAt, workspace, purpose, clientId, redirectUri, scopes}`.
    public struct Result: Codable, Sendable, Equatable {
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

        public init(authorizeUrl: String, state: String, expiresAt: Date, workspace: String, purpose: CredentialPurpose,
                    clientId: String, redirectUri: String, scopes: [String]) {
            self.authorizeUrl = authorizeUrl
            self.state = state
            self.expiresAt = expiresAt
            self.workspace = workspace
            self.purpose = purpose
            self.clientId = clientId
            self.redirectUri = redirectUri
            self.scopes = scopes
        }
    }

    public static let name = "oauthStart"
    public static let summary = "Begin an OAuth authorization: returns Asana's authorize URL (state, PKCE S256) to open in a browser."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["workspace", "clientId", "redirectUri", "scopes", "purpose"]
}

/// `oauthFinish`: exchange the code from Asana's redirect and seal the tokens as the workspace's credential.
/// Role: admin.
public enum OAuthFinish: AccessMethod {
    /// `{state, code, force?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// The `state` of `oauthStart` (Asana echoes it on the redirect).
        public var state: String
        /// The `code` of Asana's redirect (`<redirectUri>?code=…&state=…`); single use, short-lived.
        public var code: String
        /// Store a `provision` credential although its user is not an admin of the workspace (default false).
        public var force: Bool?

        public init(state: String, code: String, force: Bool? = nil) {
            self.state = state
            self.code = code
            self.force = force
        }
    }

    /// What was stored, never a token.
    public struct Result: Codable, Sendable, Equatable {
        public var workspace: WorkspaceName
        public var purpose: CredentialPurpose
        /// The stored credential (kind `oauth`; the fingerprint is that of the refresh token).
        public var credential: CredentialSummary
        /// The Asana user who granted access.
        public var authorizedUser: AuthorizedUser
        public var scopes: [String]
        /// When the access token expires; it is refreshed 5 minutes before, and on a 401.
        public var accessTokenExpiresAt: Date
        /// Whether Asana granted a refresh token (without one, the credential stops working when the access token expires).
        public var refreshable: Bool
        /// The connection test run with the granted token before storing it (as `testCredential` answers it).
        public var checks: TestCredential.Result

        public init(workspace: WorkspaceName, purpose: CredentialPurpose, credential: CredentialSummary, authorizedUser: AuthorizedUser,
                    scopes: [String], accessTokenExpiresAt: Date, refreshable: Bool, checks: TestCredential.Result) {
            self.workspace = workspace
            self.purpose = purpose
            self.credential = credential
            self.authorizedUser = authorizedUser
            self.scopes = scopes
            self.accessTokenExpiresAt = accessTokenExpiresAt
            self.refreshable = refreshable
            self.checks = checks
        }
    }

    public static let name = "oauthFinish"
    public static let summary = "Finish an OAuth authorization: exchange the code from Asana's redirect and seal the tokens as the workspace's credential."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["state", "code", "force"]
}
