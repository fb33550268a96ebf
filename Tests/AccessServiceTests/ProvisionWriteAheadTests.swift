import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import LineRPC
import Logging
import Synchronization
import TestSupport
import Testing

/// Issue 10, item 6: every Asana write of `provision` is preceded by a committed intent and followed by its
/// outcome; intents left open by a dead process are reconciled against Asana.
@Suite("provision: write-ahead intents, outcomes and reconciliation")
struct ProvisionWriteAheadTests {
    /// A database file in a temporary directory, opened as many times as a test needs (one "process" each).
    struct DatabaseFile {
        let directory: String
        let key = MasterKey.generate()
        var path: String { directory + "/access.sqlite" }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("write-ahead-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }

        func open() throws -> SQLiteAccessStore { try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create) }
        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The real HTTP transport, except that one POST whose URL ends with `pathSuffix` "kills the process": the
    /// store is closed (nothing more can be committed) and no answer comes back, either after the simulator applied
    /// the write (`afterSending`) or before the request left (`beforeSending`).
    final class DyingTransport: AsanaTransport {
        enum Moment: Sendable { case afterSending, beforeSending }
        let base = HTTPClientAsanaTransport(timeout: .seconds(5))
        let pathSuffix: String
        let moment: Moment
        let store: SQLiteAccessStore
        private let died = Mutex(false)

        init(pathSuffix: String, moment: Moment, store: SQLiteAccessStore) {
            self.pathSuffix = pathSuffix
            self.moment = moment
            self.store = store
        }

        var hasDied: Bool { died.withLock { $0 } }

        func send(_ request: AsanaHTTPRequest) async throws -> AsanaHTTPResponse {
            let dies = request.method == "POST" && request.url.hasSuffix(pathSuffix) && died.withLock { dead in
                defer { dead = true }
                return !dead
            }
            guard dies else { return try await base.send(request) }
            if moment == .afterSending { _ = try await base.send(request) }
            try store.close()
            throw CancellationError()
        }
    }

    static func service(store: SQLiteAccessStore, simulator: AsanaSimulator, transport: any AsanaTransport = HTTPClientAsanaTransport(timeout: .seconds(5))) -> AccessService {
        let asana = AsanaClientFactory(
            configuration: AsanaClientConfiguration(baseURL: simulator.baseURL, backoffBase: .milliseconds(1), backoffCap: .milliseconds(5)),
            transport: transport, logger: Logger(label: "test.asana"))
        return AccessService(store: store, asana: asana, logger: Logger(label: "test.service"))
    }

    static func events(_ store: SQLiteAccessStore, method: String) async throws -> [AuditEvent] {
        try await store.auditEvents(query: AuditQuery(method: method, limit: 1000)).events.reversed()
    }

    /// The `params` of an audit event, parsed.
    static func params(_ event: AuditEvent) throws -> JSONValue {
        try JSONValue(strictJSON: event.params, maximumDepth: 16)
    }

    @Test("a process that dies after Asana applied a write leaves an open intent; reconciliation on the next start records it applied, and a write that never left as not applied")
    func crashBetweenWriteAndOutcome() async throws {
        let simulator = AsanaSimulator(seed: .generated(users: 40, teams: 2, seed: 7), logger: Logger(label: "test.sim"))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let database = try DatabaseFile()
        defer { database.remove() }
        let workspace = simulator.state().workspaces[0].gid
        let team = simulator.state().teams[0]
        let setup = try database.open()
        try await setup.putCredential(workspaceGid: workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoAdminToken, at: Date())
        try setup.close()

        // First "process": Ann joins the workspace, then the team; it dies right after Asana applied the team write.
        let first = try database.open()
        let dyingAfter = DyingTransport(pathSuffix: "/teams/\(team.gid)/addUser", moment: .afterSending, store: first)
        await #expect(throws: (any Error).self) {
            _ = try await Self.service(store: first, simulator: simulator, transport: dyingAfter).provision(
                Provision.Params(workspace: workspace, email: "ann.crash@acme.example", action: .add, teams: [team.gid]), principal: "cert:ops")
        }
        #expect(dyingAfter.hasDied)

        // Second "process" on the same file: Bob's workspace write dies before it is sent.
        let second = try database.open()
        let dyingBefore = DyingTransport(pathSuffix: "/workspaces/\(workspace)/addUser", moment: .beforeSending, store: second)
        await #expect(throws: (any Error).self) {
            _ = try await Self.service(store: second, simulator: simulator, transport: dyingBefore).provision(
                Provision.Params(workspace: workspace, email: "bob.crash@acme.example", action: .add), principal: "cert:ops")
        }
        #expect(dyingBefore.hasDied)

        // What Asana received: Ann's two writes, nothing of Bob's.
        let received = simulator.writeLog()
        #expect(received.map(\.path) == ["/workspaces/\(workspace)/addUser", "/teams/\(team.gid)/addUser"])
        #expect(received.allSatisfy { $0.status == 200 })

        // Third "process": the start-up reconciliation.
        let third = try database.open()
        defer { try? third.close() }
        let open = try await third.openProvisionIntents()
        #expect(open.map(\.draft.operation) == [.addToTeam, .addToWorkspace])
        #expect(open.map(\.draft.email) == ["ann.crash@acme.example", "bob.crash@acme.example"])
        #expect(open.allSatisfy { $0.draft.principal == "cert:ops" })

        // The dead processes' call leases are still in the file; a starting server that holds the data directory
        // drops them first (ServiceRuntime.makeServiceGroup). Until then the intents count as in progress.
        let early = try await Self.service(store: third, simulator: simulator).reconcileProvisionIntents()
        #expect(early.inProgress == 2 && early.total == 0)
        try await third.releaseAllLeases()
        let tally = try await Self.service(store: third, simulator: simulator).reconcileProvisionIntents(upTo: ProvisionReconciler.pendingUpTo(store: third))
        #expect(tally.applied == 1)
        #expect(tally.notApplied == 1)
        #expect(tally.undetermined == 0)
        #expect(try await third.openProvisionIntents().isEmpty)

        let intents = try await Self.events(third, method: "provision.intent")
        let outcomes = try await Self.events(third, method: "provision.outcome")
        let reconciled = try await Self.events(third, method: "provision.reconciled")
        #expect(intents.count == 3, "Ann's workspace and team writes, Bob's workspace write")
        #expect(outcomes.map(\.outcome) == ["done"], "only Ann's workspace write got its outcome before the crash")
        #expect(reconciled.map(\.outcome) == ["applied", "notApplied"])
        #expect(reconciled.allSatisfy { $0.principal == "cert:ops" })
        #expect(reconciled[0].result.contains("reconciled after restart: applied"))
        #expect(reconciled[1].result.contains("reconciled after restart: not applied"))
        let teamIntent = try Self.params(reconciled[0])
        #expect(teamIntent["operation"] == .string("team.addUser"))
        #expect(teamIntent["team"] == .string(team.gid))
        #expect(teamIntent["email"] == .string("ann.crash@acme.example"))
        #expect(teamIntent["callId"]?.stringValue?.isEmpty == false)
        #expect(try Self.params(reconciled[1])["email"] == .string("bob.crash@acme.example"))

        // Every write Asana received is named by an intent whose recorded end says it happened.
        let happened = outcomes.filter { $0.outcome == "done" } + reconciled.filter { $0.outcome == "applied" }
        let settled = Set(happened.compactMap { try? Self.params($0)["call"]?.stringValue })
        for write in received {
            #expect(settled.contains { $0.hasPrefix("POST \(write.path) ") }, "\(write.path) has no audit record")
        }
        #expect(try await third.verifyAuditChain().isIntact)
    }

    @Test("each write is journaled: intent, then outcome (done; unknown for a lost answer before the verified retry)")
    func intentsAndOutcomes() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2)
        defer { Task { await harness.stop() } }
        let team = harness.seed.teams[0]
        harness.simulator.injectFaults([.status(500, times: 1, pathPrefix: "/teams/\(team.gid)/addUser", method: "POST")])
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "journal.me@acme.example", action: .add, teams: [team.gid]), principal: "tester")
        #expect(result.targets.map(\.outcome) == [.invited, .added])

        let intents = try await Self.events(harness.store, method: "provision.intent")
        let outcomes = try await Self.events(harness.store, method: "provision.outcome")
        #expect(intents.map(\.outcome) == ["pending", "pending", "pending"])
        #expect(try intents.map { try Self.params($0)["operation"]?.stringValue } == ["workspace.addUser", "team.addUser", "team.addUser"])
        #expect(try intents.map { try Self.params($0)["attempt"] } == [.integer(1), .integer(1), .integer(2)])
        #expect(outcomes.map(\.outcome) == ["done", "unknown", "done"])
        #expect(outcomes[1].result.contains("upstream.unavailable"))
        #expect(Set(try intents.map { try Self.params($0)["callId"] }).count == 1, "one call id for the whole call")
        #expect(try await harness.store.openProvisionIntents().isEmpty)
        // Each intent precedes its outcome in the log, and the call's own event still comes last.
        #expect(zip(intents, outcomes).allSatisfy { $0.id < $1.id })
        let final = try #require(try await harness.store.auditEvents(limit: 1).first)
        #expect(final.method == "provision")
        #expect(final.id > outcomes.last?.id ?? 0)
    }

    @Test("a refused write is journaled as refused with Asana's status")
    func refusedWrite() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2)
        defer { Task { await harness.stop() } }
        harness.simulator.injectFaults([.status(429, times: 100, pathPrefix: "/workspaces/\(harness.workspace)/addUser", method: "POST")])
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "refused.me@acme.example", action: .add), principal: "tester")
        #expect(result.targets.map(\.outcome) == [.failed])
        let outcomes = try await Self.events(harness.store, method: "provision.outcome")
        #expect(!outcomes.isEmpty)
        #expect(outcomes.allSatisfy { $0.outcome == "refused" && $0.result.contains("\"status\":429") })
        #expect(try await harness.store.openProvisionIntents().isEmpty)
    }

    @Test("an intent whose outcome cannot be read from Asana is recorded undetermined and stays open until a later reconciliation settles it")
    func undeterminedStaysOpen() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2, storeCredentials: false)
        defer { Task { await harness.stop() } }
        let id = try await harness.store.recordProvisionIntent(ProvisionIntentDraft(
            callId: "call-1", principal: "cert:ops", idempotencyKey: "key-1", workspaceGid: harness.workspace, operation: .addToWorkspace,
            teamGid: nil, email: "never.sent@acme.example", userGid: nil, userRef: "never.sent@acme.example", attempt: 1), at: Date())

        let blind = try await harness.service.reconcileProvisionIntents()
        #expect(blind.undetermined == 1)
        let undetermined = try #require(try await Self.events(harness.store, method: "provision.reconciled").last)
        #expect(undetermined.outcome == "undetermined")
        #expect(undetermined.result.contains("could not be determined"))
        #expect(undetermined.result.contains("credential.missing"))
        #expect(try await harness.store.openProvisionIntents().map(\.id) == [id])
        #expect(try await harness.store.openProvisionIntents().first?.reconcileAttempts == 1)

        try await harness.store.putCredential(workspaceGid: harness.workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoAdminToken, at: Date())
        let settled = try await harness.service.reconcileProvisionIntents()
        #expect(settled.notApplied == 1)
        #expect(try await harness.store.openProvisionIntents().isEmpty)
        #expect(try await harness.store.provisionIntents(callId: "call-1").first?.outcome == .notApplied)
    }

    @Test("reconciliation reads each operation's effect: workspace and team, add and remove, by gid or by email")
    func reconcileEachOperation() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2)
        defer { Task { await harness.stop() } }
        let state = harness.simulator.state()
        let team = try #require(state.teams.first)
        let inTeam = Set(state.teamMemberships.filter { $0.team == team.gid }.map(\.user))
        let active = Set(state.workspaceMemberships.filter(\.isActive).map(\.user))
        let member = try #require(state.users.first { inTeam.contains($0.gid) && active.contains($0.gid) && $0.email != nil })
        let outsider = try #require(state.users.first { !inTeam.contains($0.gid) && active.contains($0.gid) && $0.email != nil })
        let memberEmail = try #require(member.email), outsiderEmail = try #require(outsider.email)
        let unknown = "nobody.here@acme.example"
        let cases: [(ProvisionWriteOperation, String?, String, String?, ProvisionIntentOutcome)] = [
            (.addToWorkspace, nil, memberEmail, nil, .applied),
            (.removeFromWorkspace, nil, memberEmail, member.gid, .notApplied),
            (.removeFromWorkspace, nil, unknown, nil, .applied),
            (.addToWorkspace, nil, unknown, nil, .notApplied),
            (.addToTeam, team.gid, memberEmail, member.gid, .applied),
            (.removeFromTeam, team.gid, memberEmail, nil, .notApplied),
            (.addToTeam, team.gid, outsiderEmail, outsider.gid, .notApplied),
            (.removeFromTeam, team.gid, outsiderEmail, outsider.gid, .applied),
            (.addToTeam, team.gid, unknown, nil, .notApplied),
        ]
        var ids: [Int64] = []
        for (operation, teamGid, email, gid, _) in cases {
            ids.append(try await harness.store.recordProvisionIntent(ProvisionIntentDraft(
                callId: "call-ops", principal: "cert:ops", idempotencyKey: nil, workspaceGid: harness.workspace, operation: operation,
                teamGid: teamGid, email: email, userGid: gid, userRef: gid ?? email, attempt: 1), at: Date()))
        }
        let tally = try await harness.service.reconcileProvisionIntents()
        #expect(tally.applied == 4)
        #expect(tally.notApplied == 5)
        let outcomes = try await harness.store.provisionIntents(callId: "call-ops").map(\.outcome)
        #expect(outcomes == cases.map(\.4))
        #expect(try await Self.events(harness.store, method: "provision.reconciled").map(\.outcome) == cases.map(\.4.rawValue))
        #expect(harness.simulator.writeLog().isEmpty, "reconciliation only reads")
    }
}
