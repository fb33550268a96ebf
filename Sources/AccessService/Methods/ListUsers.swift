import AccessProtocol
import AccessStore
import Foundation
import LineRPC

/// Params of `listUsers`.
public struct ListUsersParams: RPCParams {
    public static let memberNames: Set<String> = ["workspace", "active", "admin", "guest", "flagsUnknown", "team", "query", "includeDeparted", "changedSince", "fields", "limit", "cursor"]
    /// Workspace gid (the RPC method also takes an exact name, resolved before this runs).
    public var workspace: String
    /// Only people whose workspace membership is (not) active; unknown never matches.
    public var active: Bool?
    public var admin: Bool?
    public var guest: Bool?
    /// `true`: only people with an unknown membership flag (`null`, never guessed); `false`: only people whose flags are all known.
    public var flagsUnknown: Bool?
    /// Only members of this team, by gid or exact name.
    public var team: String?
    /// Case-insensitive substring of name or email.
    public var query: String?
    /// Include people who have left (default false). Implied by `changedSince`.
    public var includeDeparted: Bool?
    /// Only people whose row changed after this time, or after this sync run finished; departed people included.
    public var changedSince: ChangedSince?
    /// Members of each user to return (`gid` always); nil = all.
    public var fields: [String]?
    /// Page size, 1...1000 (default 100).
    public var limit: Int?
    /// `nextCursor` of the previous page.
    public var cursor: String?
}

/// `changedSince` of `listUsers`: an ISO 8601 time (a JSON string) or a sync run id (a JSON integer).
public enum ChangedSince: Decodable, Sendable, Equatable {
    case time(String)
    case run(Int64)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let id = try? container.decode(Int64.self) {
            self = .run(id)
        } else if let text = try? container.decode(String.self) {
            self = .time(text)
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "must be an ISO 8601 date-time string or a sync run id (an integer)"))
        }
    }
}

/// The answer to `listUsers`.
public struct ListUsersResult: Encodable, Sendable {
    public var workspace: WorkspaceRef
    /// When the snapshot was last refreshed by a sync (read in the same transaction as `users`).
    public var syncedAt: Date?
    /// The time `changedSince` stood for (the run's `finishedAt` for a run id); nil without `changedSince`.
    public var changedSince: Date?
    public var users: [StoredUser]
    /// Pass as `cursor` to get the next page; absent on the last page.
    public var nextCursor: String?
    /// The user members to encode (`fields`); nil = all. Not itself encoded.
    public var fields: Set<String>?

    enum CodingKeys: String, CodingKey { case workspace, syncedAt, changedSince, users, nextCursor }

    /// Encodes `changedSince` only when the call gave it, `nextCursor` only when there is a next page,
    /// and each user with the members `fields` selects.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workspace, forKey: .workspace)
        try container.encode(syncedAt, forKey: .syncedAt)
        try container.encodeIfPresent(changedSince, forKey: .changedSince)
        try container.encode(users.map { SelectedUser(user: $0, fields: fields) }, forKey: .users)
        try container.encodeIfPresent(nextCursor, forKey: .nextCursor)
    }

    private struct SelectedUser: Encodable {
        var user: StoredUser
        var fields: Set<String>?
        func encode(to encoder: any Encoder) throws { try user.encode(to: encoder, members: fields) }
    }
}

extension AccessService {
    /// Largest `limit` of `listUsers`.
    public static let maximumPageSize = 1000

    /// Reads one page of people from the last snapshot of a workspace, sorted by name then gid.
    ///
    /// The page (people, their teams, `syncedAt`) is one read transaction: one consistent snapshot,
    /// even while a sync commits. Pages of one listing are separate reads (protocol.md, `listUsers`).
    /// - Throws: `-32602` for a `limit` outside 1...1000, a bad cursor, a `changedSince` that is neither
    ///   an ISO 8601 time nor a finished run of this workspace, or an unknown name in `fields`;
    ///   `sync_run.not_found`; `workspace.not_synced`; `team.not_found`, `team.ambiguous`.
    public func listUsers(_ params: ListUsersParams) throws -> ListUsersResult {
        try Self.checkGid(params.workspace)
        let limit = params.limit ?? 100
        guard (1...Self.maximumPageSize).contains(limit) else {
            throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and \(Self.maximumPageSize)", field: "limit")
        }
        let fields = try params.fields.map(Self.checkFields)
        guard try store.workspace(gid: params.workspace) != nil else {
            throw AccessError.workspaceNotSynced(params.workspace)
        }
        let changedSince = try params.changedSince.map { try changedSinceTime($0, workspace: params.workspace) }
        let teamGid = try params.team.map { try resolveTeam($0, workspace: params.workspace) }
        let page: UserPage
        do {
            page = try store.listUsers(UserQuery(
                workspaceGid: params.workspace, active: params.active, admin: params.admin, guest: params.guest, flagsUnknown: params.flagsUnknown,
                teamGid: teamGid, query: params.query, includeDeparted: params.includeDeparted ?? false,
                changedSince: changedSince, includeTeams: fields?.contains("teams") ?? true,
                limit: limit, cursor: params.cursor))
        } catch AccessStoreError.invalidCursor {
            throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued for this query", field: "cursor")
        }
        guard let workspace = page.workspace else { throw AccessError.workspaceNotSynced(params.workspace) }
        return ListUsersResult(
            workspace: WorkspaceRef(gid: workspace.gid, name: workspace.name, isOrganization: workspace.isOrganization),
            syncedAt: workspace.lastSyncedAt, changedSince: changedSince, users: page.users, nextCursor: page.nextCursor,
            fields: fields)
    }

    /// `fields` as a set, every name a member of the user object.
    /// - Throws: `-32602` naming the first unknown member.
    static func checkFields(_ fields: [String]) throws -> Set<String> {
        let known = Set(StoredUser.memberNames)
        for (index, name) in fields.enumerated() where !known.contains(name) {
            throw RPCError.invalidParams(
                "Invalid params: \"fields\" names \"\(name.prefix(64))\", which is not a member of a user (members: \(StoredUser.memberNames.joined(separator: ", ")))",
                field: "fields[\(index)]")
        }
        return Set(fields)
    }

    /// The time `changedSince` stands for: the ISO 8601 time given, or the `finishedAt` of the sync run given.
    /// - Throws: `-32602` for a bad time, a run of another workspace or a run still running; `1030 sync_run.not_found`.
    func changedSinceTime(_ value: ChangedSince, workspace: String) throws -> Date {
        switch value {
        case .time(let text):
            guard let date = Self.parseISO8601(text) else {
                throw RPCError.invalidParams(
                    "Invalid params: \"changedSince\" must be an ISO 8601 date-time such as 2025-01-31T09:00:00Z, or a sync run id (an integer)",
                    field: "changedSince")
            }
            return date
        case .run(let id):
            guard let run = try store.syncRun(id: id) else {
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
