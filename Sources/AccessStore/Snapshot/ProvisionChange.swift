/// What a provisioning call just did in Asana, to be reflected in the stored picture at once
/// (``SnapshotStore/applyProvisionChange(_:at:)``) rather than at the next sync.
public struct ProvisionChange: Sendable, Equatable {
    /// What happened to the person's workspace membership.
    public enum WorkspaceAction: String, Codable, Sendable, CaseIterable {
        /// Added (or re-added): the row is upserted with `isActive = true` and `departedAt = nil`.
        case added
        /// Removed: `isActive = false`, `departedAt = at`, and their team memberships are deleted.
        case removed
        /// Untouched: only the team changes apply.
        case none
    }

    /// Asana workspace gid.
    public var workspaceGid: String
    /// The person as Asana answered (gid known). Nil fields keep what the store had.
    public var user: SnapshotUser
    /// What happened to the workspace membership.
    public var workspaceAction: WorkspaceAction
    /// Teams the person was added to (team rows are created or renamed as given). Ignored with `.removed`.
    public var teamsAdded: [SnapshotTeam]
    /// Gids of teams the person was removed from.
    public var teamsRemoved: [String]
    /// Who provisioned: history records it with each change.
    public var principal: String
    /// The provision call's id (the `callId` of its `provision.intent` and `provision.outcome` audit events).
    public var callId: String

    /// Creates a value from all of its fields.
    public init(workspaceGid: String, user: SnapshotUser, workspaceAction: WorkspaceAction, teamsAdded: [SnapshotTeam] = [], teamsRemoved: [String] = [],
                principal: String, callId: String) {
        self.workspaceGid = workspaceGid
        self.user = user
        self.workspaceAction = workspaceAction
        self.teamsAdded = teamsAdded
        self.teamsRemoved = teamsRemoved
        self.principal = principal
        self.callId = callId
    }
}
