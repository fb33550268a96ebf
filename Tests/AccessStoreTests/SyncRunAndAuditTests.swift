import AccessProtocol
import Foundation
import Testing
@testable import AccessStore

@Suite("Sync runs", .closesStores)
struct SyncRunTests {
    @Test("start then finish records status, counts, calls and errors; runs list newest first", arguments: StoreKind.available)
    func lifecycle(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let id = try await store.startSyncRun(workspaceGid: "1000", trigger: "rpc:alice", at: T.t0)
        #expect(try await store.syncRun(id: id) == SyncRun(
            id: id, workspaceGid: "1000", trigger: "rpc:alice", status: .running, startedAt: T.t0,
            finishedAt: nil, counts: nil, apiCalls: 0, error: nil))
        let counts = SnapshotCounts(users: 4, added: 4, updated: 0, departed: 0, teams: 2, teamMemberships: 4)
        try await store.finishSyncRun(id: id, status: .succeeded, counts: counts, apiCalls: 17, error: nil, at: T.at(minutes: 1))
        #expect(try await store.syncRun(id: id) == SyncRun(
            id: id, workspaceGid: "1000", trigger: "rpc:alice", status: .succeeded, startedAt: T.t0,
            finishedAt: T.at(minutes: 1), counts: counts, apiCalls: 17, error: nil))

        let failed = try await store.startSyncRun(workspaceGid: "1000", trigger: "schedule", at: T.at(minutes: 2))
        #expect(failed > id)
        try await store.finishSyncRun(id: failed, status: .failed, counts: nil, apiCalls: 3, rateLimited: 3, error: "upstream.rate_limited", at: T.at(minutes: 3))
        #expect(try await store.syncRun(id: failed) == SyncRun(
            id: failed, workspaceGid: "1000", trigger: "schedule", status: .failed, startedAt: T.at(minutes: 2),
            finishedAt: T.at(minutes: 3), counts: nil, apiCalls: 3, rateLimited: 3, error: "upstream.rate_limited"))
        #expect(try await store.syncRun(id: id)?.rateLimited == 0)
        let other = try await store.startSyncRun(workspaceGid: "2000", trigger: "schedule", at: T.at(minutes: 4))
        #expect(try await store.syncRuns(workspaceGid: "1000", limit: 10).map(\.id) == [failed, id])
        #expect(try await store.syncRuns(workspaceGid: nil, limit: 2).map(\.id) == [other, failed])
        #expect(try await store.syncRuns(workspaceGid: nil, limit: 1000).map(\.id) == [other, failed, id])
        #expect(try await store.syncRuns(workspaceGid: "3000", limit: 10).isEmpty)
    }

    @Test("a succeeded run becomes the workspace's last run; a failed one does not (SQLite, with a snapshot)")
    func lastSyncRun() async throws {
        let store = try makeStore()
        let id = try await store.startSyncRun(workspaceGid: "1000", trigger: "rpc:alice", at: T.t0)
        let counts = try await store.applySnapshot(Fixture.snapshot(), at: T.at(minutes: 1))
        try await store.finishSyncRun(id: id, status: .succeeded, counts: counts, apiCalls: 17, error: nil, at: T.at(minutes: 1))
        #expect(try await store.syncRun(id: id)?.counts == counts)
        #expect(try await store.workspace(gid: "1000")?.lastSyncRunId == id)

        // A failed run does not move lastSyncRunId.
        let failed = try await store.startSyncRun(workspaceGid: "1000", trigger: "schedule", at: T.at(minutes: 2))
        try await store.finishSyncRun(id: failed, status: .failed, counts: nil, apiCalls: 3, rateLimited: 3, error: "upstream.rate_limited", at: T.at(minutes: 3))
        #expect(try await store.workspace(gid: "1000")?.lastSyncRunId == id)
    }

    @Test("finishing twice, an unknown run, or as running is refused", arguments: StoreKind.available)
    func badFinish(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let id = try await store.startSyncRun(workspaceGid: "1000", trigger: "t", at: T.t0)
        await #expect(throws: AccessStoreError.invalidArgument("a run cannot finish as running")) {
            try await store.finishSyncRun(id: id, status: .running, counts: nil, apiCalls: 0, error: nil, at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidArgument("apiCalls is negative")) {
            try await store.finishSyncRun(id: id, status: .failed, counts: nil, apiCalls: -1, error: nil, at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidArgument("rateLimited is negative")) {
            try await store.finishSyncRun(id: id, status: .failed, counts: nil, apiCalls: 1, rateLimited: -1, error: nil, at: T.t0)
        }
        #expect(try await store.syncRun(id: id)?.status == .running)
        try await store.finishSyncRun(id: id, status: .partial, counts: nil, apiCalls: 2, error: "stopped", at: T.t0)
        await #expect(throws: AccessStoreError.syncRunAlreadyFinished(id: id)) {
            try await store.finishSyncRun(id: id, status: .succeeded, counts: nil, apiCalls: 0, error: nil, at: T.t0)
        }
        await #expect(throws: AccessStoreError.syncRunNotFound(id: 999)) {
            try await store.finishSyncRun(id: 999, status: .failed, counts: nil, apiCalls: 0, error: nil, at: T.t0)
        }
        #expect(try await store.syncRun(id: 999) == nil)
        await #expect(throws: AccessStoreError.invalidArgument("the workspace gid is empty")) {
            try await store.startSyncRun(workspaceGid: "", trigger: "t", at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got 0")) {
            try await store.syncRuns(workspaceGid: nil, limit: 0)
        }
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got 1001")) {
            try await store.syncRuns(workspaceGid: "1000", limit: 1001)
        }
    }

    @Test("runs left running by a previous process are marked failed", arguments: StoreKind.available)
    func interrupted(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let a = try await store.startSyncRun(workspaceGid: "1000", trigger: "t", at: T.t0)
        let b = try await store.startSyncRun(workspaceGid: "2000", trigger: "t", at: T.t0)
        try await store.finishSyncRun(id: b, status: .succeeded, counts: SnapshotCounts(), apiCalls: 1, error: nil, at: T.t0)
        #expect(try await store.failRunningSyncRuns(reason: "server restarted", at: T.at(minutes: 1)) == 1)
        let run = try #require(try await store.syncRun(id: a))
        #expect(run.status == .failed && run.error == "server restarted" && run.finishedAt == T.at(minutes: 1))
        #expect(try await store.syncRun(id: b)?.status == .succeeded)
        #expect(try await store.syncRun(id: b)?.counts == SnapshotCounts())
        #expect(try await store.failRunningSyncRuns(reason: "again", at: T.at(minutes: 2)) == 0)
        #expect(try await store.syncRun(id: a)?.error == "server restarted")
    }

    @Test("one workspace's runs left running are marked failed, the others' untouched", arguments: StoreKind.available)
    func interruptedInOneWorkspace(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let orphan = try await store.startSyncRun(workspaceGid: "1000", trigger: "t", at: T.t0)
        let elsewhere = try await store.startSyncRun(workspaceGid: "2000", trigger: "t", at: T.t0)
        #expect(try await store.failRunningSyncRuns(workspaceGid: "1000", reason: "its server stopped", at: T.at(minutes: 1)) == 1)
        #expect(try await store.syncRun(id: orphan)?.status == .failed)
        #expect(try await store.syncRun(id: orphan)?.error == "its server stopped")
        #expect(try await store.syncRun(id: elsewhere)?.status == .running)
        #expect(try await store.failRunningSyncRuns(workspaceGid: "3000", reason: "none", at: T.at(minutes: 1)) == 0)
    }
}

@Suite("Audit", .closesStores)
struct AuditTests {
    @Test("events are appended and read newest first, with paging back", arguments: StoreKind.available)
    func appendAndRead(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        var ids: [Int64] = []
        for index in 0..<5 {
            ids.append(try await store.appendAuditEvent(AuditEventDraft(
                at: T.at(minutes: index), principal: "cn=host\(index)", method: "provision",
                params: "{\"email\":\"p\(index)@acme.example\",\"token\":\"[redacted]\"}", result: "{\"ok\":true}",
                outcome: index == 3 ? "upstream.forbidden" : "ok")))
        }
        #expect(ids == ids.sorted() && Set(ids).count == 5)
        // Hashes are checked in AuditChainTests; here, the fields as appended.
        let latest = try await store.auditEvents(limit: 2).map { event in
            var event = event
            #expect(event.hash.count == 32 && event.prevHash.count == 32)
            event.hash = Data()
            event.prevHash = Data()
            return event
        }
        #expect(latest == [
            AuditEvent(id: ids[4], at: T.at(minutes: 4), principal: "cn=host4", method: "provision",
                       params: "{\"email\":\"p4@acme.example\",\"token\":\"[redacted]\"}", result: "{\"ok\":true}", outcome: "ok"),
            AuditEvent(id: ids[3], at: T.at(minutes: 3), principal: "cn=host3", method: "provision",
                       params: "{\"email\":\"p3@acme.example\",\"token\":\"[redacted]\"}", result: "{\"ok\":true}", outcome: "upstream.forbidden"),
        ])
        #expect(try await store.auditEvents(limit: 10, beforeId: ids[3]).map(\.id) == [ids[2], ids[1], ids[0]])
        #expect(try await store.auditEvents(limit: 1000).count == 5)
    }

    @Test("non-JSON text, empty method or outcome and bad limits are refused; nothing is appended", arguments: StoreKind.available)
    func badInput(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let good = AuditEventDraft(at: T.t0, principal: "p", method: "sync", params: "{}", result: "null", outcome: "ok")
        await #expect(throws: Never.self) { try await store.appendAuditEvent(good) }
        var bad = good
        bad.params = "{not json"
        await #expect(throws: AccessStoreError.invalidArgument("audit params are not JSON text")) { try await store.appendAuditEvent(bad) }
        bad = good
        bad.result = ""
        await #expect(throws: AccessStoreError.invalidArgument("audit result is not JSON text")) { try await store.appendAuditEvent(bad) }
        bad = good
        bad.method = ""
        await #expect(throws: AccessStoreError.invalidArgument("the audit method is empty")) { try await store.appendAuditEvent(bad) }
        bad = good
        bad.outcome = ""
        await #expect(throws: AccessStoreError.invalidArgument("the audit outcome is empty")) { try await store.appendAuditEvent(bad) }
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got 0")) { try await store.auditEvents(limit: 0) }
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got 1001")) { try await store.auditEvents(limit: 1001) }
        #expect(try await store.auditEvents(limit: 5).count == 1)
        #expect(try await store.verifyAuditChain().checkedCount == 1)
    }
}

@Suite("Errors")
struct ErrorTextTests {
    @Test("every error says what to do, without secrets")
    func descriptions() {
        let errors: [AccessStoreError] = [
            .masterKeyMissing(path: "/k"), .masterKeyPermissions(path: "/k", mode: 0o644), .masterKeyInvalid(path: "/k"),
            .masterKeyExists(path: "/k"), .credentialTampered(workspaceGid: "1", purpose: .sync), .invalidCursor,
            .invalidQuery("x"), .invalidArgument("y"), .syncRunNotFound(id: 1), .syncRunAlreadyFinished(id: 1),
            .databaseTooNew(path: "/d"), .fileSystem(path: "/f", message: "m"),
        ]
        for error in errors {
            #expect(error.description.count > 10)
            #expect(error.description.hasSuffix("."))
        }
        #expect(AccessStoreError.masterKeyPermissions(path: "/k", mode: 0o644).description.contains("644"))
        #expect(AccessStoreError.masterKeyPermissions(path: "/k", mode: 0o644).description.contains("chmod 600 /k"))
    }
}
