import AccessProtocol
import Foundation
import Testing
import TestSupport
@testable import AccessStore

@Suite("Workspace schedules", .closesStores)
struct ScheduleStoreTests {
    @Test("a schedule round-trips every field to the millisecond; an unknown workspace reads as empty", arguments: StoreKind.available)
    func roundTrip(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        #expect(try await store.workspaceSchedules() == [:])
        let next = Date(timeIntervalSince1970: 1_780_000_000.123)
        let seen = try await store.modifyWorkspaceSchedule("1000") { schedule -> WorkspaceSchedule in
            let before = schedule
            schedule.nextRunAt = next
            schedule.pause = .init(reason: "Asana refused the token (1011 upstream.unauthorized)", fingerprint: "fp-1")
            schedule.capabilities = Sync.Capabilities(membershipFlags: true, teams: false)
            schedule.refusedFingerprint = "fp-1"
            return before
        }
        #expect(seen == WorkspaceSchedule())
        _ = try await store.modifyWorkspaceSchedule("2000") { $0.pause = .init(reason: "unreadable", fingerprint: nil) }
        let stored = try await store.workspaceSchedules()
        #expect(stored.count == 2)
        #expect(stored["1000"] == WorkspaceSchedule(
            nextRunAt: next, pause: .init(reason: "Asana refused the token (1011 upstream.unauthorized)", fingerprint: "fp-1"),
            capabilities: Sync.Capabilities(membershipFlags: true, teams: false), refusedFingerprint: "fp-1"))
        #expect(stored["2000"] == WorkspaceSchedule(pause: .init(reason: "unreadable", fingerprint: nil)))

        // Clearing fields stores NULLs, not stale values.
        _ = try await store.modifyWorkspaceSchedule("1000") { $0 = WorkspaceSchedule(capabilities: $0.capabilities) }
        #expect(try await store.workspaceSchedules()["1000"] == WorkspaceSchedule(capabilities: Sync.Capabilities(membershipFlags: true, teams: false)))
    }

    @Test("read-modify-writes of one schedule from several tasks never lose one (40 changes, each adding a second)", arguments: StoreKind.available)
    func concurrentChanges(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        _ = try await store.modifyWorkspaceSchedule("1000") { $0.nextRunAt = start }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask { _ = try await store.modifyWorkspaceSchedule("1000") { $0.nextRunAt = $0.nextRunAt?.addingTimeInterval(1) } }
            }
            try await group.waitForAll()
        }
        #expect(try await store.workspaceSchedules()["1000"]?.nextRunAt == start.addingTimeInterval(40))
    }
}

@Suite("Workspace schedules on PostgreSQL replicas", .closesStores, .enabled(if: postgresConfigured, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct PostgresScheduleTests {
    @Test("two stores on one database (two servers) changing one schedule at once: every change lands, each sees the other's")
    func sharedSchedule() async throws {
        let (first, second, _) = try await twoReplicas()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        _ = try await first.modifyWorkspaceSchedule("1000") { $0.nextRunAt = start }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask { _ = try await store.modifyWorkspaceSchedule("1000") { $0.nextRunAt = $0.nextRunAt?.addingTimeInterval(1) } }
            }
            try await group.waitForAll()
        }
        #expect(try await second.workspaceSchedules()["1000"]?.nextRunAt == start.addingTimeInterval(40))
        _ = try await second.modifyWorkspaceSchedule("1000") { $0.pause = .init(reason: "refused", fingerprint: "fp") }
        #expect(try await first.workspaceSchedules()["1000"]?.pause == .init(reason: "refused", fingerprint: "fp"))
    }
}
