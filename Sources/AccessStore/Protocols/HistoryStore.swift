import AccessProtocol
import Foundation

/// Access history: every change a sync or a provision saw, with its provenance. The past pictures
/// themselves are read with ``SnapshotStore/listUsers(_:)`` and ``UserQuery/asOf``; both are written by
/// ``SnapshotStore/applySnapshot(_:at:syncRunId:)`` and ``SnapshotStore/applyProvisionChange(_:at:)``.
public protocol HistoryStore: Sendable {
    /// One page of the access changes of a workspace observed in `[query.from, query.before)`, oldest
    /// first (by `observedAt`, then `id`), with keyset pagination.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` (empty workspace gid, limit outside 1...1000);
    ///   ``AccessStoreError/invalidCursor``.
    func listAccessChanges(_ query: AccessChangeQuery) async throws -> AccessChangePage

    /// How many people were present at each of `moments` (departed people not counted), and how many of
    /// them were admins, guests and view-only (known flags only), read in ONE read transaction.
    /// - Returns: one ``AccessCounts`` per moment, in the order given.
    func accessCounts(workspaceGid: String, at moments: [Date]) async throws -> [AccessCounts]

    /// How many changes of each kind were observed in `[from, before)`.
    func accessChangeCounts(workspaceGid: String, from: Date, before: Date) async throws -> [AccessChange.Kind: Int]

    /// Deletes the history of every workspace that no moment at or after `cutoff` needs, in ONE write
    /// transaction: intervals that ended at or before it and changes observed before it. The current
    /// picture (open intervals, departed people included) is never deleted. Each workspace's
    /// ``StoredWorkspace/historyPrunedBefore`` and ``StoredWorkspace/historyFrom`` move up to `cutoff`.
    /// - Returns: the rows deleted.
    @discardableResult
    func pruneHistory(before cutoff: Date) async throws -> HistoryPruneCounts
}

/// What ``HistoryStore/pruneHistory(before:)`` deleted.
public struct HistoryPruneCounts: Sendable, Equatable {
    /// Intervals of people, team memberships and teams.
    public var intervals: Int
    /// Access changes.
    public var changes: Int

    public init(intervals: Int, changes: Int) {
        self.intervals = intervals
        self.changes = changes
    }
}

/// The people present at a moment, counted (``HistoryStore/accessCounts(workspaceGid:at:)``).
public struct AccessCounts: Sendable, Equatable {
    public var at: Date
    public var people: Int
    /// Known workspace admins.
    public var admins: Int
    /// Known guests.
    public var guests: Int
    /// Known view-only members.
    public var viewOnly: Int

    public init(at: Date, people: Int, admins: Int, guests: Int, viewOnly: Int) {
        self.at = at
        self.people = people
        self.admins = admins
        self.guests = guests
        self.viewOnly = viewOnly
    }
}

/// A page request for ``HistoryStore/listAccessChanges(_:)``. Filters combine with AND.
public struct AccessChangeQuery: Sendable, Equatable {
    /// The largest page size.
    public static let maxLimit = 1000

    /// Asana workspace gid (required).
    public var workspaceGid: String
    /// Changes observed at or after this instant.
    public var from: Date
    /// Changes observed strictly before this instant; nil: until now.
    public var before: Date?
    /// Only the changes of this person (user gid).
    public var userGid: String?
    /// Only changes of these kinds; nil: every kind.
    public var kinds: Set<AccessChange.Kind>?
    /// Page size, 1...1000.
    public var limit: Int
    /// ``AccessChangePage/nextCursor`` of the previous page, nil for the first.
    public var cursor: String?

    public init(workspaceGid: String, from: Date, before: Date? = nil, userGid: String? = nil, kinds: Set<AccessChange.Kind>? = nil,
                limit: Int = 100, cursor: String? = nil) {
        self.workspaceGid = workspaceGid
        self.from = from
        self.before = before
        self.userGid = userGid
        self.kinds = kinds
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of ``HistoryStore/listAccessChanges(_:)``.
public struct AccessChangePage: Sendable, Equatable {
    /// Oldest first.
    public var changes: [AccessChange]
    /// Pass as ``AccessChangeQuery/cursor`` (same filters) for the next page; nil on the last page.
    public var nextCursor: String?

    public init(changes: [AccessChange], nextCursor: String?) {
        self.changes = changes
        self.nextCursor = nextCursor
    }
}
