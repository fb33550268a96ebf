import Foundation

/// `listAccessChanges`: every change of people's access to a workspace between two moments, oldest first,
/// with what it was before and after and who or what saw it (protocol.md §5, `listAccessChanges`). Role: reader.
public enum ListAccessChanges: AccessMethod {
    /// `{workspace, since, until?, person?, kinds?, limit?, cursor?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name.
        public var workspace: String
        /// Changes observed from this moment: a date-time (included), a date (from its start, UTC), or a sync
        /// run id (the changes after that run).
        public var since: PointInTime
        /// Changes observed up to this moment: a date-time (excluded), a date (to its end, UTC, the day
        /// included), or a sync run id (the changes up to and including that run's). Absent: until now.
        public var until: PointInTime?
        /// Only the changes of this person: a user gid or an email (case-insensitive).
        public var person: String?
        /// Only changes of these kinds (``AccessChange/Kind``).
        public var kinds: [AccessChange.Kind]?
        /// Page size, 1 to 1,000 (default 100).
        public var limit: Int?
        /// `nextCursor` of the previous page of the same query.
        public var cursor: String?

        public init(workspace: String, since: PointInTime, until: PointInTime? = nil, person: String? = nil,
                    kinds: [AccessChange.Kind]? = nil, limit: Int? = nil, cursor: String? = nil) {
            self.workspace = workspace
            self.since = since
            self.until = until
            self.person = person
            self.kinds = kinds
            self.limit = limit
            self.cursor = cursor
        }
    }

    /// `{workspace, from, before, changes, nextCursor?}`.
    public struct Result: Codable, Sendable, Equatable {
        public var workspace: WorkspaceRef
        /// The first millisecond of the window (`since` resolved).
        public var from: Date
        /// The first millisecond after the window (`until` resolved); `null` when `until` was not given.
        @Nullable public var before: Date?
        /// Oldest first (by `observedAt`, then `id`).
        public var changes: [AccessChange]
        /// Pass as `cursor` for the next page; absent on the last page.
        public var nextCursor: String?

        public init(workspace: WorkspaceRef, from: Date, before: Date?, changes: [AccessChange], nextCursor: String?) {
            self.workspace = workspace
            self.from = from
            self.before = before
            self.changes = changes
            self.nextCursor = nextCursor
        }
    }

    public static let name = "listAccessChanges"
    public static let summary = "Changes of people's access to a workspace between two moments, oldest first, with before and after values and provenance."
    public static let minimumRole: AccessRole? = .reader
    public static let paramNames: Set<String> = ["workspace", "since", "until", "person", "kinds", "limit", "cursor"]
    /// Default `limit`.
    public static let defaultLimit = 100
    /// Largest `limit`.
    public static let maximumLimit = 1000
}
