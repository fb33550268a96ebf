import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

extension AccessService {
    /// How long an authorization started by `oauthStart` may be finished: 10 minutes (Asana's codes are short-lived).
    public static let oauthFlowLifetime: TimeInterval = 600

    /// The access-sync scopes asked for by default for a `sync` credential (https://developers.asana.com/docs/oauth-scopes).
    public static let accessSyncScopes = ["openid", "email", "profile", "users:read", "teams:read", "team_memberships:read",
                                          "workspaces:read", "workspaces.typeahead:read"]

    func registerOAuth(in table: inout RPCMethodTable) {
        table.register(PutOAuthClient.self) { context, params in
            try await putOAuthClient(params, principal: context.identity?.principal)
        }
        table.register(ListOAuthClients.self) { _, _ in
            ItemList(items: try await listOAuthClients())
        }
        table.register(DeleteOAuthClient.self) { context, params in
            try await deleteOAuthClient(params, principal: context.identity?.principal)
        }
        table.register(OAuthStart.self) { context, params in
            try await oauthStart(params, principal: context.identity?.principal)
        }
        table.register(OAuthFinish.self) { context, params in
            try await oauthFinish(params, principal: context.identity?.principal)
        }
    }

    /// Starts an authorization: checks the params, remembers state and PKCE verifier (sealed) for
    /// ``oauthFlowLifetime``, and returns the authorize URL.
    /// - Throws: `-32602` naming the field (workspace, clientId, redirectUri, scopes); `oauth.client_unknown`.
    public func oauthStart(_ params: OAuthStart.Params, principal: String?) async throws -> OAuthStart.Result {
        _ = try Self.isName(params.workspace, field: "workspace")
        try Self.checkOAuthText(params.clientId, field: "clientId")
        try Self.checkRedirectURI(params.redirectUri)
        let purpose = params.purpose ?? .sync
        let scopes = try Self.checkScopes(params.scopes ?? (purpose == .sync ? Self.accessSyncScopes : ["default"]))
        guard purpose == .sync || scopes == ["default"] else {
            throw RPCError.invalidParams("Invalid params: \"scopes\" must be [\"default\"] for a provision credential: Asana lists no granular scope for adding and removing people, so only a full-permission grant can provision", field: "scopes")
        }
        guard try await openClientSecret(params.clientId) != nil else { throw AccessError.oauthClientUnknown(params.clientId) }
        let verifier = PKCE.makeVerifier()
        let state = PKCE.randomToken(bytes: 24)
        let started = now()
        let flow = OAuthFlow(state: state, workspace: params.workspace, purpose: purpose, clientId: params.clientId, redirectUri: params.redirectUri,
                             scopes: scopes, codeVerifier: verifier, principal: principal ?? "anonymous",
                             createdAt: started, expiresAt: started.addingTimeInterval(Self.oauthFlowLifetime))
        do {
            try await store.insertOAuthFlow(flow)
        } catch let error as AccessStoreError where !error.isStorageFailure {
            throw RPCError(.limitOauthPending,
                           message: "\(StoreLimits.maxPendingOAuthFlows) OAuth authorizations already wait for oauthFinish; finish them or let them expire (10 minutes after their start)",
                           details: ["maximumPendingAuthorizations": .integer(Int64(StoreLimits.maxPendingOAuthFlows))])
        }
        // Asana treats an omitted `scope` as `default`; sending `default` explicitly is equivalent (https://developers.asana.com/docs/oauth).
        let url = asana.oauthClient().authorizeURL(clientId: params.clientId, redirectUri: params.redirectUri, state: state,
                                                   codeChallenge: PKCE.challenge(for: verifier), scopes: scopes == ["default"] ? [] : scopes)
        let result = OAuthStart.Result(authorizeUrl: url, state: state, expiresAt: flow.expiresAt, workspace: params.workspace, purpose: purpose,
                                      clientId: params.clientId, redirectUri: params.redirectUri, scopes: scopes)
        var audited = params
        audited.scopes = scopes
        audited.purpose = purpose
        try await audit(principal: principal, method: "oauthStart", params: audited, result: ["expiresAt": result.expiresAt], outcome: "ok")
        return result
    }

    /// Finishes an authorization: exchanges the code (with the PKCE verifier) at Asana's token endpoint, checks
    /// that the granted token sees the workspace, and seals access token, refresh token and expiry as the
    /// `oauth` credential of (workspace, purpose), replacing the previous one (a paused schedule resumes).
    /// - Throws: `-32602` for an empty state or code; `oauth.unknown_state`, `oauth.client_unknown`,
    ///   `oauth.exchange_refused`, `oauth.workspace_not_granted`, `workspace.ambiguous_name`, `upstream.*`.
    public func oauthFinish(_ params: OAuthFinish.Params, principal: String?) async throws -> OAuthFinish.Result {
        for (field, value) in [("state", params.state), ("code", params.code)] where value.isEmpty || value.utf8.count > 4096 {
            throw RPCError.invalidParams("Invalid params: \"\(field)\" must be 1 to 4096 bytes", field: field)
        }
        let flow: OAuthFlow
        do {
            guard let taken = try await store.takeOAuthFlow(state: params.state, at: now()) else { throw AccessError.oauthUnknownState() }
            flow = taken
        } catch let error as AccessStoreError where !error.isStorageFailure {
            throw AccessError.oauthUnknownState()
        }
        do {
            let result = try await exchange(flow, code: params.code, force: params.force ?? false)
            try await audit(principal: principal, method: "oauthFinish", params: ["workspace": flow.workspace, "purpose": flow.purpose.rawValue, "clientId": flow.clientId],
                            result: result, outcome: "ok")
            await workspaceNames.clear()
            await schedule.credentialStored(workspace: result.workspace.gid, at: now())
            return result
        } catch let error as RPCError {
            try? await audit(principal: principal, method: "oauthFinish", params: ["workspace": flow.workspace, "purpose": flow.purpose.rawValue, "clientId": flow.clientId],
                             result: ["error": error.name ?? "error"], outcome: error.name ?? "error")
            throw error
        }
    }

    private func exchange(_ flow: OAuthFlow, code: String, force: Bool) async throws -> OAuthFinish.Result {
        guard let clientSecret = try await openClientSecret(flow.clientId) else { throw AccessError.oauthClientUnknown(flow.clientId) }
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
        } catch let error as RPCError where error.kind == .upstreamForbidden {
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
        // The connection test of `credentials put`, with the granted token: nothing is stored when a check fails,
        // except with `force` for a provision grant whose user is not an admin.
        let checks = await CredentialChecker(asana: asana).run(workspace: workspace.gid, purpose: flow.purpose, token: grant.accessToken)
        let failures = checks.failures
        let forced = force && flow.purpose == .provision && failures.allSatisfy { $0.name == "admin" }
        if !failures.isEmpty, !forced { throw AccessError.oauthChecksFailed(checks) }
        let tokens = OAuthTokenSet(
            accessToken: grant.accessToken, refreshToken: grant.refreshToken,
            expiresAt: exchangedAt.addingTimeInterval(TimeInterval(grant.expiresIn)), issuedAt: exchangedAt, clientId: flow.clientId, scopes: flow.scopes,
            authorizedUser: .init(gid: grant.userGid, name: grant.userName, email: grant.userEmail))
        let summary = try await store.putCredential(workspaceGid: workspace.gid, purpose: flow.purpose, kind: .oauth, secret: try tokens.sealedText(),
                                                    fingerprintOf: tokens.fingerprintSource, at: exchangedAt)
        return OAuthFinish.Result(
            workspace: workspace, purpose: flow.purpose, credential: summary,
            authorizedUser: AuthorizedUser(gid: grant.userGid, name: grant.userName, email: grant.userEmail),
            scopes: flow.scopes, accessTokenExpiresAt: tokens.expiresAt, refreshable: grant.refreshToken != nil, checks: checks)
    }

    /// The client secret of `clientId`, or nil when none is stored.
    /// - Throws: `oauth.client_unreadable` when the sealed secret does not open.
    func openClientSecret(_ clientId: String) async throws -> String? {
        do {
            return try await store.openOAuthClientSecret(clientId: clientId)
        } catch AccessStoreError.oauthClientTampered {
            throw AccessError.oauthClientUnreadable(clientId)
        }
    }

    /// Revokes at Asana the refresh token of the OAuth credential of (workspace, purpose) (`/-/oauth_revoke`,
    /// which also kills its access tokens, RFC 7009; https://developers.asana.com/docs/oauth), before the credential is deleted.
    /// - Returns: nil when the credential is not a refreshable OAuth one (or missing); otherwise whether Asana
    ///   confirmed. Failures are logged, never thrown: deleting must not depend on Asana being reachable.
    func revokeOAuthGrant(workspace: String, purpose: CredentialPurpose) async -> Bool? {
        guard let opened = try? await store.openCredential(workspaceGid: workspace, purpose: purpose), opened.kind == .oauth,
              let tokens = OAuthTokenSet.decode(opened.secret), let refreshToken = tokens.refreshToken else { return nil }
        do {
            guard let clientSecret = try await openClientSecret(tokens.clientId) else { return false }
            try await asana.oauthClient().revoke(refreshToken: refreshToken, clientId: tokens.clientId, clientSecret: clientSecret)
            return true
        } catch {
            logger.warning("could not revoke an OAuth grant at Asana; revoke the app there", metadata: [
                "workspace": "\(workspace)", "purpose": "\(purpose.rawValue)", "error": "\(error)"])
            return false
        }
    }
}
