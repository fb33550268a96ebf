import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

/// The steps of provisioning one person and what each did. Used by one task only.
final class ProvisionRun {
    let client: AsanaClient
    let workspace: WorkspaceRef
    /// The organization's email domains (lower-cased); an email outside them joins as a guest.
    let emailDomains: Set<String>
    /// When true, writes are recorded in the targets' `calls` but not sent.
    let dryRun: Bool
    /// The gid of the user whose credential provisions; they are never removed from the workspace.
    let provisionerGid: String?
    /// When false, adding an email outside ``emailDomains`` in an organization is refused (`provision.outside_domain`).
    let allowGuest: Bool
    /// Where each write's intent and outcome are committed; nil for a dry run.
    let journal: ProvisionJournal?
    private(set) var user: Provision.User
    private(set) var targets: [Provision.Target] = []
    private var calls: [String] = []

    init(client: AsanaClient, workspace: WorkspaceRef, emailDomains: [String], email: String, dryRun: Bool, provisionerGid: String?,
         allowGuest: Bool = false, journal: ProvisionJournal?) {
        self.allowGuest = allowGuest
        self.client = client
        self.workspace = workspace
        self.emailDomains = Set(emailDomains.map { $0.lowercased() })
        self.dryRun = dryRun
        self.provisionerGid = provisionerGid
        self.journal = journal
        self.user = Provision.User(gid: nil, name: nil, email: email)
    }

    /// Workspace first, then each team; stops at the first failed step.
    func add(teams: [AsanaTeam]) async {
        let outside = outsideDomain
        if let outside { user.guest = outside }
        let joined = await step(.workspace, gid: workspace.gid, name: workspace.name) {
            if let membership = try await self.activeMembership() {
                self.adopt(membership.user)
                if outside != nil, let isGuest = membership.isGuest { self.user.guest = isGuest }
                return .alreadyMember
            }
            if outside == true, !self.allowGuest {
                throw AccessError.provisionOutsideDomain(self.user.email, domains: self.emailDomains.sorted(), workspace: self.workspace.gid)
            }
            let known = try await self.client.user(self.user.email)
            self.adopt(known)
            do {
                try await self.write(.addToWorkspace, user: self.user.email) {
                    self.adopt(try await self.client.addUser(self.user.email, toWorkspace: self.workspace.gid))
                } verify: {
                    guard let membership = try await self.activeMembership() else { return false }
                    self.adopt(membership.user)
                    return true
                }
            } catch AsanaAPIError.forbidden(let message) {
                throw await self.explainRefusedAdd(message)
            }
            return known == nil ? .invited : .added
        }
        guard joined else { return }
        for team in teams {
            let done = await step(.team, gid: team.gid, name: team.name) {
                if let gid = self.user.gid, try await self.isMember(gid, of: team) { return .alreadyMember }
                let reference = self.user.gid ?? self.user.email
                try await self.write(.addToTeam, team: team.gid, user: reference) {
                    _ = try await self.client.addUser(reference, toTeam: team.gid)
                } verify: {
                    guard let gid = self.user.gid else { return false }
                    return try await self.isMember(gid, of: team)
                }
                return .added
            }
            guard done else { return }
        }
    }

    /// Without teams: out of the workspace; Asana drops the team memberships with it, and each
    /// is reported as a `team` target `removed` with no calls of its own.
    /// With teams: out of those teams only; stops at the first failed step.
    func remove(teams: [AsanaTeam]) async {
        guard !teams.isEmpty else {
            var droppedTeams: [AsanaTeam] = []
            let removed = await step(.workspace, gid: workspace.gid, name: workspace.name) {
                guard let membership = try await self.activeMembership() else { return .notMember }
                self.adopt(membership.user)
                if let gid = self.user.gid, gid == self.provisionerGid {
                    throw AccessError.selfRemoval(self.user.email)
                }
                if self.workspace.isOrganization, let gid = self.user.gid {
                    droppedTeams = try await self.client.teamMemberships(user: gid, workspace: self.workspace.gid).compactMap(\.team)
                }
                let reference = self.user.gid ?? self.user.email
                try await self.write(.removeFromWorkspace, user: reference) {
                    try await self.client.removeUser(reference, fromWorkspace: self.workspace.gid)
                } verify: {
                    try await self.activeMembership() == nil
                }
                return .removed
            }
            // Asana drops the team memberships with the workspace membership: report each, with no call of its own.
            if removed {
                for team in droppedTeams {
                    targets.append(Provision.Target(type: .team, gid: team.gid, name: team.name, outcome: .removed, calls: []))
                }
            }
            return
        }
        for team in teams {
            let done = await step(.team, gid: team.gid, name: team.name) {
                if self.user.gid == nil { self.adopt(try await self.activeMembership()?.user) }
                guard let gid = self.user.gid, try await self.isMember(gid, of: team) else { return .notMember }
                try await self.write(.removeFromTeam, team: team.gid, user: gid) {
                    try await self.client.removeUser(gid, fromTeam: team.gid)
                } verify: {
                    try await !self.isMember(gid, of: team)
                }
                return .removed
            }
            guard done else { return }
        }
    }

    /// Runs one step and records its target with the writes it made; `false` when it failed.
    private func step(_ type: Provision.TargetType, gid: String, name: String?, _ body: () async throws -> Provision.Outcome) async -> Bool {
        calls = []
        do {
            let outcome = try await body()
            targets.append(Provision.Target(type: type, gid: gid, name: name, outcome: outcome, calls: calls))
            return true
        } catch {
            let rpcError = (error as? AsanaAPIError).map(AccessError.upstream) ?? (error as? RPCError) ?? AccessError.storage(error) ?? .internalError("\(error)")
            targets.append(Provision.Target(type: type, gid: gid, name: name, outcome: .failed, calls: calls, error: rpcError))
            return false
        }
    }

    /// How many times a write is sent at most when Asana's answer was lost (5xx, connection).
    static let maximumWriteAttempts = 3

    /// Records a write as `METHOD PATH {"user":…}` and performs it unless this is a dry run.
    ///
    /// Write-ahead: each send is preceded by its intent, committed in the ``journal``, and followed by
    /// its outcome; if the intent cannot be committed, nothing is sent and the step fails.
    ///
    /// A POST is never blindly retried: when Asana answers 5xx or the connection fails, the write
    /// may or may not have happened. `verify` re-reads Asana's state; if the change is there the
    /// write counts as done, otherwise it is sent again (at most ``maximumWriteAttempts`` times).
    private func write(_ operation: ProvisionWriteOperation, team: String? = nil, user: String, _ perform: () async throws -> Void,
                       verify: () async throws -> Bool) async throws {
        let write = ProvisionWrite(operation: operation, workspaceGid: workspace.gid, teamGid: team, email: self.user.email,
                                   userGid: self.user.gid, userRef: user)
        calls.append(write.call)
        guard !dryRun else { return }
        var attempt = 1
        while true {
            let intent = try await journal?.begin(write, attempt: attempt)
            do {
                try await perform()
                if let intent { await journal?.finish(intent, write, attempt: attempt, error: nil) }
                return
            } catch {
                if let intent { await journal?.finish(intent, write, attempt: attempt, error: error) }
                guard let asanaError = error as? AsanaAPIError, asanaError.isTransient, attempt < Self.maximumWriteAttempts else { throw error }
                if try await verify() { return }
                attempt += 1
            }
        }
    }

    /// Why Asana refused (403) to add the person to the workspace, read from Asana's state rather than from
    /// its wording (the exact answers are not documented by Asana):
    /// 1. the provisioning user is not an active admin → `provision.not_admin`;
    /// 2. the email is outside the organization's email domains (the person would join as a guest) →
    ///    `provision.guest_not_allowed`;
    /// 3. the person has only inactive memberships (removed before) → `provision.not_readdable`;
    /// otherwise Asana's refusal as it is (`upstream.forbidden`). Asana's message is kept in each.
    private func explainRefusedAdd(_ message: String) async -> any Error {
        let refusal = AsanaAPIError.forbidden(message: message)
        do {
            let me = try await client.me()
            let mine = try await client.workspaceMembership(workspace: workspace.gid, user: me.gid)
            if !mine.contains(where: { $0.isActive == true && $0.isAdmin == true }) {
                return AccessError.provisionNotAdmin(me.email ?? me.gid, workspace: workspace.gid, asanaMessage: message)
            }
            let domain = user.email.split(separator: "@").last.map { $0.lowercased() } ?? ""
            if workspace.isOrganization, !emailDomains.isEmpty, !emailDomains.contains(domain) {
                return AccessError.provisionGuestNotAllowed(user.email, domains: emailDomains.sorted(), asanaMessage: message)
            }
            let theirs = (try? await client.workspaceMembership(workspace: workspace.gid, user: user.email)) ?? []
            if !theirs.isEmpty, !theirs.contains(where: { $0.isActive == true }) {
                return AccessError.provisionNotReaddable(user.email, asanaMessage: message)
            }
        } catch {
            return refusal
        }
        return refusal
    }

    /// Whether the email's domain is outside the organization's email domains (case-insensitive): `nil` when the
    /// workspace is not an organization or Asana listed no domains (nothing to compare with: no check is made).
    var outsideDomain: Bool? {
        guard workspace.isOrganization, !emailDomains.isEmpty else { return nil }
        return !emailDomains.contains(Self.domain(of: user.email))
    }

    /// The lower-cased part after the last `@`.
    static func domain(of email: String) -> String {
        email.split(separator: "@").last.map { $0.lowercased() } ?? ""
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

    /// Takes the person as Asana knows them: gid, name, and email as Asana spells it (the email given to
    /// `provision` may differ in case; the snapshot and the answer hold Asana's).
    private func adopt(_ asanaUser: AsanaUser?) {
        guard let asanaUser else { return }
        user.gid = asanaUser.gid
        user.name = asanaUser.name ?? user.name
        if let email = asanaUser.email, email.caseInsensitiveCompare(user.email) == .orderedSame { user.email = email }
    }
}
