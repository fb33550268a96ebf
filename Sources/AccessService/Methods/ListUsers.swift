import AccessProtocol
import AccessStore
import Foundation
import LineRPC

extension AccessService {
    /// Largest `limit` of `listUsers`.
    public static let maximumPageSize = ListUsers.maximumLimit

    /// Reads one page of people from the last snapshot of a workspace, sorted by name then gid.
    ///
    /// The page (people, their teams, `syncedAt`) is one read transaction: one consistent snapshot,
    /// even while a sync commits. Pages of one listing are separate reads (protocol.md, `listUsers`).
    /// - Throws: `-32602` for a `limit` outside 1...1000, a bad cursor, a `changedSince` that is neither
    ///   an ISO 8601 time nor a finished run of this workspace, or an unknown name in `fields`;
    ///   `sync_run.not_found`; `workspace.not_synced`; `team.not_found`, `team.ambiguous`.
    public func listUsers(_ params: ListUsers.Params) async throws -> ListUsers.Result {
        try Self.checkGid(params.workspace)
        let limit = params.limit ?? 100
        guard (1...Self.maximumPageSize).contains(limit) else {
            throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and \(Self.maximumPageSize)", field: "limit")
        }
        let fields = try params.fields.map(Self.checkFields)
        guard try await store.workspace(gid: params.workspace) != nil else {
            let credentialStored = try await store.credentialSummaries().contains { $0.workspaceGid == params.workspace }
            throw AccessError.workspaceNotSynced(params.workspace, credentialStored: credentialStored)
        }
        var changedSince: Date?
        if let value = params.changedSince { changedSince = try await changedSinceTime(value, workspace: params.workspace) }
        var teamGid: String?
        if let team = params.team { teamGid = try await resolveTeam(team, workspace: params.workspace) }
        let page: UserPage
        do {
            page = try await store.listUsers(UserQuery(
                workspaceGid: params.workspace, active: params.active, admin: params.admin, guest: params.guest, flagsUnknown: params.flagsUnknown,
                teamGid: teamGid, query: params.query, includeDeparted: params.includeDeparted ?? false,
                changedSince: changedSince, includeTeams: fields?.contains(.teams) ?? true,
                limit: limit, cursor: params.cursor))
        } catch AccessStoreError.invalidCursor {
            throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued for this query", field: "cursor")
        }
        guard let workspace = page.workspace else { throw AccessError.workspaceNotSynced(params.workspace) }
        return ListUsers.Result(
            workspace: WorkspaceRef(gid: workspace.gid, name: workspace.name, isOrganization: workspace.isOrganization),
            syncedAt: workspace.lastSyncedAt, changedSince: changedSince, users: page.users.map { Person($0, members: fields) },
            nextCursor: page.nextCursor)
    }

    /// `fields` as a set of ``Person/Member``.
    /// - Throws: `-32602` naming the first unknown member.
    static func checkFields(_ fields: [String]) throws -> Set<Person.Member> {
        try Set(fields.enumerated().map { index, name in
            guard let member = Person.Member(stringValue: name) else {
                throw RPCError.invalidParams(
                    "Invalid params: \"fields\" names \"\(name.prefix(64))\", which is not a member of a user (members: \(Person.Member.allCases.map(\.rawValue).joined(separator: ", ")))",
                    field: "fields[\(index)]")
            }
            return member
        })
    }

    /// The time `changedSince` stands for: the ISO 8601 time given, or the `finishedAt` of the sync run given.
    /// - Throws: `-32602` for a bad time, a run of another workspace or a run still running; `1030 sync_run.not_found`.
    func changedSinceTime(_ value: ListUsers.ChangedSince, workspace: String) async throws -> Date {
        switch value {
        case .time(let text):
            guard let date = Self.parseTimeOrDate(text) else {
                throw RPCError.invalidParams(
                    "Invalid params: \"changedSince\" must be an ISO 8601 date-time such as 2025-01-31T09:00:00Z, a date such as 2025-01-31 (its start, UTC), or a sync run id (an integer)",
                    field: "changedSince")
            }
            return date
        case .run(let id):
            guard let run = try await store.syncRun(id: id) else {
                throw RPCError(.syncRunNotFound, message: "No sync run \(id)", details: ["id": .integer(id)])
            }
            guard run.workspaceGid == workspace else {
                throw RPCError.invalidParams(
                    "Invalid params: \"changedSince\" names sync run \(id) of workspace \(run.workspaceGid), not of \(workspace)",
                    field: "changedSince")
            }
            guard let finishedAt = run.finishedAt else {
                throw RPCError.invalidParams("Invalid params: \"changedSince\" names sync run \(id), which has not finished", field: "changedSince")
            }
            return finishedAt
        }
    }

    /// The gid of a team of the snapshot given by gid or exact name.
    func resolveTeam(_ team: String, workspace: String) async throws -> String {
        let teams = try await store.teams(workspaceGid: workspace)
        if teams.contains(where: { $0.gid == team }) { return team }
        let named = teams.filter { $0.name == team }
        switch named.count {
        case 1: return named[0].gid
        case 0:
            let close = CloseNames.close(to: team, among: teams) { $0.name }.map { (gid: $0.gid, name: $0.name) }
            throw AccessError.teamNotFound(team, workspace: workspace, closeNames: close)
        default: throw AccessError.teamAmbiguous(team, gids: named.map(\.gid))
        }
    }
}

extension Person {
    /// `stored` as `listUsers` answers it, with the `members` a call's `fields` chose (all when nil).
    init(_ stored: StoredUser, members: Set<Member>?) {
        self.init(
            gid: stored.gid, name: stored.name, email: stored.email, isActive: stored.isActive, isAdmin: stored.isAdmin,
            isGuest: stored.isGuest, isViewOnly: stored.isViewOnly,
            teams: stored.teams.map { Team(gid: $0.gid, name: $0.name, isAdmin: $0.isAdmin, isGuest: $0.isGuest, isLimitedAccess: $0.isLimitedAccess) },
            firstSeenAt: stored.firstSeenAt, lastSeenAt: stored.lastSeenAt, departedAt: stored.departedAt, changedAt: stored.changedAt,
            change: stored.change.map { Change(rawValue: $0.rawValue) ?? .updated }, members: members)
    }
}
