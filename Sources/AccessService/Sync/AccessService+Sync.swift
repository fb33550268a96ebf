import AccessStore
import AsanaAPI
import Foundation
import LineRPC

extension AccessService {
    /// Most team-membership listings fetched at once; Asana allows 50 concurrent reads per token (asana-api.md §8).
    static let teamMembershipConcurrency = 8

    /// Pulls users, workspace memberships, teams and team memberships of `workspace` from Asana and
    /// commits them as one snapshot, in one transaction.
    ///
    /// `workspace` is a gid or an exact name (resolved with ``resolveWorkspace(_:field:)``).
    /// Uses the `sync` credential of the workspace, or its `provision` credential when there is none.
    /// - Throws: `credential.missing`, `sync.in_progress`, `upstream.*` (protocol.md, "Errors"). A failed
    ///   sync records a failed run and leaves the last snapshot untouched.
    ///
    /// Every outcome moves the schedule (``SyncSchedule``): a success sets the next scheduled run one
    /// interval later and lifts a pause; a credential failure (`upstream.unauthorized`,
    /// `credential.unreadable`) pauses scheduled syncs of the workspace.
    public func sync(workspace: String, principal: String?, progress: @escaping @Sendable (String) async -> Void = { _ in }) async throws -> SyncResult {
        let workspace = try await resolveWorkspace(workspace)
        let fingerprint = try? syncCredentialFingerprint(workspace: workspace)
        do {
            let result = try await syncResolved(workspace: workspace, principal: principal, progress: progress)
            await schedule.succeeded(workspace: workspace, capabilities: result.capabilities, at: result.finishedAt)
            return result
        } catch let error as RPCError {
            await schedule.failed(workspace: workspace, error: error, fingerprint: fingerprint, at: now())
            throw error
        }
    }

    /// The fingerprint of the credential `sync` uses for `workspace` (sync, else provision), or nil when there is none.
    func syncCredentialFingerprint(workspace: String) throws -> String? {
        let stored = try store.credentialSummaries().filter { $0.workspaceGid == workspace }
        return (stored.first { $0.purpose == .sync } ?? stored.first { $0.purpose == .provision })?.fingerprint
    }

    private func syncResolved(workspace: String, principal: String?, progress: @escaping @Sendable (String) async -> Void) async throws -> SyncResult {
        let token: String
        do {
            token = try openCredential(workspace: workspace, purpose: .sync)
        } catch let error as RPCError where error.name == "credential.missing" {
            // No sync credential: an admin's provision credential can read too. If there is neither,
            // name the sync credential, the one a read-only job should get.
            do {
                token = try openCredential(workspace: workspace, purpose: .provision)
            } catch let fallback as RPCError where fallback.name == "credential.missing" {
                throw error
            }
        }
        guard await syncGate.enter(workspace) else { throw AccessError.syncInProgress(workspace) }
        do {
            let result = try await runSync(workspace: workspace, token: token, principal: principal, progress: progress)
            await syncGate.leave(workspace)
            return result
        } catch {
            await syncGate.leave(workspace)
            throw error
        }
    }

    private func runSync(workspace: String, token: String, principal: String?, progress: @escaping @Sendable (String) async -> Void) async throws -> SyncResult {
        let started = ContinuousClock.now
        let runID = try store.startSyncRun(workspaceGid: workspace, trigger: principal ?? "anonymous", at: now())
        let client = asana.client(token: token)
        do {
            await progress("workspace")
            let details = try await client.workspace(gid: workspace)
            await progress("users")
            let users = try await client.users(workspace: workspace)
            await progress("workspaceMemberships")
            let memberships: [AsanaWorkspaceMembership]?
            do {
                memberships = try await client.workspaceMemberships(workspace: workspace)
            } catch AsanaAPIError.forbidden {
                memberships = nil  // e.g. a granular-scope OAuth token: flags become unknown, never guessed
            }
            var teams: [AsanaTeam] = []
            var teamMemberships: [String: [AsanaTeamMembership]] = [:]
            if details.isOrganization == true {
                await progress("teams")
                teams = try await client.teams(workspace: workspace)
                await progress("teamMemberships")
                teamMemberships = try await Self.fetchTeamMemberships(teams, client: client)
            }
            let snapshot = SnapshotBuilder.build(workspace: details, users: users, memberships: memberships, teams: teams, teamMemberships: teamMemberships)
            await progress("commit")
            let finishedAt = now()
            let counts = try store.applySnapshot(snapshot, at: finishedAt)
            try store.finishSyncRun(id: runID, status: .succeeded, counts: counts, apiCalls: client.requestCount, error: nil, at: finishedAt)
            let result = SyncResult(
                workspace: WorkspaceRef(gid: workspace, name: snapshot.workspace.name, isOrganization: snapshot.workspace.isOrganization),
                runId: runID, users: counts.users, added: counts.added, updated: counts.updated, departed: counts.departed,
                teams: counts.teams, teamMemberships: counts.teamMemberships,
                apiCalls: client.requestCount, rateLimited: client.rateLimitedCount,
                durationMs: (ContinuousClock.now - started).milliseconds,
                capabilities: SyncCapabilities(membershipFlags: memberships != nil, teams: details.isOrganization == true),
                finishedAt: finishedAt)
            try audit(principal: principal, method: "sync", params: ["workspace": workspace], result: result, outcome: "ok")
            return result
        } catch {
            let rpcError = (error as? AsanaAPIError).map(AccessError.upstream) ?? (error as? RPCError)
            try? store.finishSyncRun(id: runID, status: .failed, counts: nil, apiCalls: client.requestCount, error: "\(rpcError ?? RPCError.internalError("\(error)"))", at: now())
            try? audit(principal: principal, method: "sync", params: ["workspace": workspace], result: ["runId": runID], outcome: rpcError?.name ?? "rpc.internal_error")
            if let rpcError { throw rpcError }
            throw error
        }
    }

    /// Lists the members of every team, at most ``teamMembershipConcurrency`` listings at once.
    private static func fetchTeamMemberships(_ teams: [AsanaTeam], client: AsanaClient) async throws -> [String: [AsanaTeamMembership]] {
        try await withThrowingTaskGroup(of: (String, [AsanaTeamMembership]).self) { group in
            var result: [String: [AsanaTeamMembership]] = [:]
            var pending = teams[...]
            func startNext() {
                guard let team = pending.popFirst() else { return }
                group.addTask { (team.gid, try await client.teamMemberships(team: team.gid)) }
            }
            for _ in 0..<min(teamMembershipConcurrency, teams.count) { startNext() }
            while let (gid, memberships) = try await group.next() {
                result[gid] = memberships
                startNext()
            }
            return result
        }
    }
}
