import AccessProtocol
import AccessStore
import Foundation
import LineRPC
import Logging
import ServiceLifecycle

/// Syncs every workspace that has a `sync` (or `provision`) credential, every ``Configuration/interval``,
/// as a swift-service-lifecycle `Service` next to the RPC server.
///
/// - Every ``Configuration/pollInterval`` it lists the stored credentials and syncs each workspace whose
///   turn has come, one at a time, with trigger `schedule` (recorded in the sync runs and the audit log).
/// - Each workspace's schedule runs on one server at a time: the scheduler holding its lease `schedule:<gid>`
///   (``ScheduleLeases``), which it takes at a look when the lease is free and renews every third of the lease time
///   to live (``AccessService/leaseTTL``, 30 s by default). When its server dies, another server's scheduler takes
///   the schedule over within the time to live plus one look (40 s by default); next run times and pauses are in
///   the store (``SyncSchedule``), so it carries on where the dead one was, as does a restarted server.
/// - A workspace's first turn is one interval after its last recorded run, but not before now plus a
///   random jitter of up to ``Configuration/maximumJitter`` (at most the interval), so many workspaces do
///   not start together. A workspace never synced has no run to wait for: its first turn is within
///   ``Configuration/firstSyncJitter`` (5 s by default) of the moment it is first seen (the start, or the
///   poll after its credential is stored), and the scheduler wakes for it then rather than at its next poll. Every
///   turn after that comes one interval after the last sync of the workspace, scheduled or manual, finished.
/// - Never overlaps another sync of the workspace: when one is running (a manual `sync`, or one on another
///   server sharing the store), the turn is skipped, nothing is recorded, and the next turn is one interval after
///   that sync finishes. A turn that comes less than an interval after any server's sync of the workspace
///   finished waits until one interval after it.
/// - A credential failure (`upstream.unauthorized`, `credential.unreadable`, a reauthorization) pauses the
///   workspace's schedule instead of failing every interval; `getWorkspaceStatus` shows `paused` and why.
///   Storing a credential for the workspace (`putCredential`, or `asana-accessd credentials put` in another
///   process, seen as a new fingerprint at the next poll) or a successful manual `sync` resumes it.
/// - On graceful shutdown it stops at once: a scheduled sync still running is cancelled and recorded as
///   failed, the last snapshot kept, and the schedule leases are given up for the other servers.
public struct SyncScheduler: Service {
    public struct Configuration: Sendable {
        /// Time between syncs of one workspace.
        public var interval: Duration
        /// Bound of the random delay of each workspace's first turn (the interval if smaller).
        public var maximumJitter: Duration
        /// Bound of the random delay of the first sync of a workspace that has never been synced.
        public var firstSyncJitter: Duration
        /// How often the stored credentials, the schedule leases and the turns are looked at; nil: a quarter of the
        /// interval, at most a third of the service's lease time to live (10 s by default), so that a dead server's
        /// schedules are taken over soon after their leases expire (``SyncScheduler/pollInterval``).
        public var pollInterval: Duration?

        /// - Parameters: `maximumJitter` defaults to one hour, `firstSyncJitter` to 5 s.
        public init(interval: Duration, maximumJitter: Duration = .seconds(3600), firstSyncJitter: Duration = .seconds(5), pollInterval: Duration? = nil) {
            self.interval = interval
            self.maximumJitter = maximumJitter
            self.firstSyncJitter = firstSyncJitter
            self.pollInterval = pollInterval
        }
    }

    public let service: AccessService
    public let configuration: Configuration

    public init(service: AccessService, configuration: Configuration) {
        self.service = service
        self.configuration = configuration
    }

    /// How often the scheduler looks: ``Configuration/pollInterval`` when set, else a quarter of the interval, at
    /// most a third of ``AccessService/leaseTTL``.
    public var pollInterval: Duration {
        configuration.pollInterval ?? min(configuration.interval / 4, .milliseconds(Int64(service.leaseTTL * 1000 / 3)))
    }

    /// The trigger (and audit principal) of scheduled syncs.
    public static let trigger = "schedule"

    public func run() async throws {
        service.schedule.activate(interval: configuration.interval.timeInterval)
        service.logger.info("scheduled syncs every \(configuration.interval.timeInterval) s")
        let leases = ScheduleLeases(store: service.store, instance: service.instance, ttl: service.leaseTTL, logger: service.logger)
        let renewal = Task { await leases.renewWhileRunning() }
        _ = try? await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let soonest = await tick(leases)
                var pause = pollInterval
                if let soonest {  // a never-synced workspace's first turn comes before the next poll: wake for it
                    pause = min(pause, .milliseconds(Int64(max(0, soonest.timeIntervalSince(service.now())) * 1000) + 50))
                }
                try await Task.sleep(for: pause)
            }
        }
        renewal.cancel()
        await leases.releaseAll()
        service.schedule.deactivate()
    }

    /// One look at every workspace: takes the free schedule leases, then syncs the workspaces it holds whose turn
    /// has come, one after another.
    /// - Returns: the earliest first turn set by this look that has not come yet, if any.
    @discardableResult
    func tick(_ leases: ScheduleLeases) async -> Date? {
        let summaries: [CredentialSummary]
        do {
            summaries = try await service.store.credentialSummaries()
        } catch {
            service.logger.error("scheduler: cannot list credentials: \(error)")
            return nil
        }
        var effective: [String: CredentialSummary] = [:]
        for summary in summaries {  // the credential `sync` uses: the sync one, else the provision one
            if summary.purpose == .sync || effective[summary.workspaceGid] == nil { effective[summary.workspaceGid] = summary }
        }
        for workspace in await leases.take(Set(effective.keys)) {
            await resumeInterruptedTurn(workspace)
        }
        // One read of every schedule per look; a workspace whose turn is not near is left without a write.
        let stored: [String: WorkspaceSchedule]
        do {
            stored = try await service.store.workspaceSchedules()
        } catch {
            service.logger.error("scheduler: cannot read the schedules: \(error)")
            return nil
        }
        await service.schedule.retainSchedules(of: Set(effective.keys), stored: stored)
        var soonest: Date?
        for workspace in effective.keys.sorted() where leases.holds(workspace) {
            guard !Task.isCancelled, let credential = effective[workspace] else { return soonest }
            let now = service.now()
            if service.schedule.isWaiting(stored[workspace] ?? WorkspaceSchedule(), fingerprint: credential.fingerprint, now: now) { continue }
            var due: Bool?
            do {
                due = try await service.schedule.takeIfDue(workspace: workspace, fingerprint: credential.fingerprint, now: now, firstRunAt: nil)
                if due == nil {
                    // No turn yet: the first one follows its last recorded run.
                    let firstRun = await firstRunAt(workspace: workspace, now: now)
                    due = try await service.schedule.takeIfDue(workspace: workspace, fingerprint: credential.fingerprint, now: now, firstRunAt: firstRun)
                    if due == false { soonest = min(soonest ?? firstRun, firstRun) }
                }
            } catch {
                service.logger.error("scheduler: cannot read the schedule: \(error)", metadata: ["workspace": "\(workspace)"])
                continue
            }
            guard due == true else { continue }
            do {
                // A sync that finished within the interval (a manual one, on any server sharing the store) counts as
                // this turn's, which then comes one interval after it. Checked holding the workspace's sync lease: a
                // sync running at this look may finish before this one starts.
                let result = try await service.sync(workspace: workspace, principal: Self.trigger, unlessFinishedWithin: configuration.interval.timeInterval)
                service.logger.info("scheduled sync done", metadata: ["workspace": "\(workspace)", "run": "\(result.runId)"])
            } catch let recent as AccessService.RecentlySynced {
                await service.schedule.skipped(workspace: workspace, at: recent.finishedAt)
            } catch let error as RPCError where error.kind == .syncInProgress {
                service.logger.info("scheduled sync skipped: another sync of the workspace is running", metadata: ["workspace": "\(workspace)"])
                await service.schedule.skipped(workspace: workspace, at: service.now())
            } catch {
                service.logger.warning("scheduled sync failed: \(error)", metadata: ["workspace": "\(workspace)"])
            }
        }
        return soonest
    }

    /// A schedule just taken (over from a dead server, or at this server's start) whose newest run was interrupted
    /// — still `running` with nobody holding the workspace's sync lease (PostgreSQL), or closed at this server's start
    /// with ``AccessService/interruptedSyncReason`` (SQLite) — gets its turn now: the dead server had already moved
    /// the next run an interval ahead when it started that sync. The sync closes an orphaned run.
    func resumeInterruptedTurn(_ workspace: String) async {
        guard let newest = try? await service.store.syncRuns(workspaceGid: workspace, limit: 1).first else { return }
        switch newest.status {
        case .running:
            let lease = service.syncGate.prefix + workspace
            guard let holders = try? await service.store.leaseHolders(prefix: lease), holders[lease] == nil else { return }
        case .failed where newest.error == AccessService.interruptedSyncReason:
            break
        default:
            return
        }
        service.logger.notice("the workspace's last sync was interrupted; syncing it now", metadata: ["workspace": "\(workspace)", "run": "\(newest.id)"])
        await service.schedule.interrupted(workspace: workspace, at: service.now())
    }

    /// The first turn of a workspace: one interval after its last run, but not before now plus the jitter; never
    /// synced: within ``Configuration/firstSyncJitter`` of now.
    func firstRunAt(workspace: String, now: Date) async -> Date {
        func jittered(_ bound: Duration) -> Date {
            let seconds = min(bound, configuration.interval).timeInterval
            return now.addingTimeInterval(seconds > 0 ? Double.random(in: 0..<seconds) : 0)
        }
        guard let last = try? await service.store.syncRuns(workspaceGid: workspace, limit: 1).first else { return jittered(configuration.firstSyncJitter) }
        return max(jittered(configuration.maximumJitter), (last.finishedAt ?? last.startedAt).addingTimeInterval(configuration.interval.timeInterval))
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
