import AccessProtocol
@testable import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import LineRPC
import Logging
import ServiceLifecycle
import TestSupport
import Testing

/// Calls `method` through the service's method table as `role` (a reader by default) and returns the answer as JSON.
private func callAsReader(_ service: AccessService, _ method: String, _ params: [String: JSONValue], role: String = "reader") async throws -> JSONValue {
    let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "test:\(role)", role: role)),
                                    logger: Logger(label: "test"), sendNotification: { _ in })
    let response = await service.methodTable().answer(RPCRequest(id: .integer(1), method: method, params: .object(params)), context: context)
    switch response?.outcome {
    case .result(let value)?:
        return try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
    case .error(let error)?:
        throw error
    case nil:
        throw RPCError.internalError("no answer")
    }
}

/// A second service on the harness's store and simulator: what another server sharing a PostgreSQL store is.
private func anotherServer(_ harness: ServiceHarness, _ label: String) -> AccessService {
    let asana = AsanaClientFactory(
        configuration: AsanaClientConfiguration(baseURL: harness.simulator.baseURL, backoffBase: .milliseconds(1), backoffCap: .milliseconds(5)),
        transport: HTTPClientAsanaTransport(timeout: .seconds(5)), logger: Logger(label: label + ".asana"))
    return AccessService(store: harness.store, asana: asana, logger: Logger(label: label))
}

/// A scheduler every 2 s, first turn within 0.3 s, looking every 100 ms.
private func fastScheduler(_ harness: ServiceHarness) -> SyncScheduler {
    SyncScheduler(service: harness.service, configuration: .init(interval: .seconds(2), maximumJitter: .milliseconds(300), pollInterval: .milliseconds(100)))
}

@Suite("Scheduled syncs")
struct SchedulerTests {
    @Test("a workspace never synced is synced within seconds of the start (jitter ≤ 5 s), not at its next poll (60 s) or up to an hour later")
    func neverSyncedSoonAfterStart() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        // The serve defaults: a day between syncs, first-sync jitter 5 s; a minute between looks (10 s by default: a
        // third of the lease time to live), so the first sync must not wait for a look.
        let scheduler = SyncScheduler(service: harness.service, configuration: .init(interval: .seconds(86400), pollInterval: .seconds(60)))
        #expect(SyncScheduler(service: harness.service, configuration: .init(interval: .seconds(86400))).pollInterval == .seconds(10))
        let started = Date()
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        let synced = try await eventually(within: .seconds(55), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first?.status == .succeeded
        }
        #expect(synced, "no scheduled sync within 55 s of the start")
        let run = try #require(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first)
        #expect(run.trigger == "schedule")
        // Started within the 5 s jitter plus generous room for a loaded machine (21 s once, while a clean build shared
        // the 2 cores), before the 60 s poll.
        #expect(run.startedAt.timeIntervalSince(started) < 45, "first scheduled sync started \(run.startedAt.timeIntervalSince(started)) s after the start")
    }

    @Test("with a 2-second interval the scheduler runs two syncs on its own, trigger schedule; getWorkspaceStatus shows them")
    func runsOnItsOwn() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2)
        defer { Task { await harness.stop() } }
        let before = try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])
        #expect(before["schedule"] == .string("disabled"))  // no scheduler running yet
        #expect(before["lastRun"] == .null)
        #expect(before["capabilities"] == .null)

        let scheduler = fastScheduler(harness)
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        let twoRuns = try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).filter { $0.trigger == "schedule" && $0.status == .succeeded }.count >= 2
        }
        #expect(twoRuns)
        let runs = try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10)
        #expect(runs.allSatisfy { $0.trigger == "schedule" })
        let ordered = runs.sorted { $0.id < $1.id }
        if ordered.count >= 2, let firstFinished = ordered[0].finishedAt {
            // The second turn comes one interval after the first finished (a generous bound above).
            let gap = ordered[1].startedAt.timeIntervalSince(firstFinished)
            #expect(gap > 1.5 && gap < 6, "gap between scheduled runs: \(gap) s")
        }

        let status = try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string("Acme Corp")])
        guard case .object(let members) = status else {
            Issue.record("not an object: \(status)")
            return
        }
        #expect(Set(members.keys) == ["workspace", "credentials", "lastRun", "nextScheduledRunAt", "schedule", "pausedReason", "capabilities"])
        #expect(status["workspace"] == .object(["gid": .string(harness.workspace), "name": .string("Acme Corp")]))
        #expect((status["credentials"]?.arrayValue ?? []).map { $0["purpose"] } == [.string("provision"), .string("sync")])
        #expect((status["credentials"]?.arrayValue ?? []).allSatisfy { $0["kind"] == .string("pat") && $0["updatedAt"] != nil } == true)
        if case .string(let fingerprint)? = (status["credentials"]?.arrayValue ?? []).first?["fingerprint"] {
            #expect(fingerprint.hasPrefix("sha256:"))
        } else {
            Issue.record("no fingerprint: \(status)")
        }
        #expect(status["schedule"] == .string("active"))
        #expect(status["pausedReason"] == .null)
        #expect(status["lastRun"]?["trigger"] == .string("schedule"))
        #expect(status["capabilities"] == .object(["membershipFlags": .bool(true), "teams": .bool(true)]))
        // (Dates travel as ISO 8601 over the wire; this in-process call encodes them as reference-date seconds.)
        if case .double(let next)? = status["nextScheduledRunAt"] {
            let nextDate = Date(timeIntervalSinceReferenceDate: next)
            #expect(nextDate > Date().addingTimeInterval(-3) && nextDate < Date().addingTimeInterval(5))
        } else if status["lastRun"]?["status"] != .string("running") {
            Issue.record("no nextScheduledRunAt: \(status)")
        }
    }

    @Test("a scheduled turn that falls during a manual sync is skipped: no two runs overlap, manual runs keep the principal as trigger")
    func neverOverlapsManual() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2)
        defer { Task { await harness.stop() } }
        let scheduler = fastScheduler(harness)
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }

        // After the first scheduled run, start a manual sync that takes over 2 s (two 429s with
        // Retry-After: 1 on the workspace memberships), so the next scheduled turn (2 s after the first) falls inside it.
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).contains { $0.trigger == "schedule" && $0.finishedAt != nil }
        })
        try await Task.sleep(for: .milliseconds(700))
        // The 429s go to whichever sync reads the memberships next; when a scheduled one took them, try again.
        var slowManualRun: SyncRun?
        for _ in 0..<5 where slowManualRun == nil {
            harness.simulator.clearFaults()
            harness.simulator.injectFaults([.status(429, retryAfter: 1, times: 2, pathPrefix: "/workspaces/\(harness.workspace)/workspace_memberships")])
            var manual: Sync.Result?
            for _ in 0..<100 where manual == nil {
                do {
                    manual = try await harness.service.sync(workspace: harness.workspace, principal: "token:operator")
                } catch let error as RPCError where error.name == "sync.in_progress" {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let runId = try #require(manual).runId
            let run = try #require(try await harness.store.syncRun(id: runId))
            #expect(run.trigger == "token:operator")
            if try #require(run.finishedAt).timeIntervalSince(run.startedAt) >= 1.9 { slowManualRun = run }
        }
        let manualRun = try #require(slowManualRun, "no manual sync took the 429s in 5 tries (scheduled syncs took them)")

        // A scheduled run after the manual one.
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 20).contains { $0.trigger == "schedule" && $0.id > manualRun.id && $0.finishedAt != nil }
        })
        let runs = try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 20).filter { $0.finishedAt != nil }.sorted { $0.startedAt < $1.startedAt }
        // The skipped turn moved to one interval after the manual sync finished.
        if let next = runs.first(where: { $0.trigger == "schedule" && $0.id > manualRun.id }), let manualEnd = manualRun.finishedAt {
            #expect(next.startedAt.timeIntervalSince(manualEnd) > 1.5, "scheduled run \(next.startedAt.timeIntervalSince(manualEnd)) s after the manual one")
        }
        #expect(runs.filter { $0.trigger == "schedule" }.count >= 2)
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            #expect(earlier.finishedAt! <= later.startedAt, "runs \(earlier.id) and \(later.id) overlap")
        }
        #expect(runs.allSatisfy { $0.status == .succeeded })
    }

    @Test("a scheduled turn that reaches the workspace's sync lease after a manual sync finished is not run: the check is made holding the lease")
    func recentSyncCheckedUnderTheLease() async throws {
        // The race this guards against: a look sees the manual sync still running (no finished run to wait for), and
        // by the time its own sync takes the lease the manual one has finished.
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        let manual = try await harness.service.sync(workspace: harness.workspace, principal: "token:operator")
        let manualRun = try #require(try await harness.store.syncRun(id: manual.runId))
        let finished = try #require(manualRun.finishedAt)

        await #expect(throws: AccessService.RecentlySynced(finishedAt: finished)) {
            _ = try await harness.service.sync(workspace: harness.workspace, principal: SyncScheduler.trigger, unlessFinishedWithin: 3600)
        }
        #expect(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).map(\.id) == [manual.runId])  // nothing recorded

        // A spacing shorter than the time since that sync: the turn runs.
        try await Task.sleep(for: .milliseconds(20))
        let scheduled = try await harness.service.sync(workspace: harness.workspace, principal: SyncScheduler.trigger, unlessFinishedWithin: 0.01)
        #expect(try await harness.store.syncRun(id: scheduled.runId)?.trigger == "schedule")
    }

    @Test("two servers on one store, each with its scheduler: the workspace is synced about once per interval between them, never twice within one")
    func twoSchedulersOneStore() async throws {
        // Each sync takes over a second (250 ms per Asana call), so a second scheduler whose turn came while the
        // first synced would start well within one interval of its end (the bug this guards against).
        let harness = try await ServiceHarness.start(users: 20, teams: 1, adjustSimulator: { $0.latency = .milliseconds(250) })
        defer { Task { await harness.stop() } }
        // A second service on the same store: what a second server sharing a PostgreSQL store is.
        let other = anotherServer(harness, "test.service.2")
        // No first-turn jitter: both schedulers want the first sync at once; one gets it, the other is skipped.
        let configuration = SyncScheduler.Configuration(interval: .seconds(3), maximumJitter: .milliseconds(300), firstSyncJitter: .zero,
                                                        pollInterval: .milliseconds(100))
        let first = Task { try await SyncScheduler(service: harness.service, configuration: configuration).run() }
        let second = Task { try await SyncScheduler(service: other, configuration: configuration).run() }
        defer { first.cancel(); second.cancel() }

        #expect(try await eventually(within: .seconds(120), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 20).filter { $0.trigger == "schedule" && $0.finishedAt != nil }.count >= 4
        })
        first.cancel()
        second.cancel()
        let runs = try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 20)
            .filter { $0.trigger == "schedule" && $0.finishedAt != nil }.sorted { $0.startedAt < $1.startedAt }
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            // One interval (3 s) after the previous finished, less the moments between a sync's answer and its run's
            // recorded end (which a loaded machine stretches); a turn taken during the other's sync would come
            // about a sync's length (over a second) earlier.
            #expect(later.startedAt.timeIntervalSince(earlier.finishedAt!) > 2.4, "runs \(earlier.id) and \(later.id) within one interval")
        }
        #expect(runs.allSatisfy { $0.status == .succeeded })
    }

    @Test("a 401 pauses the schedule (status says so, no more runs); a credential stored by another process resumes it")
    func pausesOnUnauthorized() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 2)
        defer { Task { await harness.stop() } }
        harness.simulator.injectFaults([.status(401, times: 1000, pathPrefix: "/")])
        let scheduler = fastScheduler(harness)
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }

        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).contains { $0.status == .failed }
        })
        // The run is recorded failed before the sync's lease is released and the schedule hears of the failure.
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(20)) {
            try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])["schedule"] == .string("paused")
        })
        let status = try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])
        #expect(status["schedule"] == .string("paused"))
        #expect(status["nextScheduledRunAt"] == .null)
        if case .string(let reason)? = status["pausedReason"] {
            #expect(reason.contains("upstream.unauthorized"))
            #expect(reason.contains("paused until a new credential is stored"))
        } else {
            Issue.record("no pausedReason: \(status)")
        }
        #expect(status["lastRun"]?["status"] == .string("failed"))

        // More than two intervals: nothing is retried.
        try await Task.sleep(for: .milliseconds(4500))
        #expect(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).count == 1)

        // `asana-accessd credentials put` writes the store from another process: the scheduler sees the new fingerprint.
        harness.simulator.clearFaults()
        try await harness.store.putCredential(workspaceGid: harness.workspace, purpose: .sync, kind: .pat, secret: SimulatorSeed.demoAdminToken, at: Date())
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).contains { $0.status == .succeeded && $0.trigger == "schedule" }
        })
        let resumed = try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])
        #expect(resumed["schedule"] == .string("active"))
        #expect(resumed["pausedReason"] == .null)
    }

    @Test("an invalid_grant stops the schedule: one failed run, status paused with the reason, no more runs and no refresh storm")
    func stopsAfterInvalidGrant() async throws {
        let harness = try await OAuthTests.harness(users: 30, teams: 1)
        defer { Task { await harness.stop() } }
        _ = try await harness.authorizeOAuth(scopes: ["default"])
        let scheduler = fastScheduler(harness)
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).contains { $0.status == .succeeded && $0.trigger == "schedule" }
        })
        // The user de-authorizes the app in Asana: access and refresh tokens stop working.
        harness.simulator.revokeOAuthGrants(userGid: "1001")
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).contains { $0.status == .failed }
        })
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(20)) {
            try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])["schedule"] == .string("paused")
        })
        let paused = try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])
        #expect(paused["schedule"] == .string("paused"))
        if case .string(let reason)? = paused["pausedReason"] {
            #expect(reason.contains("credential.reauthorization_required"))
        } else {
            Issue.record("no pausedReason: \(paused)")
        }
        #expect((paused["credentials"]?.arrayValue ?? []).first?["state"] == .string("reauthorizationRequired"))
        let runsAtPause = try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 100).count
        harness.simulator.clearRequestLog()
        // More than two intervals: nothing is retried, not even a refresh.
        try await Task.sleep(for: .milliseconds(4500))
        #expect(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 100).count == runsAtPause)
        #expect(harness.simulator.requestLog().isEmpty)
    }

    @Test("putCredential over RPC resumes a paused schedule at once, even with the same secret")
    func putCredentialResumes() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        harness.simulator.injectFaults([.status(401, times: 1000, pathPrefix: "/")])
        let scheduler = fastScheduler(harness)
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).contains { $0.status == .failed }
        })
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(20)) {
            try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])["schedule"] == .string("paused")
        })
        let paused = try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])
        #expect(paused["schedule"] == .string("paused"))

        harness.simulator.clearFaults()
        _ = try await callAsReader(harness.service, "putCredential", [
            "workspace": .string(harness.workspace), "purpose": .string("sync"), "kind": .string("pat"), "secret": .string(SimulatorSeed.demoMemberToken),
        ], role: "admin")
        let resumed = try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])
        #expect(resumed["schedule"] == .string("active"))
        #expect(resumed["pausedReason"] == .null)
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).contains { $0.status == .succeeded && $0.trigger == "schedule" }
        })
    }

    @Test("graceful shutdown stops the scheduler at once, not at its next look")
    func stopsOnGracefulShutdown() async throws {
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        let service = ServiceRuntime(configuration: .init(asanaBaseURL: "http://127.0.0.1:9"), logger: Logger(label: "test")).makeService(store: store)
        let scheduler = SyncScheduler(service: service, configuration: .init(interval: .seconds(86400), pollInterval: .seconds(60)))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: scheduler)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        // Its next look would be 60 s away: half of that still proves it did not wait for it, and
        // leaves room for a loaded 2-core machine (6.8 s was seen there).
        #expect(ContinuousClock.now - started < .seconds(30))
        // Stopped: the schedule reads as disabled again.
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "x", at: Date())
        let status = try await service.workspaceStatus(workspace: "1000")
        #expect(status.schedule == .disabled)
        #expect(status.credentials.count == 1)
    }

    @Test("a pause and the next run time are in the store: a restarted server (a new service and scheduler) keeps the pause and tries nothing")
    func pauseSurvivesRestart() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        harness.simulator.injectFaults([.status(401, times: 1000, pathPrefix: "/")])
        let first = Task { try await fastScheduler(harness).run() }
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(20)) {
            try await callAsReader(harness.service, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])["schedule"] == .string("paused")
        })
        first.cancel()
        _ = await first.result
        #expect(try await harness.store.workspaceSchedules()[harness.workspace]?.pause?.reason.contains("upstream.unauthorized") == true)

        // The "restarted" server: nothing of the first one's memory, only the store.
        let restarted = anotherServer(harness, "test.service.restarted")
        let second = Task {
            try await SyncScheduler(service: restarted, configuration: .init(interval: .seconds(2), maximumJitter: .milliseconds(300), pollInterval: .milliseconds(100))).run()
        }
        defer { second.cancel() }
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(20)) {
            try await callAsReader(restarted, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])["schedule"] == .string("paused")
        })
        let status = try await callAsReader(restarted, "getWorkspaceStatus", ["workspace": .string(harness.workspace)])
        #expect(status["pausedReason"]?.stringValue?.contains("paused until a new credential is stored") == true, "\(status)")
        // Two intervals and more: the restarted scheduler does not try the refused credential again.
        try await Task.sleep(for: .milliseconds(4500))
        #expect(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10).count == 1)
    }

    @Test("a workspace's schedule runs on the server holding its lease: while a dead server's lease lives nothing is scheduled; once it expires the scheduler takes it and syncs")
    func takesOverAnExpiredScheduleLease() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        // A server that died holding the workspace's schedule, 3 s before its lease expires.
        #expect(try await harness.store.acquireLease("schedule:\(harness.workspace)", holder: "dead-host:1:dead/schedule", ttl: 3))
        let leased = Date()
        var service = harness.service
        service.leaseTTL = 3
        let scheduler = SyncScheduler(service: service, configuration: .init(interval: .seconds(2), maximumJitter: .milliseconds(300), firstSyncJitter: .zero))
        #expect(scheduler.pollInterval == .seconds(0.5))  // a quarter of the interval, at most a third of the lease's time to live
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(60), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first?.status == .succeeded
        })
        let run = try #require(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first)
        #expect(run.trigger == "schedule")
        #expect(run.startedAt.timeIntervalSince(leased) >= 2.9, "scheduled while the dead server's lease still held the workspace")
        let holders = try await harness.store.leaseHolders(prefix: "schedule:")
        #expect(holders["schedule:\(harness.workspace)"]?.hasPrefix(service.instance) == true, "\(holders)")

        // Stopped, the scheduler gives its leases up for the other servers at once.
        task.cancel()
        _ = await task.result
        #expect(try await harness.store.leaseHolders(prefix: "schedule:") == [:])
    }

    @Test("two schedulers on one store: one holds the workspace's schedule; when it stops, the other takes it over and the scheduled syncs go on")
    func secondSchedulerTakesOver() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        let other = anotherServer(harness, "test.service.2")
        let configuration = SyncScheduler.Configuration(interval: .seconds(2), maximumJitter: .milliseconds(300), firstSyncJitter: .zero,
                                                        pollInterval: .milliseconds(100))
        let first = Task { try await SyncScheduler(service: harness.service, configuration: configuration).run() }
        try await Task.sleep(for: .milliseconds(50))
        let second = Task { try await SyncScheduler(service: other, configuration: configuration).run() }
        defer { first.cancel(); second.cancel() }
        let lease = "schedule:\(harness.workspace)"
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 5).contains { $0.trigger == "schedule" && $0.status == .succeeded }
        })
        let holder = try #require(try await harness.store.leaseHolders(prefix: "schedule:")[lease])
        // A server without a scheduler on the same store shows the schedule the holder runs, not `disabled`.
        let observer = anotherServer(harness, "test.service.3")
        let seen = try await observer.workspaceStatus(workspace: harness.workspace)
        #expect(seen.schedule == .active)
        #expect(seen.nextScheduledRunAt != nil)  // the holder's, from the store (it moves with each sync: not compared)
        let (owner, standby) = holder.hasPrefix(harness.service.instance) ? (first, other) : (second, harness.service)
        #expect(holder.hasPrefix(harness.service.instance) || holder.hasPrefix(other.instance))
        owner.cancel()
        _ = await owner.result
        let stopped = Date()
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.leaseHolders(prefix: "schedule:")[lease]?.hasPrefix(standby.instance) == true
        })
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 5)
                .contains { $0.trigger == "schedule" && $0.status == .succeeded && $0.startedAt > stopped }
        }, "no scheduled sync after the schedule's holder stopped")
    }

    @Test("a scheduled sync stopped by the scheduler's shutdown is recorded as cancelled, not as an internal error; nothing is committed")
    func cancelledScheduledSync() async throws {
        // Slow Asana: the shutdown comes while the sync still reads.
        let harness = try await ServiceHarness.start(users: 40, teams: 2, adjustSimulator: { $0.latency = .milliseconds(400) })
        defer { Task { await harness.stop() } }
        let scheduler = SyncScheduler(service: harness.service, configuration: .init(interval: .seconds(3600), firstSyncJitter: .zero,
                                                                                      pollInterval: .milliseconds(100)))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: scheduler)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(20)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first?.status == .running
        })
        await group.triggerGracefulShutdown()
        try await running.value
        let run = try #require(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first)
        #expect(run.status == .failed)
        #expect(run.error == AccessService.cancelledSyncReason)
        #expect(try await harness.store.workspace(gid: harness.workspace) == nil)  // nothing committed
        let events = try await harness.store.auditEvents(query: AuditQuery(method: "sync", limit: 10))
        #expect(events.events.first?.outcome == "cancelled", "\(events.events.map(\.outcome))")
    }

    @Test("a schedule taken whose last sync was interrupted (its server died mid-sync: the run left running, or closed at restart) syncs now, not an interval later", arguments: [true, false])
    func resumesInterruptedTurn(leftRunning: Bool) async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        // What a server that died mid-sync leaves: the run, and the next turn already moved an interval (1 h) ahead.
        let orphan = try await harness.store.startSyncRun(workspaceGid: harness.workspace, trigger: "schedule", at: Date())
        if !leftRunning {  // SQLite: the restarted server closed it at start
            _ = try await harness.store.failRunningSyncRuns(reason: AccessService.interruptedSyncReason, at: Date())
        }
        _ = try await harness.store.modifyWorkspaceSchedule(harness.workspace) { $0.nextRunAt = Date().addingTimeInterval(3500) }
        let scheduler = SyncScheduler(service: harness.service, configuration: .init(interval: .seconds(3600), pollInterval: .milliseconds(100)))
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(30), every: .milliseconds(50)) {
            try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first?.status == .succeeded
        }, "no sync after taking a schedule whose last sync was interrupted")
        let runs = try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 5)
        #expect(runs.count == 2)
        #expect(runs.first?.trigger == "schedule")
        #expect(runs.first { $0.id == orphan }?.status == .failed)
        #expect(runs.first { $0.id == orphan }?.error == AccessService.interruptedSyncReason)
    }
}
