import AccessProtocol
import Foundation

/// The stored picture of each workspace (people, teams, team memberships), replaced by each sync's
/// snapshot and amended by provisioning, and the reads of it (`listUsers`, changes since a time).
public protocol SnapshotStore: Sendable {
    /// Replaces the stored picture of `snapshot.workspace` with `snapshot`, in ONE write
    /// transaction: it commits whole or not at all.
    ///
    /// - The workspace row is upserted with `lastSyncedAt = at`.
    /// - Present people are inserted or updated (`lastSeenAt = at`); a departed person who is
    ///   present again has `departedAt` cleared and counts as added. Nil flags are stored as unknown.
    /// - People with a row but absent from the snapshot are kept, with `departedAt = at` and
    ///   `isActive = false` (absent from a complete sync means no membership at all).
    /// - `changedAt = at` exactly for the people counted as added, updated or departed; `addedAt = at`
    ///   for those counted as added.
    /// - Teams absent from the snapshot are deleted; team memberships of the workspace are
    ///   replaced by the snapshot's (those naming an absent user or team are ignored).
    /// - Partial team data: with ``WorkspaceSnapshot/preservesAllTeams`` no team is deleted, renamed or
    ///   added and every stored membership is kept; the memberships of each team in
    ///   ``WorkspaceSnapshot/preservedTeamGids`` are kept as stored. Kept memberships of people who depart
    ///   in this snapshot are removed all the same (a departed person has no team). All in the same transaction.
    ///
    /// History (``HistoryStore``), in the same transaction: each change of a person, a team membership or
    /// a team name closes the interval it ends and opens the next at `at`, and each change of a person's
    /// access is recorded with `syncRunId`, observed at `at`, not before the workspace's previous snapshot.
    /// Nothing is added to history for what did not change.
    ///
    /// Only apply a snapshot whose users listing was complete: it marks absent people departed.
    /// - Returns: counts as defined on ``SnapshotCounts``; `teams` and `teamMemberships` count what is
    ///   stored after the apply, preserved rows included.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when a workspace, user or team gid is empty.
    @discardableResult
    func applySnapshot(_ snapshot: WorkspaceSnapshot, at: Date, syncRunId: Int64?) async throws -> SnapshotCounts

    /// Reflects a provisioning call in the stored picture at once (one transaction), without a sync.
    ///
    /// - `.added`: upserts the person with `isActive = true`, `departedAt = nil`, `lastSeenAt = at`;
    ///   nil fields of `change.user` keep the stored values.
    /// - `.removed`: sets `isActive = false`, `departedAt = at` (kept if already departed) and deletes the
    ///   person's team memberships; does nothing for a person the store has never seen.
    /// - `.none`: upserts the person's known fields (a new row keeps the flags given, unknown otherwise).
    /// - Then, except for `.removed`: `teamsAdded` are upserted as teams and memberships (flags unknown),
    ///   and memberships of `teamsRemoved` are deleted (removals win over additions of the same team).
    /// - `changedAt = at` when the person's name, email, flags, team memberships or departure changed;
    ///   `addedAt = at` when the person is new or back after having departed.
    /// - History as for a snapshot, each change recorded with the change's principal and call id, observed
    ///   (and not before) `at`.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the workspace, user or a team gid is empty.
    func applyProvisionChange(_ change: ProvisionChange, at: Date) async throws

    /// One page of the people of a workspace, filtered, sorted by (name case-insensitive, gid), with
    /// keyset pagination (``UserQuery/cursor``). With ``UserQuery/changedSince``, only the people whose
    /// row changed after it, departed people included, each with its ``StoredUser/change``.
    ///
    /// The page, its teams and ``UserPage/workspace`` are read in ONE read transaction, so a page is
    /// one consistent snapshot even while a snapshot is being committed. Separate pages are separate
    /// reads: a commit between two pages shows in the later one.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` (empty workspace gid, limit outside 1...1000,
    ///   query text longer than 256 characters); ``AccessStoreError/invalidCursor``.
    func listUsers(_ query: UserQuery) async throws -> UserPage

    /// The person of a workspace whose gid, or else whose email (case-insensitive), is `gidOrEmail`;
    /// departed people included (a present person first when several share the email). Nil when unknown.
    func user(workspaceGid: String, gidOrEmail: String) async throws -> StoredUser?

    /// The stored workspace, or nil when no snapshot of it was applied.
    func workspace(gid: String) async throws -> StoredWorkspace?

    /// Every stored workspace, sorted by name (case-insensitive) then gid.
    func workspaces() async throws -> [StoredWorkspace]

    /// The teams of a workspace with their stored member counts, sorted by name (case-insensitive) then gid.
    func teams(workspaceGid: String) async throws -> [StoredTeam]

    /// The teams of a workspace whose gid or (exact) name is `gidOrName`, with their member counts, sorted as
    /// ``teams(workspaceGid:)``: what resolving a `team` param needs, without counting every team's members
    /// (at 150,000 team memberships the whole list costs about 14 ms).
    func teams(workspaceGid: String, gidOrName: String) async throws -> [StoredTeam]
}

extension SnapshotStore {
    /// ``applySnapshot(_:at:syncRunId:)`` outside a sync run (history records no run id).
    @discardableResult
    public func applySnapshot(_ snapshot: WorkspaceSnapshot, at: Date) async throws -> SnapshotCounts {
        try await applySnapshot(snapshot, at: at, syncRunId: nil)
    }
}
