import AccessStore
import Foundation
import Logging
import Synchronization

/// The workspaces whose schedule this server's ``SyncScheduler`` runs: it holds a lease (``LeaseStore``) named
/// `schedule:<workspace gid>` for each, so each workspace's schedule runs on exactly one server at a time.
///
/// The scheduler takes the free leases of the workspaces it sees at each look (``take(_:)``) and renews those it
/// holds every third of ``ttl`` in a task of its own (``renewWhileRunning()``), however long a sync runs. A server
/// that dies stops renewing: its leases expire within ``ttl`` and another server's scheduler takes them at its next
/// look.
final class ScheduleLeases: Sendable {
    static let prefix = "schedule:"

    let store: any LeaseStore
    /// This scheduler, in every lease it holds: `host:pid:random/schedule`.
    let holder: String
    /// Seconds a lease lives without renewal.
    let ttl: TimeInterval
    let logger: Logger
    private let held = Mutex<Set<String>>([])

    init(store: any LeaseStore, instance: String, ttl: TimeInterval, logger: Logger) {
        self.store = store
        self.holder = "\(instance)/schedule"
        self.ttl = ttl
        self.logger = logger
    }

    /// Whether this scheduler holds `workspace`'s schedule.
    func holds(_ workspace: String) -> Bool {
        held.withLock { $0.contains(workspace) }
    }

    /// Takes the free leases of `workspaces` and gives up those of workspaces no longer among them.
    /// A store failure leaves the lease as it was (logged): taken at a later look, or expiring on its own.
    /// - Returns: the workspaces taken by this call.
    @discardableResult
    func take(_ workspaces: Set<String>) async -> Set<String> {
        var taken: Set<String> = []
        let current = held.withLock { $0 }
        for workspace in current.subtracting(workspaces) {
            held.withLock { _ = $0.remove(workspace) }
            await release(workspace)
        }
        for workspace in workspaces.subtracting(current).sorted() {
            do {
                if try await store.acquireLease(Self.prefix + workspace, holder: holder, ttl: ttl) {
                    held.withLock { _ = $0.insert(workspace) }
                    taken.insert(workspace)
                    logger.info("took over the sync schedule of a workspace", metadata: ["workspace": "\(workspace)"])
                }
            } catch {
                logger.warning("could not take a workspace's schedule lease", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
            }
        }
        return taken
    }

    /// Renews the held leases every third of ``ttl`` until cancelled; a lease another server took meanwhile (this
    /// one could not reach the store for longer than ``ttl``) is dropped.
    func renewWhileRunning() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(ttl / 3))
            guard !Task.isCancelled else { return }
            for workspace in held.withLock({ $0 }).sorted() {
                do {
                    if try await !store.renewLease(Self.prefix + workspace, holder: holder, ttl: ttl) {
                        held.withLock { _ = $0.remove(workspace) }
                        logger.warning("lost the sync schedule of a workspace to another server", metadata: ["workspace": "\(workspace)"])
                    }
                } catch {
                    logger.warning("could not renew a workspace's schedule lease", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
                }
            }
        }
    }

    /// Gives up every lease held (the scheduler stops: another server may take the schedules at once).
    func releaseAll() async {
        let current = held.withLock { held in
            defer { held = [] }
            return held
        }
        for workspace in current { await release(workspace) }
    }

    private func release(_ workspace: String) async {
        do {
            try await store.releaseLease(Self.prefix + workspace, holder: holder)
        } catch {
            logger.warning("could not release a workspace's schedule lease; it expires on its own",
                           metadata: ["workspace": "\(workspace)", "error": "\(error)"])
        }
    }
}
