import AccessStore
import AsanaAPI
import Foundation
import LineRPC

extension AccessService {
    /// Adds a person to, or removes them from, a workspace and its teams, with the workspace's
    /// `provision` credential (whose user must be a workspace admin, asana-api.md §6.6).
    ///
    /// Reads current membership first so that a repeated call changes nothing and says so
    /// (`alreadyMember`, `notMember`). Adds go workspace first, then teams. A failed step is reported
    /// in its target (`failed` with the error) and stops the steps after it; steps already done stay
    /// done and are written to the snapshot and the audit log.
    /// - Throws: `credential.missing`, `team.not_found`, `team.ambiguous`, `upstream.*` when nothing was changed.
    public func provision(_ params: ProvisionParams, principal: String?) async throws -> ProvisionResult {
        let email = params.email.trimmingCharacters(in: .whitespaces)
        guard email.contains("@"), !email.hasPrefix("@"), !email.hasSuffix("@") else {
            throw RPCError.invalidParams("Invalid params: \"email\" must be an email address", field: "email")
        }
        let token = try openCredential(workspace: params.workspace, purpose: .provision)
        let client = asana.client(token: token)
        do {
            let details = try await client.workspace(gid: params.workspace)
            let workspace = WorkspaceRef(gid: details.gid, name: details.name ?? details.gid, isOrganization: details.isOrganization ?? false)
            let teams = try await resolveTeamsLive(params.teams ?? [], workspace: params.workspace, client: client)
            let run = ProvisionRun(client: client, workspace: workspace, email: email)
            switch params.action {
            case .add: await run.add(teams: teams)
            case .remove: await run.remove(teams: teams)
            }
            let result = ProvisionResult(workspace: workspace, action: params.action, user: run.user, targets: run.targets)
            try recordProvision(run, params: params, result: result)
            try audit(principal: principal, method: "provision", params: params, result: result,
                      outcome: run.targets.contains { $0.outcome == .failed } ? "partial" : "ok")
            return result
        } catch let error as AsanaAPIError {
            let rpcError = AccessError.upstream(error)
            try? audit(principal: principal, method: "provision", params: params, result: ["error": rpcError], outcome: rpcError.name ?? "upstream")
            throw rpcError
        }
    }

    /// Resolves teams by gid or exact name against Asana's live list (the snapshot may be older).
    private func resolveTeamsLive(_ names: [String], workspace: String, client: AsanaClient) async throws -> [AsanaTeam] {
        guard !names.isEmpty else { return [] }
        let all = try await client.teams(workspace: workspace)
        return try names.map { wanted in
            if let byGid = all.first(where: { $0.gid == wanted }) { return byGid }
            let named = all.filter { $0.name == wanted }
            switch named.count {
            case 1: return named[0]
            case 0: throw AccessError.teamNotFound(wanted, workspace: workspace)
            default: throw AccessError.teamAmbiguous(wanted, gids: named.map(\.gid))
            }
        }
    }

    /// Writes what a provision changed into the snapshot, so `listUsers` shows it before the next sync.
    private func recordProvision(_ run: ProvisionRun, params: ProvisionParams, result: ProvisionResult) throws {
        guard let gid = run.user.gid, try store.workspace(gid: params.workspace) != nil else { return }
        let workspaceTarget = run.targets.first { $0.type == "workspace" }
        let workspaceAction: ProvisionChange.WorkspaceAction =
            switch (params.action, workspaceTarget?.outcome) {
            case (.add, .added?), (.add, .alreadyMember?): .added
            case (.remove, .removed?): .removed
            default: .none
            }
        let teamsAdded = run.targets.filter { $0.type == "team" && ($0.outcome == .added || $0.outcome == .alreadyMember) && params.action == .add }
            .map { SnapshotTeam(gid: $0.gid, name: $0.name ?? $0.gid) }
        let teamsRemoved = run.targets.filter { $0.type == "team" && ($0.outcome == .removed || $0.outcome == .notMember) && params.action == .remove }
            .map(\.gid)
        try store.applyProvisionChange(ProvisionChange(
            workspaceGid: params.workspace,
            user: SnapshotUser(gid: gid, name: run.user.name, email: run.user.email,
                               isActive: workspaceAction == .added ? true : (workspaceAction == .removed ? false : nil),
                               isAdmin: nil, isGuest: nil, isViewOnly: nil),
            workspaceAction: workspaceAction, teamsAdded: teamsAdded, teamsRemoved: teamsRemoved), at: now())
    }
}

/// The steps of one provision call and what each did. Used by one task only.
final class ProvisionRun {
    let client: AsanaClient
    let workspace: WorkspaceRef
    private(set) var user: ProvisionedUser
    private(set) var targets: [ProvisionTarget] = []

    init(client: AsanaClient, workspace: WorkspaceRef, email: String) {
        self.client = client
        self.workspace = workspace
        self.user = ProvisionedUser(gid: nil, name: nil, email: email)
    }

    /// Workspace first, then each team; stops at the first failed step.
    func add(teams: [AsanaTeam]) async {
        let joined = await step("workspace", gid: workspace.gid, name: workspace.name) {
            if let membership = try await self.activeMembership() {
                self.adopt(membership.user)
                return .alreadyMember
            }
            self.adopt(try await self.client.addUser(self.user.email, toWorkspace: self.workspace.gid))
            return .added
        }
        guard joined else { return }
        for team in teams {
            let done = await step("team", gid: team.gid, name: team.name) {
                if let gid = self.user.gid, try await self.isMember(gid, of: team) { return .alreadyMember }
                _ = try await self.client.addUser(self.user.gid ?? self.user.email, toTeam: team.gid)
                return .added
            }
            guard done else { return }
        }
    }

    /// Without teams: out of the workspace (Asana drops the team memberships with it).
    /// With teams: out of those teams only; stops at the first failed step.
    func remove(teams: [AsanaTeam]) async {
        guard !teams.isEmpty else {
            _ = await step("workspace", gid: workspace.gid, name: workspace.name) {
                guard let membership = try await self.activeMembership() else { return .notMember }
                self.adopt(membership.user)
                try await self.client.removeUser(self.user.gid ?? self.user.email, fromWorkspace: self.workspace.gid)
                return .removed
            }
            return
        }
        for team in teams {
            let done = await step("team", gid: team.gid, name: team.name) {
                if self.user.gid == nil { self.adopt(try await self.activeMembership()?.user) }
                guard let gid = self.user.gid, try await self.isMember(gid, of: team) else { return .notMember }
                try await self.client.removeUser(gid, fromTeam: team.gid)
                return .removed
            }
            guard done else { return }
        }
    }

    /// Runs one step and records its target; `false` when it failed, so the caller skips the rest.
    private func step(_ type: String, gid: String, name: String?, _ body: () async throws -> ProvisionOutcome) async -> Bool {
        do {
            targets.append(ProvisionTarget(type: type, gid: gid, name: name, outcome: try await body()))
            return true
        } catch {
            let rpcError = (error as? AsanaAPIError).map(AccessError.upstream) ?? (error as? RPCError) ?? .internalError("\(error)")
            targets.append(ProvisionTarget(type: type, gid: gid, name: name, outcome: .failed, error: rpcError))
            return false
        }
    }

    /// The person's active membership of the workspace, if any (Asana keeps inactive ones after a removal).
    private func activeMembership() async throws -> AsanaWorkspaceMembership? {
        do {
            return try await client.workspaceMembership(workspace: workspace.gid, user: user.email).first { $0.isActive == true }
        } catch AsanaAPIError.badRequest, AsanaAPIError.notFound {
            return nil  // Asana does not know the email at all
        }
    }

    private func isMember(_ userGid: String, of team: AsanaTeam) async throws -> Bool {
        try await client.teamMemberships(team: team.gid).contains { $0.user?.gid == userGid }
    }

    private func adopt(_ asanaUser: AsanaUser?) {
        guard let asanaUser else { return }
        user.gid = asanaUser.gid
        user.name = asanaUser.name ?? user.name
    }
}
