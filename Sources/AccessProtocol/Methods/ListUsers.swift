import Foundation

/// `listUsers`: one page of the people of a workspace from its last snapshot, filtered, sorted by name
/// then gid, with keyset pagination (protocol.md §5, `listUsers`). Role: reader or above.
public enum ListUsers: AccessMethod {
    /// `{workspace, active?, admin?, guest?, flagsUnknown?, team?, query?, includeDeparted?, changedSince?, asOf?, fields?, limit?, cursor?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name.
        public var workspace: String
        /// Only people whose workspace membership is (not) active; unknown never matches.
        public var active: Bool?
        /// Only workspace admins (`true`) or non-admins (`false`); unknown never matches.
        public var admin: Bool?
        /// Only guests (`true`) or non-guests (`false`); unknown never matches.
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
        /// The picture as of a past moment instead of the last snapshot: an ISO 8601 date-time, a date (its
        /// end: the picture after that UTC day), or a sync run id (as that run left it). Not with `changedSince`.
        public var asOf: PointInTime?
        /// Members of each person to return (`gid` always); all when absent. Names: ``Person/Member``.
        public var fields: [String]?
        /// Page size, 1 to 1,000 (default 100).
        public var limit: Int?
        /// `nextCursor` of the previous page of the same query.
        public var cursor: String?

        public init(workspace: String, active: Bool? = nil, admin: Bool? = nil, guest: Bool? = nil, flagsUnknown: Bool? = nil,
                    team: String? = nil, query: String? = nil, includeDeparted: Bool? = nil, changedSince: ChangedSince? = nil,
                    asOf: PointInTime? = nil, fields: [String]? = nil, limit: Int? = nil, cursor: String? = nil) {
            self.workspace = workspace
            self.active = active
            self.admin = admin
            self.guest = guest
            self.flagsUnknown = flagsUnknown
            self.team = team
            self.query = query
            self.includeDeparted = includeDeparted
            self.changedSince = changedSince
            self.asOf = asOf
            self.fields = fields
            self.limit = limit
            self.cursor = cursor
        }
    }

    /// `changedSince`: an ISO 8601 date-time, a date (its start, UTC) or a sync run id (when it committed).
    public typealias ChangedSince = PointInTime

    /// `{workspace, syncedAt, changedSince?, asOf?, users, nextCursor?}`.
    public struct Result: Codable, Sendable, Equatable {
        public var workspace: WorkspaceRef
        /// When a sync last refreshed the snapshot (read in the same transaction as `users`); null before any.
        /// With `asOf`: when the sync the picture stands on committed.
        @Nullable public var syncedAt: Date?
        /// The time `changedSince` stood for (the run's `finishedAt` for a run id); absent without `changedSince`.
        public var changedSince: Date?
        /// What a past picture stands on; absent without `asOf`.
        public var asOf: AsOf?
        /// The page, sorted by name then gid.
        public var users: [Person]
        /// Pass as `cursor` for the next page; absent on the last page.
        public var nextCursor: String?

        public init(workspace: WorkspaceRef, syncedAt: Date?, changedSince: Date?, asOf: AsOf? = nil, users: [Person], nextCursor: String?) {
            self.workspace = workspace
            self.syncedAt = syncedAt
            self.changedSince = changedSince
            self.asOf = asOf
            self.users = users
            self.nextCursor = nextCursor
        }
    }

    /// `{time, syncRunId, historyFrom}`: the moment a past picture shows, the last sync run committed at or
    /// before it (the picture is what that run saw plus the provisions done through this server up to that
    /// moment), and from when the workspace's history is complete (an earlier picture is the state stored
    /// when history began, carried back to when each person was first seen).
    public struct AsOf: Codable, Sendable, Equatable {
        public var time: Date
        public var syncRunId: Int64
        public var historyFrom: Date

        public init(time: Date, syncRunId: Int64, historyFrom: Date) {
            self.time = time
            self.syncRunId = syncRunId
            self.historyFrom = historyFrom
        }
    }

    public static let name = "listUsers"
    public static let summary = "Query the people of a workspace from its last snapshot or as of a past moment, with filters and keyset pagination."
    public static let minimumRole: AccessRole? = .reader
    public static let paramNames: Set<String> = [
        "workspace", "active", "admin", "guest", "flagsUnknown", "team", "query", "includeDeparted", "changedSince", "asOf", "fields", "limit", "cursor",
    ]
    /// Largest `limit`.
    public static let maximumLimit = 1000
}
