import AccessMetrics
import AccessProtocol
import AccessStore
import Foundation
import Metrics
import Synchronization

/// Sets the gauges that are state, read when Prometheus scrapes rather than pushed as things happen:
/// open connections and queued answer bytes (``RuntimeStatus``), seconds since each workspace's last
/// committed sync and whether its scheduled syncs are paused (both only for workspaces with a sync or
/// provision credential), the state of each stored credential, and the audit chain's head.
///
/// Series of a workspace or credential that is gone are removed, so a deleted credential does not keep
/// reporting its last state and a workspace without a credential to sync with no sync age. `workspace` is
/// the only label that holds a gid: it is bounded by the workspaces with a credential.
public final class OperationalGauges: Sendable {
    /// The `state` label values of ``ServerMetrics/credentialState``.
    /// `refused`: Asana refused it (401, 403) at the workspace's last sync, which used it (from the sync schedule).
    public static let credentialStates = ["active", "refused", "reauthorization_required", "unreadable"]

    private let store: any AccessStore
    private let status: RuntimeStatus
    private let now: @Sendable () -> Date

    private struct State {
        /// Label sets set at the last collection, to remove those that disappear.
        var ageWorkspaces: Set<String> = []
        var pausedWorkspaces: Set<String> = []
        var credentialKeys: Set<CredentialKey> = []
        /// Whether a credential opened, by its fingerprint and last update (unsealed once per version, not every scrape).
        var opens: [String: Bool] = [:]
    }

    private struct CredentialKey: Hashable {
        let workspace: String
        let purpose: String
    }

    private let state = Mutex(State())

    public init(store: any AccessStore, status: RuntimeStatus, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.status = status
        self.now = now
    }

    /// Reads the store and the server and sets every state gauge. A store that cannot be read leaves the
    /// store-backed gauges as they were (the scrape still answers; `/readyz` reports the store).
    public func collect() async {
        Gauge(label: ServerMetrics.rpcOpenConnections.name).record(status.openConnections)
        Gauge(label: ServerMetrics.rpcQueuedAnswerBytes.name).record(status.queuedAnswerBytes)
        guard let workspaces = try? await store.workspaces(), let credentials = try? await store.credentialSummaries() else { return }
        let at = now()
        // The workspaces a scheduler syncs: those with a sync or provision credential.
        let syncable = Set(credentials.filter { $0.purpose == .sync || $0.purpose == .provision }.map(\.workspaceGid))
        let schedule = try? await status.schedule?.observed()

        var ages: Set<String> = []
        for workspace in workspaces where syncable.contains(workspace.gid) {
            guard let synced = workspace.lastSyncedAt else { continue }
            ages.insert(workspace.gid)
            Gauge(label: ServerMetrics.syncLastSuccessAge.name, dimensions: [("workspace", workspace.gid)])
                .record(max(0, at.timeIntervalSince(synced)))
        }

        var paused: Set<String> = []
        if let schedule, schedule.active {
            for gid in syncable {
                paused.insert(gid)
                Gauge(label: ServerMetrics.syncSchedulePaused.name, dimensions: [("workspace", gid)]).record(schedule.paused.contains(gid) ? 1 : 0)
            }
        }

        var keys: Set<CredentialKey> = []
        for credential in credentials {
            let key = CredentialKey(workspace: credential.workspaceGid, purpose: credential.purpose.rawValue)
            keys.insert(key)
            let current: String
            if credential.state == .reauthorizationRequired {
                current = "reauthorization_required"
            } else {
                current = !(await opens(credential)) ? "unreadable"
                    : schedule?.refusedFingerprints[key.workspace] == credential.fingerprint ? "refused" : "active"
            }
            for state in Self.credentialStates {
                Gauge(label: ServerMetrics.credentialState.name, dimensions: [("workspace", key.workspace), ("purpose", key.purpose), ("state", state)])
                    .record(state == current ? 1 : 0)
            }
        }

        let (goneAges, gonePaused, goneKeys) = state.withLock { state in
            defer { state.ageWorkspaces = ages; state.pausedWorkspaces = paused; state.credentialKeys = keys }
            return (state.ageWorkspaces.subtracting(ages), state.pausedWorkspaces.subtracting(paused), state.credentialKeys.subtracting(keys))
        }
        for gid in gonePaused {
            Gauge(label: ServerMetrics.syncSchedulePaused.name, dimensions: [("workspace", gid)]).destroy()
        }
        for gid in goneAges {
            Gauge(label: ServerMetrics.syncLastSuccessAge.name, dimensions: [("workspace", gid)]).destroy()
        }
        for key in goneKeys {
            for state in Self.credentialStates {
                Gauge(label: ServerMetrics.credentialState.name, dimensions: [("workspace", key.workspace), ("purpose", key.purpose), ("state", state)]).destroy()
            }
        }

        if let head = try? await store.auditEvents(limit: 1).first?.id {
            Gauge(label: ServerMetrics.auditHeadSequence.name).record(head)
        } else {
            Gauge(label: ServerMetrics.auditHeadSequence.name).record(0)
        }
    }

    /// Whether the sealed secret of `credential` opens under the master key (remembered per fingerprint and update).
    private func opens(_ credential: CredentialSummary) async -> Bool {
        let version = "\(credential.workspaceGid)/\(credential.purpose.rawValue)/\(credential.fingerprint)/\(credential.updatedAt.timeIntervalSince1970)"
        if let known = state.withLock({ $0.opens[version] }) { return known }
        let opened: Bool
        do {
            opened = try await store.openCredentialWithSummary(workspaceGid: credential.workspaceGid, purpose: credential.purpose) != nil
        } catch AccessStoreError.credentialTampered {
            opened = false
        } catch {
            return true  // a storage error says nothing of the credential: not cached, asked again next time
        }
        state.withLock { $0.opens[version] = opened }
        return opened
    }
}
