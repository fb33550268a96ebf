import AccessProtocol
import Foundation
import Testing
@testable import AccessStore

/// A store call runs to its end whatever becomes of the task that made it: a sync cancelled by shutdown
/// still records its run as failed, a cancelled provision still records its write's outcome.
@Suite("Store calls from a cancelled task")
struct CancellationTests {
    @Test("a write asked for by a cancelled task commits, and a read answers", arguments: [false, true])
    func cancelledCallerStillWrites(fileStore: Bool) async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let store = try makeStore(fileStore: fileStore, in: dir)
        defer { try? store.close() }
        let id = try await store.startSyncRun(workspaceGid: "1000", trigger: "schedule", at: T.t0)
        let task = Task {
            // Cancelled below, before or while this waits: it returns at once.
            try? await Task.sleep(for: .seconds(60))
            #expect(Task.isCancelled)
            try await store.finishSyncRun(id: id, status: .failed, counts: nil, apiCalls: 3, error: "the server stopped", at: T.at(minutes: 1))
            _ = try await store.appendAuditEvent(AuditEventDraft(
                at: T.at(minutes: 1), principal: "schedule", method: "sync", params: "{}", result: "{}", outcome: "sync.cancelled"))
            return try await store.syncRun(id: id)
        }
        task.cancel()
        let run = try await task.value
        #expect(run?.status == .failed)
        #expect(run?.error == "the server stopped")
        #expect(try await store.auditEvents(limit: 10).map(\.outcome) == ["sync.cancelled"])
    }
}
