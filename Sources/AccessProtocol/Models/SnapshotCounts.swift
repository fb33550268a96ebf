/// What applying a snapshot changed (the store's `applySnapshot`).
public struct SnapshotCounts: Codable, Sendable, Equatable {
    /// People present in the snapshot (distinct gids).
    public var users: Int
    /// Present people with no row before, or whose row was departed (they returned).
    public var added: Int
    /// Present people with a non-departed row whose name, email, membership flags or team
    /// memberships (set of teams, or a team-membership flag) changed.
    public var updated: Int
    /// Rows absent from the snapshot that were not departed before; now departed.
    public var departed: Int
    /// Teams in the snapshot (distinct gids).
    public var teams: Int
    /// Team memberships stored (distinct, naming a present user and team).
    public var teamMemberships: Int

    /// Creates a value from all of its fields.
    public init(users: Int = 0, added: Int = 0, updated: Int = 0, departed: Int = 0, teams: Int = 0, teamMemberships: Int = 0) {
        self.users = users
        self.added = added
        self.updated = updated
        self.departed = departed
        self.teams = teams
        self.teamMemberships = teamMemberships
    }
}
