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

/// The admin use cases that both doors (the RPC method table and `asana-accessd`'s offline commands) call:
/// each behaviour is tested here once, through the use case; the doors' tests only check they go through it.
@Suite("Admin use cases: one door for every admin action")
struct AdminUseCaseTests {
    static let principal = "local:tester"

    private func rpcError(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            Issue.record("expected an RPC error, the call succeeded")
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            Issue.record("expected an RPC error, got \(error)")
            return nil
        }
    }

    private func lastEvent(_ store: some AccessStore) async throws -> AuditEvent? {
        try await store.auditEvents(query: AuditQuery(limit: 1)).events.first
    }

    @Test("putCredential checks first: passing checks store, audit putCredential with checks passed and the caller's principal, and name the workspace's gid")
    func putPasses() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 2, storeCredentials: false)
        defer { Task { await harness.stop() } }
        let name = try #require(harness.seed.workspaces.first?.name)
        let stored = try await harness.service.putCredential(
            PutCredential.Params(workspace: name, purpose: .sync, kind: .pat, secret: SimulatorSeed.demoMemberToken), principal: Self.principal)
        #expect(stored.checked == "passed")
        #expect(stored.summary.workspaceGid == harness.workspace)
        #expect(stored.checks?.ok == true)
        #expect(stored.checks?.checks.first?.name == "token")
        #expect(try await harness.store.credentialSummaries() == [stored.summary])
        let event = try #require(try await lastEvent(harness.store))
        #expect(event.method == "putCredential")
        #expect(event.principal == Self.principal)
        #expect(event.params == #"{"checks":"passed","kind":"pat","purpose":"sync","workspace":"\#(harness.workspace)"}"#)
        #expect(event.outcome == "ok")
    }

    @Test("putCredential: a non-admin provision token is refused with credential.checks_failed carrying the checks, nothing stored or audited; force stores it")
    func putRefusesThenForces() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 2, storeCredentials: false)
        defer { Task { await harness.stop() } }
        let params = PutCredential.Params(workspace: harness.workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoMemberToken)
        let error = await rpcError { _ = try await harness.service.putCredential(params, principal: Self.principal) }
        #expect(error?.code == 1007)
        #expect(error?.name == "credential.checks_failed")
        #expect(error?.data?["workspace"] == .string(harness.workspace))
        #expect(error?.data?["purpose"] == .string("provision"))
        guard case .array(let checks)? = error?.data?["checks"] else {
            Issue.record("no checks in \(String(describing: error?.data))")
            return
        }
        #expect(checks.compactMap { $0["name"]?.stringValue } == ["token", "workspace", "admin", "teams"])
        #expect(checks.filter { $0["ok"] == .bool(false) }.compactMap { $0["name"]?.stringValue } == ["admin"])
        #expect(error?.message.contains("force: true stores it anyway") == true)
        #expect(try await harness.store.credentialSummaries().isEmpty)
        #expect(try await lastEvent(harness.store) == nil)

        var forced = params
        forced.force = true
        let stored = try await harness.service.putCredential(forced, principal: Self.principal)
        #expect(stored.checked == "forced")
        #expect(stored.checks?.failures.map(\.name) == ["admin"])
        #expect(try await harness.store.credentialSummaries().map(\.purpose) == [.provision])
        #expect(try await lastEvent(harness.store)?.params == #"{"checks":"forced","kind":"pat","purpose":"provision","workspace":"\#(harness.workspace)"}"#)
    }

    @Test("putCredential: force does not cover a token Asana refuses; check: false stores without asking Asana, and needs a gid")
    func putForceAndNoCheck() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1, storeCredentials: false)
        defer { Task { await harness.stop() } }
        let bad = PutCredential.Params(workspace: harness.workspace, purpose: .provision, kind: .pat, secret: "not-a-token", force: true)
        let refused = await rpcError { _ = try await harness.service.putCredential(bad, principal: Self.principal) }
        #expect(refused?.name == "credential.checks_failed")
        #expect(refused?.message.contains("(token)") == true, "\(refused?.message ?? "")")
        #expect(try await harness.store.credentialSummaries().isEmpty)

        harness.simulator.clearRequestLog()
        var unchecked = bad
        unchecked.check = false
        let stored = try await harness.service.putCredential(unchecked, principal: Self.principal)
        #expect(stored.checked == "skipped")
        #expect(stored.checks == nil)
        #expect(harness.simulator.requestLog().isEmpty, "nothing was asked of Asana")
        #expect(try await harness.store.credentialSummaries().map(\.workspaceGid) == [harness.workspace])

        unchecked.workspace = "Some Name"
        let named = await rpcError { _ = try await harness.service.putCredential(unchecked, principal: Self.principal) }
        #expect(named?.code == -32602)
        #expect(named?.data?["field"] == .string("workspace"))
        unchecked.workspace = harness.workspace
        unchecked.secret = "two\nlines"
        #expect(await rpcError { _ = try await harness.service.putCredential(unchecked, principal: Self.principal) }?.data?["field"] == .string("secret"))
    }

    @Test("the RPC door: putCredential answers the credential summary only (as before), takes force and check, and audits the caller's principal")
    func putThroughTheMethodTable() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1, storeCredentials: false)
        defer { Task { await harness.stop() } }
        let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "cert:ops", role: "admin")),
                                        logger: Logger(label: "test"), sendNotification: { _ in })
        let answer = await harness.service.methodTable().answer(RPCRequest(id: .integer(1), method: "putCredential", params: .object([
            "workspace": .string(harness.workspace), "purpose": .string("sync"), "kind": .string("pat"), "secret": .string("offline-token"),
            "force": .bool(false), "check": .bool(false),
        ])), context: context)
        guard case .result(let value)? = answer?.outcome else {
            Issue.record("putCredential failed: \(String(describing: answer))")
            return
        }
        let result = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder.protocolEncoder().encode(value))
        guard case .object(let members) = result else { Issue.record("not an object: \(result)"); return }
        #expect(Set(members.keys) == ["workspaceGid", "purpose", "kind", "fingerprint", "createdAt", "updatedAt", "state", "stateReason"])
        #expect(members["workspaceGid"] == .string(harness.workspace))
        let event = try #require(try await lastEvent(harness.store))
        #expect((event.method, event.principal) == ("putCredential", "cert:ops"))
    }

    @Test("token and OAuth-app use cases audit under the RPC methods' names with the caller's principal, not_found included")
    func tokensAndOAuthClients() async throws {
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        let service = ServiceRuntime(configuration: .init(asanaBaseURL: "http://127.0.0.1:9"), logger: Logger(label: "test")).makeService(store: store)
        let created = try await service.createToken(CreateToken.Params(name: "ci", role: .reader, expiresIn: "90d"), principal: Self.principal)
        #expect(created.token.hasPrefix("aat_"))
        let expiresIn = try #require(created.summary.expiresAt).timeIntervalSince(created.summary.createdAt)
        #expect(abs(expiresIn - 90 * 86400) < 1)
        #expect(try await service.listTokens().map(\.name) == ["ci"])
        let taken = await rpcError { _ = try await service.createToken(CreateToken.Params(name: "ci", role: .admin), principal: Self.principal) }
        #expect(taken?.code == -32602)
        #expect(taken?.data?["field"] == .string("name"))
        #expect(try await service.revokeToken(RevokeToken.Params(name: "ci"), principal: Self.principal) == Done(done: true))
        #expect(try await service.revokeToken(RevokeToken.Params(name: "ci"), principal: Self.principal) == Done(done: false))

        let app = try await service.putOAuthClient(PutOAuthClient.Params(clientId: "app-1", clientSecret: "s3cret"), principal: Self.principal)
        #expect(app.fingerprint.hasPrefix("sha256:"))
        #expect(try await service.listOAuthClients().map(\.clientId) == ["app-1"])
        #expect(try await service.deleteOAuthClient(DeleteOAuthClient.Params(clientId: "app-1"), principal: Self.principal) == Done(done: true))
        let blank = await rpcError { _ = try await service.putOAuthClient(PutOAuthClient.Params(clientId: "app-2", clientSecret: " "), principal: Self.principal) }
        #expect(blank?.data?["field"] == .string("clientSecret"))

        let events = try await store.auditEvents(query: AuditQuery(limit: 100)).events.reversed()
        #expect(events.map(\.method) == ["createToken", "revokeToken", "revokeToken", "putOAuthClient", "deleteOAuthClient"])
        #expect(events.map(\.outcome) == ["ok", "ok", "not_found", "ok", "ok"])
        #expect(Set(events.map(\.principal)) == [Self.principal])
        #expect(events.first?.params == #"{"expiresIn":"90d","name":"ci","role":"reader"}"#)
        #expect(!events.contains { $0.params.contains("s3cret") || $0.result.contains("s3cret") })
    }

    @Test("audit export writes `at` as the stored, MACed millisecond (as listAuditEvents does), not a millisecond early")
    func exportTimeIsTheHashedOne() async throws {
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        // 1735689600.123 is 1735689600.12299990654… as a Double: formatting its fraction directly gives .122.
        let at = Date(timeIntervalSince1970: 1_735_689_600.123)
        _ = try await store.appendAuditEvent(AuditEventDraft(at: at, principal: Self.principal, method: "createToken", params: "{}", result: "{}", outcome: "ok"))
        let event = try #require(try await store.auditEvents(query: AuditQuery(limit: 1)).events.first)
        let line = try AccessService.auditExportLine(event)
        #expect(line.last == UInt8(ascii: "\n"))
        let exported = try JSONDecoder().decode(JSONValue.self, from: line.dropLast())
        #expect(exported["at"] == .string("2025-01-01T00:00:00.123Z"))
        let listed = try await ServiceRuntime(configuration: .init(), logger: Logger(label: "test")).makeService(store: store)
            .listAuditEvents(ListAuditEvents.Params())
        let listedJSON = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder.protocolEncoder().encode(listed))
        guard case .array(let items)? = listedJSON["items"] else { Issue.record("no items: \(listedJSON)"); return }
        #expect(items == [exported], "the export line is the listAuditEvents item")
        #expect(try await store.verifyAuditChain().isIntact)
    }
}
