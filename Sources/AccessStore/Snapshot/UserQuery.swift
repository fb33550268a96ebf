import Foundation

/// A page request for ``SnapshotStore/listUsers(_:)``.
///
/// Filters combine with AND. A Bool filter matches only rows where the flag is known and equal:
/// `active == true` means `isActive == 1`; rows with an unknown flag match neither `true` nor `false`.
public struct UserQuery: Sendable, Equatable {
    /// The largest page size (``limit`` range is `1...maxLimit`).
    public static let maxLimit = 1000
    /// The longest ``query`` text, in characters.
    public static let maxQueryLength = 256

    /// Asana workspace gid (required, non-empty).
    public var workspaceGid: String
    /// Filter on workspace membership `is_active`.
    public var active: Bool?
    /// Filter on workspace membership `is_admin`.
    public var admin: Bool?
    /// Filter on workspace membership `is_guest`.
    public var guest: Bool?
    /// `true`: only people with at least one unknown membership flag (`isActive`, `isAdmin`, `isGuest`,
    /// `isViewOnly` NULL, e.g. synced with a token that could not read workspace memberships); `false`: only
    /// people whose four flags are all known.
    public var flagsUnknown: Bool?
    /// Only members of this team.
    public var teamGid: String?
    /// Case-insensitive (Unicode lowercase) substring of the name or the email. Blank = no filter.
    public var query: String?
    /// Include people with a `departedAt`; default false. Implied by ``changedSince``.
    public var includeDeparted: Bool
    /// Only people whose row changed strictly after this time (`changedAt > changedSince`), departed
    /// people included; each user then carries ``StoredUser/change``.
    public var changedSince: Date?
    /// The picture as of this instant, from history (each person and team membership as the interval
    /// covering it holds); nil for the current picture. Not with ``changedSince``.
    public var asOf: Date?
    /// Load each user's teams (default true); when false, ``StoredUser/teams`` is empty and the teams query is skipped.
    public var includeTeams: Bool
    /// Page size, 1...1000.
    public var limit: Int
    /// ``UserPage/nextCursor`` of the previous page, nil for the first page.
    public var cursor: String?

    /// Creates a value from all of its fields.
    public init(workspaceGid: String, active: Bool? = nil, admin: Bool? = nil, guest: Bool? = nil, flagsUnknown: Bool? = nil, teamGid: String? = nil, query: String? = nil, includeDeparted: Bool = false, changedSince: Date? = nil, asOf: Date? = nil, includeTeams: Bool = true, limit: Int = 100, cursor: String? = nil) {
        self.workspaceGid = workspaceGid
        self.active = active
        self.admin = admin
        self.guest = guest
        self.flagsUnknown = flagsUnknown
        self.teamGid = teamGid
        self.query = query
        self.includeDeparted = includeDeparted
        self.changedSince = changedSince
        self.asOf = asOf
        self.includeTeams = includeTeams
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of ``SnapshotStore/listUsers(_:)``.
public struct UserPage: Sendable, Equatable {
    /// Sorted by name (case-insensitive, unknown names first as "") then gid.
    public var users: [StoredUser]
    /// Pass as ``UserQuery/cursor`` (same filters) for the next page; nil on the last page.
    public var nextCursor: String?
    /// The workspace row as read in the same transaction as the page (nil when no snapshot of it was applied).
    public var workspace: StoredWorkspace?
    /// With ``UserQuery/asOf``: the last sync run of the workspace committed (`succeeded` or `partial`) at or
    /// before that instant, which the picture stands on; nil when there is none.
    public var standingRun: StandingRun?

    /// Creates a value from all of its fields.
    public init(users: [StoredUser], nextCursor: String?, workspace: StoredWorkspace? = nil, standingRun: StandingRun? = nil) {
        self.users = users
        self.nextCursor = nextCursor
        self.workspace = workspace
        self.standingRun = standingRun
    }
}

/// The sync run a past picture stands on.
public struct StandingRun: Sendable, Equatable {
    /// Sync run id.
    public var id: Int64
    /// When it committed its snapshot.
    public var finishedAt: Date

    public init(id: Int64, finishedAt: Date) {
        self.id = id
        self.finishedAt = finishedAt
    }
}

/// The opaque keyset cursor: base64url (no padding) of JSON `{"n": sortName, "g": gid}`,
/// the sort key of the last user of a page.
struct UserCursor: KeysetCursor, Equatable {
    /// `ifnull(name, '')` of the last row.
    var n: String
    /// gid of the last row.
    var g: String

    static let maximumLength = 4096
    var isWellFormed: Bool { !g.isEmpty }
}
