import AccessStore
import Foundation
import LineRPC

/// Params of `listUsers`.
public struct ListUsersParams: RPCParams {
    public static let memberNames: Set<String> = ["workspace", "active", "admin", "guest", "team", "query", "includeDeparted", "limit", "cursor"]
    /// Workspace gid (the RPC method also takes an exact name, resolved before this runs).
    public var workspace: String
    /// Only people whose workspace membership is (not) active; unknown never matches.
    public var active: Bool?
    public var admin: Bool?
    public var guest: Bool?
    /// Only members of this team, by gid or exact name.
    public var team: String?
    /// Case-insensitive substring of name or email.
    public var query: String?
    /// Include people who have left (default false).
    public var includeDeparted: Bool?
    /// Page size, 1...1000 (default 100).
    public var limit: Int?
    /// `nextCursor` of the previous page.
    public var cursor: String?
}

/// The answer to `listUsers`.
public struct ListUsersResult: Codable, Sendable {
    public var workspace: WorkspaceRef
    /// When the snapshot was last refreshed by a sync.
    public var syncedAt: Date?
    public var users: [StoredUser]
    /// Pass as `cursor` to get the next page; absent on the last page.
    public var nextCursor: String?
}

extension AccessService {
    /// Largest `limit` of `listUsers`.
    public static let maximumPageSize = 1000

    /// Reads one page of people from the last snapshot of a workspace, sorted by name then gid.
    /// - Throws: `-32602` for a `limit` outside 1...1000 or a bad cursor; `workspace.not_synced`; `team.not_found`, `team.ambiguous`.
    public func listUsers(_ params: ListUsersParams) throws -> ListUsersResult {
        try Self.checkGid(params.workspace)
        let limit = params.limit ?? 100
        guard (1...Self.maximumPageSize).contains(limit) else {
            throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and \(Self.maximumPageSize)", field: "limit")
        }
        guard let workspace = try store.workspace(gid: params.workspace) else {
            throw AccessError.workspaceNotSynced(params.workspace)
        }
        let teamGid = try params.team.map { try resolveTeam($0, workspace: params.workspace) }
        let page: UserPage
        do {
            page = try store.listUsers(UserQuery(
                workspaceGid: params.workspace, active: params.active, admin: params.admin, guest: params.guest,
                teamGid: teamGid, query: params.query, includeDeparted: params.includeDeparted ?? false,
                limit: limit, cursor: params.cursor))
        } catch AccessStoreError.invalidCursor {
            throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued for this query", field: "cursor")
        }
        return ListUsersResult(
            workspace: WorkspaceRef(gid: workspace.gid, name: workspace.name, isOrganization: workspace.isOrganization),
            syncedAt: workspace.lastSyncedAt, users: page.users, nextCursor: page.nextCursor)
    }

    /// The gid of a team of the snapshot given by gid or exact name.
    func resolveTeam(_ team: String, workspace: String) throws -> String {
        let teams = try store.teams(workspaceGid: workspace)
        if teams.contains(where: { $0.gid == team }) { return team }
        let named = teams.filter { $0.name == team }
        switch named.count {
        case 1: return named[0].gid
        case 0: throw AccessError.teamNotFound(team, workspace: workspace)
        default: throw AccessError.teamAmbiguous(team, gids: named.map(\.gid))
        }
    }
}
