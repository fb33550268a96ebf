import Foundation

/// A workspace the store has a snapshot of.
public struct StoredWorkspace: Codable, Sendable, Equatable {
    /// Asana workspace gid.
    public var gid: String
    /// Display name.
    public var name: String
    /// Whether the workspace is an organization (has teams and email domains).
    public var isOrganization: Bool
    /// When the last snapshot was applied.
    public var lastSyncedAt: Date?
    /// The last sync run that finished `succeeded` for this workspace.
    public var lastSyncRunId: Int64?
    /// From when its history is complete: its first snapshot, or for a workspace synced before history was
    /// kept, when the store started keeping it (earlier pictures are the then-stored state carried back).
    public var historyFrom: Date?
    /// History before this moment was pruned (``HistoryStore/pruneHistory(before:)``): no picture or change
    /// before it is kept. Nil when nothing was pruned.
    public var historyPrunedBefore: Date?

    /// Creates a value from all of its fields.
    public init(gid: String, name: String, isOrganization: Bool, lastSyncedAt: Date?, lastSyncRunId: Int64?, historyFrom: Date? = nil,
                historyPrunedBefore: Date? = nil) {
        self.gid = gid
        self.name = name
        self.isOrganization = isOrganization
        self.lastSyncedAt = lastSyncedAt
        self.lastSyncRunId = lastSyncRunId
        self.historyFrom = historyFrom
        self.historyPrunedBefore = historyPrunedBefore
    }
}
