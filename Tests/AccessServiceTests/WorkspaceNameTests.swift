import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import LineRPC
import Logging
import TestSupport
import Testing

/// Calls `method` through the service's method table as an admin and returns the answer as JSON, or the error.
private func call(_ service: AccessService, _ method: String, _ params: [String: JSONValue]) async throws -> Result<JSONValue, RPCError> {
    let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "test:admin", role: "admin")),
                                    logger: Logger(label: "test"), sendNotification: { _ in })
    let response = await service.methodTable().answer(RPCRequest(id: .integer(1), method: method, params: .object(params)), context: context)
    switch response?.outcome {
    case .result(let value)?:
        return .success(try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value)))
    case .error(let error)?:
        return .failure(error)
    case nil:
        throw RPCError.internalError("no answer")
    }
}

/// The error `body` throws, as an `RPCError`.
private func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? RPCError
    }
}

@Suite("Workspace by gid or exact name")
struct WorkspaceNameTests {
    @Test("sync by the name \"Acme Corp\" syncs gid 1000; listUsers and listSyncRuns take the name too")
    func nameResolves() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2)
        defer { Task { await harness.stop() } }
        let result = try await harness.service.sync(workspace: "Acme Corp", principal: "tester")
        #expect(result.workspace.gid == "1000")
        #expect(result.workspace.name == "Acme Corp")
        #expect(result.users > 30)

        let listed = try await call(harness.service, "listUsers", ["workspace": .string("Acme Corp"), "limit": .integer(2)]).get()
        #expect(listed["workspace"]?["gid"] == .string("1000"))
        #expect(listed["workspace"]?["name"] == .string("Acme Corp"))
        let runs = try await call(harness.service, "listSyncRuns", ["workspace": .string("Acme Corp")]).get()
        guard case .array(let items)? = runs["items"] else {
            Issue.record("no items: \(runs)")
            return
        }
        #expect(items.count == 1)
        #expect(items.first?["workspaceGid"] == .string("1000"))

        // A gid is used as is; digits that are not a gid and blank names are invalid params.
        #expect(try await harness.service.resolveWorkspace("1000") == "1000")
        let tooLong = await rpcError { _ = try await harness.service.resolveWorkspace(String(repeating: "1", count: 33)) }
        #expect(tooLong?.code == -32602)
        let blank = await rpcError { _ = try await harness.service.resolveWorkspace("   ") }
        #expect(blank?.code == -32602)
        #expect(blank?.data?["field"] == .string("workspace"))
    }

    @Test("an unknown name is 1002 workspace.unknown_name listing what the credentials see")
    func unknownName() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        let error = await rpcError { _ = try await harness.service.sync(workspace: "Acme Corporation", principal: nil) }
        #expect(error?.code == 1002)
        #expect(error?.name == "workspace.unknown_name")
        #expect(error?.data?["workspace"] == .string("Acme Corporation"))
        #expect(error?.data?["workspaces"] == .array([.object(["gid": .string("1000"), "name": .string("Acme Corp")])]))
        #expect(error?.message.contains("\"Acme Corp\" (1000)") == true)

        // Names are exact: case matters. Over RPC the same error comes back for provision.
        let answer = try await call(harness.service, "provision", ["workspace": .string("acme corp"), "email": .string("x@acme.example"), "action": .string("add")])
        guard case .failure(let rpc) = answer else {
            Issue.record("provision by a wrong-case name succeeded")
            return
        }
        #expect(rpc.name == "workspace.unknown_name")
        #expect(harness.simulator.state().users.contains { $0.email == "x@acme.example" } == false)
    }

    @Test("without any stored credential a name cannot be resolved: 1002 with an empty list")
    func noCredential() async throws {
        let harness = try await ServiceHarness.start(users: 10, teams: 1, storeCredentials: false)
        defer { Task { await harness.stop() } }
        let error = await rpcError { _ = try await harness.service.sync(workspace: "Acme Corp", principal: nil) }
        #expect(error?.name == "workspace.unknown_name")
        #expect(error?.data?["workspaces"] == .array([]))
    }

    @Test("a name shared by two workspaces is 1005 workspace.ambiguous_name with both gids")
    func ambiguousName() async throws {
        let seed = SimulatorSeed(
            workspaces: [
                .init(gid: "2000", name: "Twin Co", isOrganization: false, emailDomains: []),
                .init(gid: "3000", name: "Twin Co", isOrganization: true, emailDomains: ["twin.example"]),
                .init(gid: "4000", name: "Solo Ltd", isOrganization: false, emailDomains: []),
            ],
            users: [.init(gid: "2001", name: "Tess Twin", email: "tess@twin.example")],
            workspaceMemberships: [
                .init(gid: "5001", user: "2001", workspace: "2000", isAdmin: true),
                .init(gid: "5002", user: "2001", workspace: "3000", isAdmin: true),
                .init(gid: "5003", user: "2001", workspace: "4000"),
            ],
            tokens: [.init(token: "twin-token", user: "2001")])
        let simulator = AsanaSimulator(seed: seed, configuration: SimulatorConfiguration(), logger: Logger(label: "test.sim"))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        let asana = AsanaClientFactory(configuration: AsanaClientConfiguration(baseURL: simulator.baseURL, backoffBase: .milliseconds(1), backoffCap: .milliseconds(5)),
                                       transport: HTTPClientAsanaTransport(timeout: .seconds(5)), logger: Logger(label: "test.asana"))
        let service = AccessService(store: store, asana: asana, logger: Logger(label: "test.service"))
        try await store.putCredential(workspaceGid: "2000", purpose: .sync, kind: .pat, secret: "twin-token", at: Date())

        let error = await rpcError { _ = try await service.sync(workspace: "Twin Co", principal: nil) }
        #expect(error?.code == 1005)
        #expect(error?.name == "workspace.ambiguous_name")
        #expect(error?.data?["gids"] == .array([.string("2000"), .string("3000")]))
        #expect(error?.message.contains("2000, 3000") == true)
        #expect(try await store.syncRuns(workspaceGid: nil, limit: 10).isEmpty, "nothing ran")

        // The other name resolves with the credential of another workspace; putCredential resolves with its own secret.
        #expect(try await service.resolveWorkspace("Solo Ltd") == "4000")
        let put = try await call(service, "putCredential", ["workspace": .string("Solo Ltd"), "purpose": .string("sync"), "kind": .string("pat"), "secret": .string("twin-token")]).get()
        #expect(put["workspaceGid"] == .string("4000"))
        let ambiguousPut = try await call(service, "putCredential", ["workspace": .string("Twin Co"), "purpose": .string("sync"), "kind": .string("pat"), "secret": .string("twin-token")])
        guard case .failure(let putError) = ambiguousPut else {
            Issue.record("putCredential with an ambiguous name succeeded")
            return
        }
        #expect(putError.name == "workspace.ambiguous_name")
        #expect(try await store.credentialSummaries().map(\.workspaceGid) == ["2000", "4000"])
    }
}

@Suite("testCredential: the connection test on save")
struct TestCredentialTests {
    @Test("provision with a non-admin token fails the admin check with a fix; nothing is written to Asana")
    func memberTokenForProvision() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 2)
        defer { Task { await harness.stop() } }
        try await harness.store.putCredential(workspaceGid: harness.workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoMemberToken, at: Date())
        let before = harness.simulator.state()

        let result = try await harness.service.testCredential(CredentialKey(workspace: "Acme Corp", purpose: .provision))
        #expect(result.ok == false)
        #expect(result.workspace == WorkspaceName(gid: "1000", name: "Acme Corp"))
        #expect(result.checks.map(\.name) == ["token", "workspace", "admin", "teams"])
        #expect(result.checks[0].ok)
        #expect(result.checks[0].detail.contains("Max Member <max.member@acme.example> (gid 1002)"))
        let admin = try #require(result.checks.first { $0.name == "admin" })
        #expect(admin.ok == false)
        #expect(admin.detail.contains("not an admin"))
        #expect(admin.fix?.contains("Admin or Super Admin") == true)
        #expect(admin.fix?.contains("--force") == true)
        #expect(result.failures.map(\.name) == ["admin"])
        #expect(harness.simulator.state() == before, "no check writes to Asana")
    }

    @Test("with the admin token every provision check passes; the member token passes every sync check")
    func adminTokenPasses() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 2)
        defer { Task { await harness.stop() } }
        let provision = try await harness.service.testCredential(CredentialKey(workspace: "1000", purpose: .provision))
        #expect(provision.ok)
        #expect(provision.checks.allSatisfy { $0.ok && $0.fix == nil })
        #expect(provision.checks.map(\.name) == ["token", "workspace", "admin", "teams"])
        #expect(provision.capabilities.membershipFlags == true && provision.capabilities.teams == true)

        let sync = try await harness.service.testCredential(CredentialKey(workspace: "Acme Corp", purpose: .sync))
        #expect(sync.ok)
        #expect(sync.checks.map(\.name) == ["token", "workspace", "users", "workspaceMemberships", "teams", "teamMemberships"])
        #expect(sync.capabilities.membershipFlags == true && sync.capabilities.teams == true)

        // Over RPC: the documented shape, `fix` present as null.
        let answer = try await call(harness.service, "testCredential", ["workspace": .string("Acme Corp"), "purpose": .string("provision")]).get()
        #expect(answer["ok"] == .bool(true))
        #expect(answer["purpose"] == .string("provision"))
        #expect(answer["workspace"] == .object(["gid": .string("1000"), "name": .string("Acme Corp")]))
        #expect(answer["capabilities"] == .object(["membershipFlags": .bool(true), "teams": .bool(true)]))
        if case .array(let checks)? = answer["checks"], let first = checks.first {
            #expect(first["fix"] == .null)
            #expect(first["name"] == .string("token"))
        } else {
            Issue.record("no checks: \(answer)")
        }
    }

    @Test("a granular-scope sync token that may not read workspace memberships reports a capability gap, not a failure")
    func capabilityGap() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 2)
        defer { Task { await harness.stop() } }
        let asana = AsanaClientFactory(configuration: AsanaClientConfiguration(baseURL: harness.simulator.baseURL, backoffBase: .milliseconds(1), backoffCap: .milliseconds(5)),
                                       transport: GranularScopeTransport(), logger: Logger(label: "test.asana"))
        let result = await CredentialChecker(asana: asana).run(workspace: "1000", purpose: .sync, token: SimulatorSeed.demoMemberToken)
        #expect(result.ok)
        let memberships = try #require(result.checks.first { $0.name == "workspaceMemberships" })
        #expect(memberships.ok)
        #expect(memberships.detail.hasPrefix("capability gap:"))
        #expect(memberships.detail.contains("unknown (null)"))
        #expect(memberships.fix != nil)
        #expect(result.capabilities.membershipFlags == false)
        #expect(result.capabilities.teams == true)
    }

    @Test("a revoked token fails the token check and stops; a missing credential is 1003")
    func badToken() async throws {
        let harness = try await ServiceHarness.start(users: 10, teams: 1)
        defer { Task { await harness.stop() } }
        try await harness.store.putCredential(workspaceGid: harness.workspace, purpose: .sync, kind: .pat, secret: "not-a-token", at: Date())
        let result = try await harness.service.testCredential(CredentialKey(workspace: "1000", purpose: .sync))
        #expect(result.ok == false)
        #expect(result.checks.map(\.name) == ["token"])
        #expect(result.checks[0].detail.contains("401"))
        #expect(result.checks[0].fix != nil)
        #expect(result.capabilities.membershipFlags == false && result.capabilities.teams == false)

        try await harness.store.deleteCredential(workspaceGid: harness.workspace, purpose: .sync)
        let missing = await rpcError { _ = try await harness.service.testCredential(CredentialKey(workspace: "1000", purpose: .sync)) }
        #expect(missing?.name == "credential.missing")
    }
}

extension CredentialKey {
    init(workspace: String, purpose: CredentialPurpose) {
        let data = try! JSONEncoder().encode(JSONValue.object(["workspace": .string(workspace), "purpose": .string(purpose.rawValue)]))
        self = try! JSONDecoder().decode(CredentialKey.self, from: data)
    }
}

/// The real HTTP transport, except that workspace-membership listings are refused with 403, as Asana
/// does for an OAuth token with granular scopes that lack the membership read.
private struct GranularScopeTransport: AsanaTransport {
    let inner = HTTPClientAsanaTransport(timeout: .seconds(5))

    func send(_ request: AsanaHTTPRequest) async throws -> AsanaHTTPResponse {
        if request.url.contains("/workspace_memberships") {
            return AsanaHTTPResponse(status: 403, headers: [("Content-Type", "application/json")],
                                     body: Array(#"{"errors":[{"message":"The token does not have the scope workspace_memberships:read"}]}"#.utf8))
        }
        return try await inner.send(request)
    }
}
