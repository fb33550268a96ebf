import AccessStore
import AsanaAPI
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
    public static let memberNames: Set<String> = ["state", "code"]
    /// The `state` of `oauthStart` (Asana echoes it on the redirect).
    public var state: String
    /// The `code` of Asana's redirect (`<redirectUri>?code=…&state=…`); single use, short-lived.
    public var code: String
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
}

/// The Asana user who granted an OAuth authorization (Asana's token answer `data`, asana-api.md §4.2).
public struct AuthorizedUserResult: Codable, Sendable, Equatable {
    public var gid: String?
    public var name: String?
    public var email: String?
}

extension AccessService {
    /// How long an authorization started by `oauthStart` may be finished: 10 minutes (Asana's codes are short-lived).
    public static let oauthFlowLifetime: TimeInterval = 600

    /// The access-sync scopes asked for by default for a `sync` credential (issue 4; asana-api.md §4.4).
    public static let accessSyncScopes = ["openid", "email", "profile", "users:read", "teams:read", "team_memberships:read",
                                          "workspaces:read", "workspaces.typeahead:read"]

    func registerOAuth(in table: inout RPCMethodTable) {
        table.register("putOAuthClient", summary: "Seal and store an OAuth app's client secret (needed to exchange codes and refresh tokens).", access: Self.access(.admin), params: PutOAuthClientParams.self) { context, params in
            try Self.checkOAuthText(params.clientId, field: "clientId")
            try Self.checkOAuthText(params.clientSecret, field: "clientSecret")
            let summary = try store.putOAuthClient(clientId: params.clientId, secret: params.clientSecret, at: now())
            try audit(principal: context.identity?.principal, method: "putOAuthClient", params: ["clientId": params.clientId], result: summary, outcome: "ok")
            return summary
        }
        table.register("listOAuthClients", summary: "List stored OAuth apps (client ids and secret fingerprints).", access: Self.access(.admin), params: NoParams.self) { _, _ in
            ItemList(items: try store.oauthClientSummaries())
        }
        table.register("deleteOAuthClient", summary: "Delete a stored OAuth app; OAuth credentials it issued can no longer be refreshed.", access: Self.access(.admin), params: DeleteOAuthClientParams.self) { context, params in
            try Self.checkOAuthText(params.clientId, field: "clientId")
            let done = Done(done: try store.deleteOAuthClient(clientId: params.clientId))
            try audit(principal: context.identity?.principal, method: "deleteOAuthClient", params: params, result: done, outcome: done.done ? "ok" : "not_found")
            return done
        }
        table.register("oauthStart", summary: "Begin an OAuth authorization: returns Asana's authorize URL (state, PKCE S256) to open in a browser.", access: Self.access(.admin), params: OAuthStartParams.self) { context, params in
            try oauthStart(params, principal: context.identity?.principal)
        }
        table.register("oauthFinish", summary: "Finish an OAuth authorization: exchange the code from Asana's redirect and seal the tokens as the workspace's credential.", access: Self.access(.admin), params: OAuthFinishParams.self) { context, params in
            try await oauthFinish(params, principal: context.identity?.principal)
        }
    }

    /// Starts an authorization: checks the params, remembers state and PKCE verifier (sealed) for
    /// ``oauthFlowLifetime``, and returns the authorize URL.
    /// - Throws: `-32602` naming the field (workspace, clientId, redirectUri, scopes); `oauth.client_unknown`.
    public func oauthStart(_ params: OAuthStartParams, principal: String?) throws -> OAuthStartResult {
        _ = try Self.isName(params.workspace, field: "workspace")
        try Self.checkOAuthText(params.clientId, field: "clientId")
        try Self.checkRedirectURI(params.redirectUri)
        let purpose = params.purpose ?? .sync
        let scopes = try Self.checkScopes(params.scopes ?? (purpose == .sync ? Self.accessSyncScopes : ["default"]))
        guard try openClientSecret(params.clientId) != nil else { throw AccessError.oauthClientUnknown(params.clientId) }
        let verifier = PKCE.makeVerifier()
        let state = PKCE.randomToken(bytes: 24)
        let started = now()
        let flow = OAuthFlow(state: state, workspace: params.workspace, purpose: purpose, clientId: params.clientId, redirectUri: params.redirectUri,
                             scopes: scopes, codeVerifier: verifier, principal: principal ?? "anonymous",
                             createdAt: started, expiresAt: started.addingTimeInterval(Self.oauthFlowLifetime))
        do {
            try store.insertOAuthFlow(flow)
        } catch is AccessStoreError {
            throw RPCError(code: -32000, name: "limit.oauth_pending",
                           message: "\(AccessStore.maxPendingOAuthFlows) OAuth authorizations already wait for oauthFinish; finish them or let them expire (10 minutes after their start)",
                           details: ["maximumPendingAuthorizations": .integer(Int64(AccessStore.maxPendingOAuthFlows))])
        }
        // Asana treats an omitted `scope` as `default`; sending `default` explicitly is equivalent (asana-api.md §4.4).
        let url = asana.oauthClient().authorizeURL(clientId: params.clientId, redirectUri: params.redirectUri, state: state,
                                                   codeChallenge: PKCE.challenge(for: verifier), scopes: scopes == ["default"] ? [] : scopes)
        let result = OAuthStartResult(authorizeUrl: url, state: state, expiresAt: flow.expiresAt, workspace: params.workspace, purpose: purpose,
                                      clientId: params.clientId, redirectUri: params.redirectUri, scopes: scopes)
        var audited = params
        audited.scopes = scopes
        audited.purpose = purpose
        try audit(principal: principal, method: "oauthStart", params: audited, result: ["expiresAt": result.expiresAt], outcome: "ok")
        return result
    }

    /// Finishes an authorization: exchanges the code (with the PKCE verifier) at Asana's token endpoint, checks
    /// that the granted token sees the workspace, and seals access token, refresh token and expiry as the
    /// `oauth` credential of (workspace, purpose), replacing the previous one (a paused schedule resumes).
    /// - Throws: `-32602` for an empty state or code; `oauth.unknown_state`, `oauth.client_unknown`,
    ///   `oauth.exchange_refused`, `oauth.workspace_not_granted`, `workspace.ambiguous_name`, `upstream.*`.
    public func oauthFinish(_ params: OAuthFinishParams, principal: String?) async throws -> OAuthFinishResult {
        for (field, value) in [("state", params.state), ("code", params.code)] where value.isEmpty || value.utf8.count > 4096 {
            throw RPCError.invalidParams("Invalid params: \"\(field)\" must be 1 to 4096 bytes", field: field)
        }
        let flow: OAuthFlow
        do {
            guard let taken = try store.takeOAuthFlow(state: params.state, at: now()) else { throw AccessError.oauthUnknownState() }
            flow = taken
        } catch is AccessStoreError {
            throw AccessError.oauthUnknownState()
        }
        do {
            let result = try await exchange(flow, code: params.code)
            try audit(principal: principal, method: "oauthFinish", params: ["workspace": flow.workspace, "purpose": flow.purpose.rawValue, "clientId": flow.clientId],
                      result: result, outcome: "ok")
            await workspaceNames.clear()
            await schedule.credentialStored(workspace: result.workspace.gid, at: now())
            return result
        } catch let error as RPCError {
            try? audit(principal: principal, method: "oauthFinish", params: ["workspace": flow.workspace, "purpose": flow.purpose.rawValue, "clientId": flow.clientId],
                       result: ["error": error.name ?? "error"], outcome: error.name ?? "error")
            throw error
        }
    }

    private func exchange(_ flow: OAuthFlow, code: String) async throws -> OAuthFinishResult {
        guard let clientSecret = try openClientSecret(flow.clientId) else { throw AccessError.oauthClientUnknown(flow.clientId) }
        let grant: OAuthTokenGrant
        do {
            grant = try await asana.oauthClient().exchangeCode(code, codeVerifier: flow.codeVerifier, clientId: flow.clientId,
                                                                clientSecret: clientSecret, redirectUri: flow.redirectUri)
        } catch AsanaAPIError.oauth(let status, let error, let description) {
            throw AccessError.oauthExchangeRefused(status: status, error: error, description: description)
        } catch let error as AsanaAPIError {
            throw AccessError.upstream(error)
        }
        let exchangedAt = now()
        // The granted token must see the workspace: resolve a name, or check a gid, with it alone.
        let listing: [WorkspaceName]
        do {
            listing = try await Self.visibleWorkspaces(clients: [asana.client(token: grant.accessToken)])
        } catch let error as RPCError where error.name == "upstream.forbidden" {
            throw AccessError.oauthWorkspacesNotReadable(flow.workspace, asanaError: error.message)
        }
        let workspace: WorkspaceName
        if try Self.isName(flow.workspace, field: "workspace") {
            let named = listing.filter { $0.name == flow.workspace }
            guard named.count <= 1 else { throw AccessError.workspaceAmbiguousName(flow.workspace, gids: named.map(\.gid)) }
            guard let only = named.first else { throw AccessError.oauthWorkspaceNotGranted(flow.workspace, visible: listing) }
            workspace = only
        } else {
            guard let found = listing.first(where: { $0.gid == flow.workspace }) else { throw AccessError.oauthWorkspaceNotGranted(flow.workspace, visible: listing) }
            workspace = found
        }
        let tokens = OAuthTokenSet(
            accessToken: grant.accessToken, refreshToken: grant.refreshToken,
            expiresAt: exchangedAt.addingTimeInterval(TimeInterval(grant.expiresIn)), issuedAt: exchangedAt, clientId: flow.clientId, scopes: flow.scopes,
            authorizedUser: .init(gid: grant.userGid, name: grant.userName, email: grant.userEmail))
        let summary = try store.putCredential(workspaceGid: workspace.gid, purpose: flow.purpose, kind: .oauth, secret: try tokens.sealedText(),
                                              fingerprintOf: tokens.fingerprintSource, at: exchangedAt)
        return OAuthFinishResult(
            workspace: workspace, purpose: flow.purpose, credential: summary,
            authorizedUser: AuthorizedUserResult(gid: grant.userGid, name: grant.userName, email: grant.userEmail),
            scopes: flow.scopes, accessTokenExpiresAt: tokens.expiresAt, refreshable: grant.refreshToken != nil)
    }

    /// The client secret of `clientId`, or nil when none is stored.
    /// - Throws: `oauth.client_unreadable` when the sealed secret does not open.
    func openClientSecret(_ clientId: String) throws -> String? {
        do {
            return try store.openOAuthClientSecret(clientId: clientId)
        } catch AccessStoreError.oauthClientTampered {
            throw AccessError.oauthClientUnreadable(clientId)
        }
    }

    /// Checks a client id or secret: 1 to 512 bytes, not blank, no control character (SQLite text ends at a NUL).
    /// - Throws: `-32602` naming `field`.
    static func checkOAuthText(_ text: String, field: String) throws(RPCError) {
        guard (1...512).contains(text.utf8.count), !text.trimmingCharacters(in: .whitespaces).isEmpty,
              !text.unicodeScalars.contains(where: \.isControlCharacter) else {
            throw .invalidParams("Invalid params: \"\(field)\" must be 1 to 512 bytes, not blank, without control characters", field: field)
        }
    }

    /// Accepts `https://…`, loopback `http://127.0.0.1…`, `http://[::1]…` or `http://localhost…`, and Asana's
    /// out-of-band `urn:ietf:wg:oauth:2.0:oob` (asana-api.md §4.2: non-native apps must use https).
    /// - Throws: `-32602` naming `redirectUri`.
    static func checkRedirectURI(_ uri: String) throws(RPCError) {
        if uri == "urn:ietf:wg:oauth:2.0:oob" { return }
        func fail(_ why: String) -> RPCError {
            .invalidParams("Invalid params: \"redirectUri\" \(why); it must be exactly the URI registered for the app in Asana: an https URL, a loopback http URL (127.0.0.1, [::1], localhost) or urn:ietf:wg:oauth:2.0:oob", field: "redirectUri")
        }
        guard uri.utf8.count <= 2048 else { throw fail("is longer than 2048 bytes") }
        guard uri.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) else {
            throw fail("holds a space, a control character or a non-ASCII character (percent-encode it)")
        }
        guard Self.hasValidPercentEscapes(uri) else { throw fail("has a % that does not start a %XX escape") }
        guard let url = URLComponents(string: uri), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else {
            throw fail("is not an absolute URL with a host")
        }
        guard url.fragment == nil else { throw fail("has a #fragment") }
        guard url.user == nil, url.password == nil else { throw fail("has a user or password") }
        guard url.port.map({ (1...65535).contains($0) }) ?? true else { throw fail("has a port outside 1 to 65535") }
        guard host.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || "0123456789.-[]:".unicodeScalars.contains($0) }) else {
            throw fail("has a host that is not ASCII letters, digits, dots and hyphens (use its punycode form)")
        }
        guard !(url.queryItems ?? []).contains(where: { ["code", "state", "error"].contains($0.name) }) else {
            throw fail("has a code, state or error query parameter, which Asana adds itself")
        }
        switch scheme {
        case "https": return
        case "http" where ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host): return
        case "http": throw fail("is plain http to a host other than the loopback (Asana requires https)")
        default: throw fail("has the scheme \(scheme)")
        }
    }

    /// Whether every `%` in `text` starts a `%XX` escape with two hex digits.
    static func hasValidPercentEscapes(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, Unicode.Scalar(bytes[index + 1]).properties.isASCIIHexDigit,
                      Unicode.Scalar(bytes[index + 2]).properties.isASCIIHexDigit else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// Checks scope names: `default` alone (full permissions), or granular scopes — `openid`, `email`, `profile`
    /// and `<resource>:<action>` of `a-z _ .`, each 1 to 64 bytes — which must include `workspaces:read`, because
    /// `oauthFinish` checks the workspace with the granted token (asana-api.md §4.3–4.4). 1 to 64 entries as
    /// given; duplicates are then dropped, order kept.
    /// - Throws: `-32602` naming `scopes`.
    static func checkScopes(_ scopes: [String]) throws(RPCError) -> [String] {
        guard (1...64).contains(scopes.count) else {
            throw .invalidParams("Invalid params: \"scopes\" must list 1 to 64 scopes", field: "scopes")
        }
        var seen: Set<String> = []
        let unique = scopes.filter { seen.insert($0).inserted }
        if unique.contains("default") && unique.count > 1 {
            throw .invalidParams("Invalid params: \"scopes\": \"default\" (full permissions) cannot be combined with other scopes; Asana apps use either full permissions or granular scopes", field: "scopes")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz_.")
        for scope in unique where !["default", "openid", "email", "profile"].contains(scope) {
            let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else {
                throw .invalidParams("Invalid params: \"scopes\": \"\(scope.prefix(64))\" is not a scope (expected default, openid, email, profile or <resource>:<action> such as users:read)", field: "scopes")
            }
            guard scope.utf8.count <= 64 else {
                throw .invalidParams("Invalid params: \"scopes\": a scope is at most 64 bytes", field: "scopes")
            }
        }
        if unique != ["default"], !unique.contains("workspaces:read") {
            throw .invalidParams("Invalid params: \"scopes\" must include workspaces:read (or be [\"default\"]): oauthFinish checks the workspace with the granted token", field: "scopes")
        }
        return unique
    }
}

extension AccessService {
    /// Revokes at Asana the refresh token of the OAuth credential of (workspace, purpose) (`/-/oauth_revoke`,
    /// which also kills its access tokens, asana-api.md §4.2), before the credential is deleted.
    /// - Returns: nil when the credential is not a refreshable OAuth one (or missing); otherwise whether Asana
    ///   confirmed. Failures are logged, never thrown: deleting must not depend on Asana being reachable.
    func revokeOAuthGrant(workspace: String, purpose: CredentialPurpose) async -> Bool? {
        guard let opened = try? store.openCredential(workspaceGid: workspace, purpose: purpose), opened.kind == .oauth,
              let tokens = OAuthTokenSet.decode(opened.secret), let refreshToken = tokens.refreshToken else { return nil }
        do {
            guard let clientSecret = try openClientSecret(tokens.clientId) else { return false }
            try await asana.oauthClient().revoke(refreshToken: refreshToken, clientId: tokens.clientId, clientSecret: clientSecret)
            return true
        } catch {
            logger.warning("could not revoke an OAuth grant at Asana; revoke the app there", metadata: [
                "workspace": "\(workspace)", "purpose": "\(purpose.rawValue)", "error": "\(error)"])
            return false
        }
    }
}
