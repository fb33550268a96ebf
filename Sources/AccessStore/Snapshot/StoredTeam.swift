/// A team of a workspace, with how many people the store has in it.
public struct StoredTeam: Codable, Sendable, Equatable {
    /// Asana team gid.
    public var gid: String
    /// Display name.
    public var name: String
    /// Team memberships stored for this team.
    public var memberCount: Int

    /// Creates a value from all of its fields.
    public init(gid: String, name: String, memberCount: Int) {
        self.gid = gid
        self.name = name
        self.memberCount = memberCount
    }
}
