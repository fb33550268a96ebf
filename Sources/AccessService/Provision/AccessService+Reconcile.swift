import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

/// What ``AccessService/reconcileProvisionIntents(upTo:)`` found.
public struct ProvisionReconciliation: Sendable, Equatable {
    /// Open intents whose write Asana's state shows applied.
    public var applied = 0
    /// Open intents whose write Asana's state shows not applied.
    public var notApplied = 0
    /// Open intents whose outcome could not be determined (they stay open for the next reconciliation).
    public var undetermined = 0
    /// Open intents left alone because their call's server is still writing (it holds the call's lease), or another
    /// server is reconciling them.
    public var inProgress = 0

    /// Intents looked at (not counting ``inProgress``).
    public var total: Int { applied + notApplied + undetermined }

    /// Creates an empty tally.
    public init() {}
}

extension AccessService {
    /// Settles the provision writes whose intent was committed but whose outcome never was (the server
    /// stopped, was killed or lost its database between the two), by reading Asana's current state with
    /// the workspace's `provision` credential:
    ///
    /// - `workspace.addUser`: applied when the person has an active membership of the workspace;
    /// - `workspace.removeUser`: applied when they have none;
    /// - `team.addUser`: applied when they are a member of the team;
    /// - `team.removeUser`: applied when they are not.
    ///
    /// Each is recorded as a `provision.reconciled` audit event (principal: the intent's) with outcome
    /// `applied`, `notApplied`, or `undetermined` and the reason (credential missing, Asana unavailable…);
    /// the first two close the intent, an undetermined one stays open and is tried again on the next start.
    /// Run it at start, before new provisions can write: `upTo` (the newest intent id seen then) keeps
    /// intents of calls that started after it out. A call's intents are taken only with its lease (`provision:<call id>`),
    /// which a live call holds: on a store shared by several servers, another server's call in progress is left alone.
    /// - Throws: a storage error when the open intents cannot be read; a failure to record one intent's result
    ///   is logged and that intent stays open.
    @discardableResult
    public func reconcileProvisionIntents(upTo: Int64? = nil) async throws -> ProvisionReconciliation {
        var tally = ProvisionReconciliation()
        let open = try await store.openProvisionIntents(upTo: upTo)
        guard !open.isEmpty else { return tally }
        var clients: [String: Result<AsanaClient, RPCError>] = [:]
        // A call's intents are settled holding the call's lease: taken, it proves the call's server is gone (it held
        // the lease while writing) and keeps another server's reconciliation off the same intents.
        let calls = Dictionary(grouping: open, by: \.draft.callId).sorted { ($0.value.first?.id ?? 0) < ($1.value.first?.id ?? 0) }
        for (callId, intents) in calls {
            do {
                try await provisionCallGate.withLease(callId, busy: { CallInProgress() }) {
                    if tally.applied + tally.notApplied + tally.undetermined == 0 {
                        logger.notice("reconciling provision writes left without an outcome", metadata: ["count": "\(open.count)"])
                    }
                    try await reconcile(intents, clients: &clients, tally: &tally)
                }
            } catch is CallInProgress {
                tally.inProgress += intents.count
            }
        }
        if tally.applied + tally.notApplied + tally.undetermined > 0 {
            logger.notice("reconciled provision writes", metadata: [
                "applied": "\(tally.applied)", "notApplied": "\(tally.notApplied)", "undetermined": "\(tally.undetermined)",
                "stillInProgress": "\(tally.inProgress)",
            ])
        }
        return tally
    }

    /// The lease of a call whose server is still writing (or another server reconciling it).
    private struct CallInProgress: Error {}

    /// Settles `intents` (one call's) against Asana, as ``reconcileProvisionIntents(upTo:)`` describes.
    private func reconcile(_ intents: [ProvisionIntent], clients: inout [String: Result<AsanaClient, RPCError>],
                           tally: inout ProvisionReconciliation) async throws {
        for intent in intents {
            let workspace = intent.draft.workspaceGid
            if clients[workspace] == nil {
                do {
                    clients[workspace] = .success(try await client(workspace: workspace, purpose: .provision))
                } catch let error as RPCError {
                    clients[workspace] = .failure(error)
                } catch {
                    clients[workspace] = .failure(.internalError("\(error)"))
                }
            }
            let observed: Result<Bool, RPCError>
            switch clients[workspace]! {
            case .failure(let error): observed = .failure(error)
            case .success(let client): observed = await Self.isApplied(intent.draft, client: client)
            }
            let params = ProvisionWriteAudit(id: intent.id, draft: intent.draft)
            do {
                switch observed {
                case .success(let applied):
                    let outcome: ProvisionIntentOutcome = applied ? .applied : .notApplied
                    try await audit(principal: intent.draft.principal, method: ProvisionJournal.reconciledMethod, params: params,
                                    result: ["note": "reconciled after restart: \(applied ? "applied" : "not applied")"], outcome: outcome.rawValue)
                    try await store.resolveProvisionIntent(id: intent.id, outcome: outcome, at: now())
                    if applied { tally.applied += 1 } else { tally.notApplied += 1 }
                case .failure(let error):
                    try await audit(principal: intent.draft.principal, method: ProvisionJournal.reconciledMethod, params: params,
                                    result: ReconciledUndetermined(
                                      note: "reconciled after restart: could not be determined (\(error.message))", error: error),
                                    outcome: "undetermined")
                    try await store.noteProvisionIntentUndetermined(id: intent.id)
                    tally.undetermined += 1
                }
            } catch {
                logger.error("could not record a reconciled provision write", metadata: ["intent": "\(intent.id)", "error": "\(error)"])
                tally.undetermined += 1
            }
        }
    }

    /// Whether Asana's state is what the write of `draft` would have made it.
    private static func isApplied(_ draft: ProvisionIntentDraft, client: AsanaClient) async -> Result<Bool, RPCError> {
        do {
            let memberships: [AsanaWorkspaceMembership]
            do {
                memberships = try await client.workspaceMembership(workspace: draft.workspaceGid, user: draft.userGid ?? draft.email)
            } catch AsanaAPIError.badRequest, AsanaAPIError.notFound {
                memberships = []  // Asana does not know the person at all
            }
            let isActive = memberships.contains { $0.isActive == true }
            switch draft.operation {
            case .addToWorkspace: return .success(isActive)
            case .removeFromWorkspace: return .success(!isActive)
            case .addToTeam, .removeFromTeam:
                guard let userGid = draft.userGid ?? memberships.compactMap(\.user?.gid).first else {
                    return .success(draft.operation == .removeFromTeam)  // unknown to Asana: in no team
                }
                let inTeam = try await client.teamMemberships(team: draft.teamGid ?? "").contains { $0.user?.gid == userGid }
                return .success(draft.operation == .addToTeam ? inTeam : !inTeam)
            }
        } catch let error as AsanaAPIError {
            return .failure(AccessError.upstream(error))
        } catch let error as RPCError {
            return .failure(error)
        } catch {
            return .failure(.internalError("\(error)"))
        }
    }
}

/// The `result` of an undetermined `provision.reconciled` audit event.
private struct ReconciledUndetermined: Encodable {
    var note: String
    var error: RPCError
}

extension ProvisionWrite {
    /// The write an intent describes.
    init(_ draft: ProvisionIntentDraft) {
        self.init(operation: draft.operation, workspaceGid: draft.workspaceGid, teamGid: draft.teamGid, email: draft.email,
                  userGid: draft.userGid, userRef: draft.userRef)
    }
}
