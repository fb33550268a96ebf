import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import Logging
import LineRPC
import TestSupport
import Testing

/// OAuth with the simulator's authorization server: start, consent, finish, refresh, invalid_grant.
@Suite("OAuth")
struct OAuthTests {
    static func harness(users: Int = 40, teams: Int = 2, clock: ShiftedClock = ShiftedClock(),
                        adjustSimulator: (inout SimulatorConfiguration) -> Void = { _ in }) async throws -> ServiceHarness {
        let harness = try await ServiceHarness.start(users: users, teams: teams, storeCredentials: false, adjustSimulator: adjustSimulator,
                                                     serviceNow: clock.now)
        try await harness.store.putOAuthClient(clientId: "demo-client", secret: "demo-client-secret", at: Date())
        try await harness.store.putOAuthClient(clientId: "demo-granular-client", secret: "demo-granular-secret", at: Date())
        return harness
    }

    /// Every stored text an outsider could read: audit events, credential summaries.
    static func readableTexts(_ harness: ServiceHarness) async throws -> String {
        let events = try await harness.service.listAuditEvents(ListAuditEvents.Params.all).items
        let summaries = try await harness.store.credentialSummaries()
        return events.map { "\($0.params) \($0.result)" }.joined(separator: "\n") + "\(summaries)"
    }

    @Test("start → consent → finish stores a sealed oauth credential that syncs; no token in any answer or audit event")
    func fullFlow() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let start = try await harness.service.oauthStart(
            .make(workspace: "Acme Corp", clientId: "demo-granular-client", redirectUri: "http://127.0.0.1/oauth/callback"), principal: "test:admin")
        let url = try #require(URLComponents(string: start.authorizeUrl))
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(url.path == "/-/oauth_authorize")
        #expect(query["client_id"] == "demo-granular-client")
        #expect(query["redirect_uri"] == "http://127.0.0.1/oauth/callback")
        #expect(query["response_type"] == "code")
        #expect(query["state"] == start.state)
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["code_challenge"]?.count == 43)
        #expect(query["scope"] == AccessService.accessSyncScopes.joined(separator: " "))
        #expect(start.scopes == AccessService.accessSyncScopes)
        #expect(start.state.count == 32)

        let redirect = try await OAuthBrowser.consent(start.authorizeUrl, simulatorRoot: harness.simulatorRoot, sessionToken: "demo-admin-token")
        let code = try #require(redirect.code)
        let finished = try await harness.service.oauthFinish(.make(state: start.state, code: code), principal: "test:admin")
        #expect(finished.workspace == WorkspaceName(gid: harness.workspace, name: "Acme Corp"))
        #expect(finished.purpose == .sync)
        #expect(finished.credential.kind == .oauth)
        #expect(finished.credential.state == .active)
        #expect(finished.refreshable)
        #expect(finished.authorizedUser.gid == "1001")
        #expect(finished.accessTokenExpiresAt.timeIntervalSinceNow > 3000)

        // The access-sync scopes of a granular-scope app read everything but workspace memberships (no granular scope exists for them).
        let result = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        #expect(result.users == harness.seed.workspaceMemberships.filter { $0.workspace == harness.workspace && $0.isActive }.count)
        #expect(result.capabilities.membershipFlags == false)
        #expect(try await harness.allUsers().allSatisfy { $0.isAdmin == nil && $0.isActive == nil })

        // The same state cannot be finished twice.
        await #expect(throws: RPCError.self) { try await harness.service.oauthFinish(.make(state: start.state, code: code), principal: "test:admin") }
        do {
            _ = try await harness.service.oauthFinish(.make(state: start.state, code: code), principal: "test:admin")
        } catch let error as RPCError {
            #expect(error.name == "oauth.unknown_state")
        }
        // Nothing readable holds a token, the code, the verifier or the client secret.
        let sealed = try #require(try await harness.store.openCredential(workspaceGid: harness.workspace, purpose: .sync)).secret
        let tokens = try #require(try JSONSerialization.jsonObject(with: Data(sealed.utf8)) as? [String: Any])
        let access = try #require(tokens["accessToken"] as? String)
        let refresh = try #require(tokens["refreshToken"] as? String)
        let readable = try await Self.readableTexts(harness)
        for secret in [access, refresh, code, "demo-granular-secret"] { #expect(!readable.contains(secret)) }
        // getWorkspaceStatus says who granted it, to which app, with which scopes: never a token.
        let status = try await harness.service.workspaceStatus(workspace: harness.workspace)
        let grant = try #require(status.credentials.first?.oauth)
        #expect(grant.clientId == "demo-granular-client")
        #expect(grant.scopes == AccessService.accessSyncScopes)
        #expect(grant.authorizedUser.gid == "1001")
        #expect(grant.refreshable)
        let statusText = String(decoding: try JSONEncoder.protocolEncoder().encode(status), as: UTF8.self)
        #expect(!statusText.contains(access) && !statusText.contains(refresh))
        let methods = try await harness.service.listAuditEvents(ListAuditEvents.Params.all).items.map(\.method)
        #expect(methods.contains("oauthStart"))
        #expect(methods.contains("oauthFinish"))
    }

    @Test("a full-permission grant (default scope) reads membership flags")
    func fullPermission() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let finished = try await harness.authorizeOAuth(scopes: ["default"])
        #expect(finished.scopes == ["default"])
        let result = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        #expect(result.capabilities.membershipFlags)
        #expect(try await harness.allUsers().contains { $0.isAdmin == true })
    }

    @Test("a provision grant by a non-admin fails the connection test: oauth.checks_failed, nothing stored; force stores it")
    func provisionGrantByNonAdmin() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        do {
            _ = try await harness.authorizeOAuth(purpose: "provision", scopes: ["default"], sessionToken: "demo-member-token")
            Issue.record("a non-admin provision grant was stored")
        } catch let error as RPCError {
            #expect(error.name == "oauth.checks_failed")
            #expect(error.code == 1066)
            #expect(error.message.contains("force: true stores it anyway"))
            guard case .array(let checks)? = error.data?["checks"] else { Issue.record("no checks: \(error)"); return }
            #expect(checks.contains { $0["name"] == .string("admin") && $0["ok"] == .bool(false) })
        }
        #expect(try await harness.store.credentialSummaries().isEmpty)
        let forced = try await harness.authorizeOAuth(purpose: "provision", scopes: ["default"], sessionToken: "demo-member-token", force: true)
        #expect(forced.checks.ok == false)
        #expect(forced.checks.failures.map(\.name) == ["admin"])
        #expect(try await harness.store.credentialSummaries().map(\.purpose) == [.provision])
        // A good grant passes every check, and says so.
        let admin = try await harness.authorizeOAuth(purpose: "provision", scopes: ["default"])
        #expect(admin.checks.ok)
    }

    @Test("bad oauthStart params are refused with the field named, and nothing is stored")
    func badStart() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let cases: [(OAuthStart.Params, String)] = [
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "http://evil.example/cb"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "not a url"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb#frag"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: []), "scopes"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: ["default", "users:read"]), "scopes"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: ["users read"]), "scopes"),
            (.make(workspace: "", clientId: "demo-client", redirectUri: "https://ok.example/cb"), "workspace"),
            (.make(workspace: "Acme Corp\u{0}", clientId: "demo-client", redirectUri: "https://ok.example/cb"), "workspace"),
            (.make(workspace: harness.workspace, clientId: "demo-client\u{0}", redirectUri: "https://ok.example/cb"), "clientId"),
            (.make(workspace: harness.workspace, clientId: " ", redirectUri: "https://ok.example/cb"), "clientId"),
            (.make(workspace: harness.workspace, clientId: String(repeating: "c", count: 513), redirectUri: "https://ok.example/cb"), "clientId"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://user:pw@ok.example/cb"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example:99999/cb"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb?state=evil"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/c%zzb"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "http://ops.example/cb"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: ["users:read", "workspaces:read"], purpose: "provision"), "scopes"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ökay.example/cb"), "redirectUri"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: ["users:read", "teams:read"]), "scopes"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: ["workspaces:read", String(repeating: "a", count: 60) + ":read"]), "scopes"),
            (.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: Array(repeating: "workspaces:read", count: 65)), "scopes"),
        ]
        for (params, field) in cases {
            do {
                _ = try await harness.service.oauthStart(params, principal: "test")
                Issue.record("accepted \(params)")
            } catch let error as RPCError {
                #expect(error.code == -32602)
                #expect(error.data?["field"] == .string(field))
                if params.redirectUri == "http://ops.example/cb" { #expect(error.message.contains("is plain http to a host other than the loopback")) }
            }
        }
        do {
            _ = try await harness.service.oauthStart(.make(workspace: harness.workspace, clientId: "unknown-app", redirectUri: "https://ok.example/cb"), principal: "test")
            Issue.record("accepted an unknown client")
        } catch let error as RPCError {
            #expect(error.name == "oauth.client_unknown")
        }
        #expect(try await harness.store.credentialSummaries().isEmpty)
    }

    @Test("an OAuth app secret that no longer opens is oauth.client_unreadable, not an internal error; deleteOAuthClient removes the app")
    func unreadableClientSecret() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        // Another process rotated the master key: this server's key no longer opens the secrets.
        _ = try await harness.store.resealCredentials(with: MasterKey.generate(), at: Date())
        do {
            _ = try await harness.service.oauthStart(.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "https://ok.example/cb", scopes: ["default"]), principal: "t")
            Issue.record("started with an unreadable client secret")
        } catch let error as RPCError {
            #expect(error.name == "oauth.client_unreadable")
            #expect(error.code == 1064)
        }
        let table = harness.service.methodTable()
        let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "t", role: "admin")),
                                        logger: Logger(label: "test"), sendNotification: { _ in })
        let answer = await table.answer(RPCRequest(id: .integer(1), method: "deleteOAuthClient", params: .object(["clientId": .string("demo-client")])), context: context)
        guard case .result? = answer?.outcome else { Issue.record("deleteOAuthClient failed: \(String(describing: answer))"); return }
        #expect(try await harness.store.oauthClientSummaries().map(\.clientId) == ["demo-granular-client"])
    }

    @Test("a refused code (consent for another redirect, or a made-up code) is oauth.exchange_refused and uses the state up")
    func refusedCode() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let start = try await harness.service.oauthStart(.make(workspace: harness.workspace, clientId: "demo-client", redirectUri: "http://127.0.0.1/oauth/callback"), principal: "t")
        do {
            _ = try await harness.service.oauthFinish(.make(state: start.state, code: "made-up-code"), principal: "t")
            Issue.record("a made-up code was accepted")
        } catch let error as RPCError {
            #expect(error.name == "oauth.exchange_refused")
            #expect(error.data?["asanaError"] == .string("invalid_grant"))
        }
        do {
            _ = try await harness.service.oauthFinish(.make(state: start.state, code: "made-up-code"), principal: "t")
        } catch let error as RPCError {
            #expect(error.name == "oauth.unknown_state")
        }
        #expect(try await harness.store.credentialSummaries().isEmpty)
    }

    @Test("an expired access token is refreshed once, the stored refresh token kept when Asana sends none")
    func refreshKeepsRefreshToken() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let finished = try await harness.authorizeOAuth(scopes: ["default"])
        let before = try #require(try await harness.store.openCredential(workspaceGid: harness.workspace, purpose: .sync)).secret
        harness.simulator.expireAccessTokens()
        harness.simulator.clearRequestLog()
        // Concurrent calls share one refresh.
        async let first = harness.service.testCredential(CredentialKey(workspace: harness.workspace, purpose: .sync))
        async let second = harness.service.sync(workspace: harness.workspace, principal: "test")
        let (check, synced) = try await (first, second)
        #expect(check.ok)
        #expect(synced.status == .succeeded)
        let refreshes = harness.simulator.requestLog().filter { $0.hasPrefix("POST /-/oauth_token grant_type=refresh_token") }
        #expect(refreshes.count == 1)
        let after = try #require(try await harness.store.openCredential(workspaceGid: harness.workspace, purpose: .sync)).secret
        #expect(after != before)
        #expect(try await harness.store.credentialSummaries().first?.fingerprint == finished.credential.fingerprint)
        // The kept refresh token still works.
        harness.simulator.expireAccessTokens()
        #expect(try await harness.service.sync(workspace: harness.workspace, principal: "test").status == .succeeded)
    }

    @Test("an access token past half its life and within 5 minutes of expiry is refreshed before it is sent (no 401 first); a rotated refresh token replaces the stored one")
    func refreshBeforeExpiry() async throws {
        let clock = ShiftedClock()
        let harness = try await Self.harness(clock: clock) { simulator in
            simulator.accessTokenLifetime = .seconds(240)
            simulator.rotateRefreshTokens = true
        }
        defer { Task { await harness.stop() } }
        let finished = try await harness.authorizeOAuth(scopes: ["default"])
        #expect(finished.accessTokenExpiresAt.timeIntervalSinceNow < 241)
        // Fresh: used as it is.
        harness.simulator.clearRequestLog()
        _ = try await harness.service.testCredential(CredentialKey(workspace: harness.workspace, purpose: .sync))
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("POST /-/oauth_token") })
        // 130 s later (for this server; Asana's clock does not move): past half of its 240 s.
        clock.advance(by: 130)
        harness.simulator.clearRequestLog()
        #expect(try await harness.service.sync(workspace: harness.workspace, principal: "test").status == .succeeded)
        let log = harness.simulator.requestLog()
        #expect(log.first?.hasPrefix("POST /-/oauth_token grant_type=refresh_token") == true, "refreshed first: \(log.prefix(3))")
        #expect(log.filter { $0.hasPrefix("POST /-/oauth_token") }.count == 1)
        // The simulator rotated the refresh token: the new one is stored, so the fingerprint moved, and it works again.
        let rotated = try #require(try await harness.store.credentialSummaries().first)
        #expect(rotated.fingerprint != finished.credential.fingerprint)
        #expect(rotated.state == .active)
        #expect(try await harness.service.sync(workspace: harness.workspace, principal: "test").status == .succeeded)
    }

    @Test("a wrong stored client secret at refresh is oauth.refresh_refused naming the fix; the credential stays active")
    func refreshWithWrongClientSecret() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        _ = try await harness.authorizeOAuth(scopes: ["default"])
        try await harness.store.putOAuthClient(clientId: "demo-client", secret: "not-the-secret", at: Date())
        harness.simulator.expireAccessTokens()
        do {
            _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
            Issue.record("synced with a wrong client secret")
        } catch let error as RPCError {
            #expect(error.name == "oauth.refresh_refused")
            #expect(error.code == 1065)
            #expect(error.data?["asanaError"] == .string("invalid_client"))
            #expect(error.message.contains("asana-access oauth client-put --client-id demo-client"))
        }
        #expect(try await harness.store.credentialSummaries().first?.state == .active)
        // The right secret again: the same credential refreshes.
        try await harness.store.putOAuthClient(clientId: "demo-client", secret: "demo-client-secret", at: Date())
        #expect(try await harness.service.sync(workspace: harness.workspace, principal: "test").status == .succeeded)
    }

    @Test("deleting an OAuth credential revokes its grant at Asana first")
    func deleteRevokes() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        _ = try await harness.authorizeOAuth(scopes: ["default"])
        let sealed = try #require(try await harness.store.openCredential(workspaceGid: harness.workspace, purpose: .sync)).secret
        let tokens = try #require(try JSONSerialization.jsonObject(with: Data(sealed.utf8)) as? [String: Any])
        let access = try #require(tokens["accessToken"] as? String)
        let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "t", role: "admin")),
                                        logger: Logger(label: "test"), sendNotification: { _ in })
        harness.simulator.clearRequestLog()
        let answer = await harness.service.methodTable().answer(
            RPCRequest(id: .integer(1), method: "deleteCredential", params: .object(["workspace": .string(harness.workspace), "purpose": .string("sync")])), context: context)
        guard case .result(let value)? = answer?.outcome else { Issue.record("deleteCredential failed: \(String(describing: answer))"); return }
        let result = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(result == .object(["done": .bool(true), "revokedAtAsana": .bool(true)]))
        #expect(harness.simulator.requestLog().contains { $0.hasPrefix("POST /-/oauth_revoke") })
        #expect(try await harness.store.credentialSummaries().isEmpty)
        // The revoked access token no longer works at Asana.
        let client = harness.service.asana.client(token: access)
        await #expect(throws: AsanaAPIError.self) { try await client.me() }
    }

    @Test("invalid_grant marks the credential reauthorizationRequired; sync then fails fast without calling Asana; a new authorization fixes it")
    func invalidGrant() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        _ = try await harness.authorizeOAuth(scopes: ["default"])
        harness.simulator.revokeOAuthGrants(userGid: "1001")
        do {
            _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
            Issue.record("sync succeeded with a revoked grant")
        } catch let error as RPCError {
            #expect(error.name == "credential.reauthorization_required")
            #expect(error.code == 1006)
        }
        let summary = try #require(try await harness.store.credentialSummaries().first)
        #expect(summary.state == .reauthorizationRequired)
        #expect(summary.stateReason?.contains("invalid_grant") == true)
        let refreshesBefore = harness.simulator.requestLog().filter { $0.hasPrefix("POST /-/oauth_token grant_type=refresh_token") }.count
        #expect(refreshesBefore == 1)

        harness.simulator.clearRequestLog()
        for _ in 0..<3 {
            await #expect(throws: RPCError.self) { try await harness.service.sync(workspace: harness.workspace, principal: "test") }
        }
        #expect(harness.simulator.requestLog().isEmpty)
        let status = try await harness.service.workspaceStatus(workspace: harness.workspace)
        #expect(status.credentials.first?.state == .reauthorizationRequired)

        _ = try await harness.authorizeOAuth(scopes: ["default"])
        #expect(try await harness.store.credentialSummaries().first?.state == .active)
        #expect(try await harness.service.sync(workspace: harness.workspace, principal: "test").status == .succeeded)
    }

    @Test("a granular-scope token yields unknown flags and capabilities that say so; listUsers filters on unknown")
    func granularScopes() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let finished = try await harness.authorizeOAuth(clientId: "demo-granular-client")
        #expect(finished.scopes == AccessService.accessSyncScopes)
        let result = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        #expect(result.capabilities.membershipFlags == false)
        #expect(result.capabilities.teams)
        let users = try await harness.allUsers()
        #expect(users.count == result.users)
        #expect(users.allSatisfy { $0.isActive == nil && $0.isAdmin == nil && $0.isGuest == nil && $0.isViewOnly == nil })
        // listUsers can ask for exactly those: flags unknown, or known (none here).
        let unknown = try await harness.service.listUsers(ListUsers.Params.make(workspace: harness.workspace, flagsUnknown: true))
        #expect(unknown.users.count == min(users.count, 1000))
        #expect(try await harness.service.listUsers(ListUsers.Params.make(workspace: harness.workspace, flagsUnknown: false)).users.isEmpty)
        // Without a flags filter on unknown, `admin: false` matches nobody: unknown is never guessed as "not an admin".
        #expect(try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, admin: false, limit: 1000)).users.isEmpty)
        let check = try await harness.service.testCredential(CredentialKey(workspace: harness.workspace, purpose: .sync))
        #expect(check.ok)
        #expect(check.capabilities.membershipFlags == false)
    }
}

extension ListAuditEvents.Params {
    static var all: ListAuditEvents.Params {
        try! JSONDecoder().decode(ListAuditEvents.Params.self, from: Data(#"{"limit":1000}"#.utf8))
    }
}

extension ListUsers.Params {
    static func make(workspace: String, flagsUnknown: Bool) -> ListUsers.Params {
        try! JSONDecoder().decode(ListUsers.Params.self, from: JSONEncoder().encode(JSONValue.object([
            "workspace": .string(workspace), "flagsUnknown": .bool(flagsUnknown), "limit": .integer(1000),
        ])))
    }
}
