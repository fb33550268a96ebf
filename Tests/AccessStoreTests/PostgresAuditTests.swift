import AccessProtocol
import Foundation
import PostgresNIO
import Synchronization
import Testing
import TestSupport
@testable import AccessStore

/// What is particular to the PostgreSQL store's audit log and journals: several servers (here, several
/// ``PostgresAccessStore`` values, each with its own connection pool) on one database.
@Suite("PostgreSQL store: audit and journals shared by several servers", .closesStores,
       .enabled(if: postgresConfigured, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct PostgresAuditTests {
    private func event(_ index: Int, principal: String = "cn=host") -> AuditEventDraft {
        AuditEventDraft(at: T.at(minutes: index), principal: principal, method: "provision",
                        params: "{\"n\":\(index)}", result: "{\"ok\":true}", outcome: "ok")
    }

    /// Two stores (two servers) on one fresh database, under one master key.
    private func twoServers() async throws -> (PostgresAccessStore, PostgresAccessStore) {
        let opened = try #require(OpenedStores.current)
        let key = MasterKey.generate()
        let location = try await TestPostgres.freshDatabase()
        let first = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        opened.add(first)
        let second = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        opened.add(second)
        return (first, second)
    }

    private func admin<T: Sendable>(_ store: PostgresAccessStore, _ sql: String,
                                    _ read: @Sendable (PostgresRow) throws -> T) async throws -> [T] {
        try await TestPostgres.withAdminConnection(store.location) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect().map(read)
        }
    }

    @Test("2 servers × 50 concurrent appends make one chain with gapless ids 1...100 that verifies from both")
    func concurrentAppendsFromTwoServers() async throws {
        let (first, second) = try await twoServers()
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<100 {
                let store = index.isMultiple(of: 2) ? first : second
                let principal = index.isMultiple(of: 2) ? "cn=server-a" : "cn=server-b"
                group.addTask { try await store.appendAuditEvent(event(index, principal: principal)) }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(ids.sorted() == Array(1...100))
        for store in [first, second] {
            let report = try await store.verifyAuditChain()
            #expect(report.isIntact, "\(String(describing: report.problem))")
            #expect(report.checkedCount == 100)
            #expect(report.lastId == 100)
        }
        let events = try await allAuditEvents(first)
        #expect(events.map(\.id) == Array(1...100))
        for (previous, event) in zip(events, events.dropFirst()) { #expect(event.prevHash == previous.hash) }
        #expect(try await first.auditEvents(query: AuditQuery(principal: "cn=server-a", limit: 1000)).events.count == 50)
        #expect(try await second.auditEvents(query: AuditQuery(principal: "cn=server-b", limit: 1000)).events.count == 50)
        let head = try await admin(first, "SELECT last_id FROM audit_head") { try $0.get("last_id", as: Int64.self) }
        #expect(head == [100])
    }

    @Test("a row altered through another connection is found at its id, also past the first page; a forged chain without the key too")
    func tamperedRowFound() async throws {
        let (store, other) = try await twoServers()
        let count = 2 * PostgresAccessStore.auditPageSize + 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<4 {
                group.addTask {
                    for index in stride(from: lane, to: count, by: 4) { try await store.appendAuditEvent(event(index)) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await other.verifyAuditChain().checkedCount == count)
        #expect(try await allAuditEvents(other).map(\.id) == Array(1...Int64(count)))
        #expect(try await allAuditEvents(other, since: T.at(minutes: count - 3)).count == 3)

        try await TestPostgres.withAdminConnection(store.location) { connection, logger in
            _ = try await connection.query("UPDATE audit_event SET params = '{\"n\":-1}' WHERE id = 777", logger: logger)
        }
        let report = try await other.verifyAuditChain()
        #expect(report.problem == .hashMismatch(id: 777))
        #expect(report.checkedCount == 776)
        #expect(report.lastId == 776)
        #expect(try await store.auditEvents(limit: 1, beforeId: 778).first?.params == "{\"n\":-1}")

        // Re-linking every later event and the head without the key (an HMAC under a key of one's own) still fails at 777.
        let forged = AuditChain.auditKey(MasterKey.generate())
        try await TestPostgres.withAdminConnection(store.location) { connection, logger in
            var previous = try await connection.query("SELECT hash FROM audit_event WHERE id = 776", logger: logger)
                .collect()[0].get("hash", as: Data.self)
            var lastId: Int64 = 776
            let rows = try await connection.query(
                "SELECT \(unescaped: PostgresAccessStore.auditChainColumns) FROM audit_event WHERE id >= 777 ORDER BY id", logger: logger).collect()
            for row in rows {
                let stored = try PostgresAccessStore.storedAuditRow(row)
                let hash = try #require(stored.computedHash(prevHash: previous, scheme: .keyed(forged)))
                try await connection.query("UPDATE audit_event SET prev_hash = \(previous), hash = \(hash) WHERE id = \(stored.id)", logger: logger)
                previous = hash
                lastId = stored.id
            }
            try await connection.query("UPDATE audit_head SET last_id = \(lastId), hash = \(previous)", logger: logger)
        }
        #expect(try await other.verifyAuditChain().problem == .hashMismatch(id: 777))
    }

    @Test("deleting the newest events and rewriting the head passes a plain verify but not --expect-head")
    func truncationFoundByAnchor() async throws {
        let (store, _) = try await twoServers()
        for index in 1...10 { try await store.appendAuditEvent(event(index)) }
        let (anchor, report) = try await store.auditChainHead()
        #expect(report.isIntact && anchor.seq == 10)
        #expect(try await store.verifyAuditChain(expectedHead: anchor).isIntact)
        try await TestPostgres.withAdminConnection(store.location) { connection, logger in
            try await connection.query("DELETE FROM audit_event WHERE id > 8", logger: logger)
            try await connection.query(
                "UPDATE audit_head SET last_id = 8, hash = (SELECT hash FROM audit_event WHERE id = 8)", logger: logger)
        }
        #expect(try await store.verifyAuditChain().isIntact)
        #expect(try await store.verifyAuditChain(expectedHead: anchor).problem == .anchorBeyondChain(anchorId: 10, chainLastId: 8))
        for index in 11...12 { try await store.appendAuditEvent(event(index)) }
        #expect(try await store.verifyAuditChain().lastId == 10)
        #expect(try await store.verifyAuditChain(expectedHead: anchor).problem == .anchorMismatch(id: 10))
        let eight = try #require(try await store.auditEvents(limit: 1, beforeId: 9).first)
        #expect(try await store.verifyAuditChain(expectedHead: AuditAnchor(seq: 8, mac: eight.hash)).isIntact)
    }

    @Test("text PostgreSQL cannot hold (NUL) is refused by name, and nothing is appended")
    func nulRefused() async throws {
        let store = try await makePostgresStore()
        var bad = event(1)
        bad.principal = "cn=a\u{0}b"
        await #expect(throws: AccessStoreError.invalidArgument("the audit principal contains a NUL character")) {
            try await store.appendAuditEvent(bad)
        }
        #expect(try await store.appendAuditEvent(event(2)) == 1)
        #expect(try await store.verifyAuditChain().checkedCount == 1)
    }

    @Test("the same idempotency key saved at once from two servers is recorded once; the other save is refused")
    func idempotencyKeyClaimedOnce() async throws {
        let (first, second) = try await twoServers()
        for round in 0..<20 {
            let key = "key-\(round)"
            let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for (name, store) in [("first", first), ("second", second)] {
                    group.addTask {
                        let record = IdempotencyRecord(
                            key: key, method: "provision", paramsHash: IdempotencyRecord.paramsHash(of: name),
                            result: "{\"by\":\"\(name)\"}", createdAt: T.t0, expiresAt: T.at(minutes: 60))
                        do {
                            try await store.saveIdempotencyRecord(record)
                            return (name, true)
                        } catch AccessStoreError.invalidArgument(let message) {
                            #expect(message == "idempotency key \(key) is already recorded")
                            return (name, false)
                        }
                    }
                }
                return try await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
            }
            let winners = outcomes.filter(\.value).map(\.key)
            #expect(winners.count == 1, "round \(round): \(outcomes)")
            let stored = try #require(try await second.idempotencyRecord(key: key, at: T.t0))
            #expect(stored.result == "{\"by\":\"\(winners.first ?? "?")\"}")
        }
        let rows = try await admin(first, "SELECT count(*) AS n FROM idempotency_record") { try $0.get("n", as: Int64.self) }
        #expect(rows == [20])
    }

    @Test("a succeeded run moves the workspace's last run, a failed one does not; a run finished by one server cannot be finished by another")
    func syncRunsAcrossServers() async throws {
        let (first, second) = try await twoServers()
        try await TestPostgres.withAdminConnection(first.location) { connection, logger in
            _ = try await connection.query(
                "INSERT INTO workspace (gid, name, is_organization) VALUES ('1000', 'Acme Corp', true)", logger: logger)
        }
        func lastRun() async throws -> [Int64?] {
            try await admin(first, "SELECT last_sync_run_id FROM workspace WHERE gid = '1000'") { try $0.get("last_sync_run_id", as: Int64?.self) }
        }
        let ok = try await first.startSyncRun(workspaceGid: "1000", trigger: "schedule", at: T.t0)
        let failed = try await second.startSyncRun(workspaceGid: "1000", trigger: "rpc:alice", at: T.t0)
        #expect(ok != failed)
        try await second.finishSyncRun(id: ok, status: .succeeded, counts: SnapshotCounts(), apiCalls: 2, error: nil, at: T.at(minutes: 1))
        #expect(try await lastRun() == [ok])
        try await first.finishSyncRun(id: failed, status: .failed, counts: nil, apiCalls: 1, error: "boom", at: T.at(minutes: 1))
        #expect(try await lastRun() == [ok])

        // Both servers finish one run at once: exactly one succeeds.
        let contested = try await first.startSyncRun(workspaceGid: "1000", trigger: "schedule", at: T.at(minutes: 2))
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for store in [first, second] {
                group.addTask {
                    do {
                        try await store.finishSyncRun(id: contested, status: .succeeded, counts: nil, apiCalls: 0, error: nil, at: T.at(minutes: 3))
                        return true
                    } catch AccessStoreError.syncRunAlreadyFinished(let id) {
                        #expect(id == contested)
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try await lastRun() == [contested])
        #expect(try await first.syncRuns(workspaceGid: "1000", limit: 10).map(\.id) == [contested, failed, ok])
    }

    @Test("provision intents from two servers share one journal")
    func provisionIntentsAcrossServers() async throws {
        let (first, second) = try await twoServers()
        func draft(_ email: String) -> ProvisionIntentDraft {
            ProvisionIntentDraft(callId: "call-1", principal: "cn=host", idempotencyKey: nil, workspaceGid: "1000",
                                 operation: .addToWorkspace, teamGid: nil, email: email, userGid: nil, userRef: email, attempt: 1)
        }
        let a = try await first.recordProvisionIntent(draft("a@acme.example"), at: T.t0)
        let b = try await second.recordProvisionIntent(draft("b@acme.example"), at: T.t0)
        #expect(b > a)
        #expect(try await first.provisionIntents(callId: "call-1").map(\.draft.email) == ["a@acme.example", "b@acme.example"])
        #expect(try await second.resolveProvisionIntent(id: a, outcome: .done, at: T.t0))
        #expect(try await first.resolveProvisionIntent(id: a, outcome: .refused, at: T.t0) == false)
        #expect(try await first.openProvisionIntents().map(\.id) == [b])
    }
}
