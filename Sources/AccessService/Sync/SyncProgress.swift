/// One `sync.progress` notification: where a sync is (protocol.md §8).
///
/// Phases, in order: `workspace`, `users`, `workspaceMemberships`, `teams`, `teamMemberships`
/// (organizations only), `commit`. Each phase is announced when it starts (`done` 0); a listing phase is
/// announced again when it has read everything (`done` = `total` = what it read), and `teamMemberships`
/// after each 1% of the teams (every team when there are at most 100).
public struct SyncProgress: Encodable, Sendable, Equatable {
    /// The workspace gid: links the notification to its `sync`.
    public var workspace: String
    /// The phase's name.
    public var phase: String
    /// Items of the phase done so far: users or memberships read, teams whose memberships were listed.
    public var done: Int
    /// Items of the phase in all, or nil while unknown (Asana's lists do not say how long they are).
    public var total: Int?

    public init(workspace: String, phase: String, done: Int = 0, total: Int? = nil) {
        self.workspace = workspace
        self.phase = phase
        self.done = done
        self.total = total
    }

    enum CodingKeys: String, CodingKey { case workspace, phase, done, total }

    /// Encodes every member, an unknown `total` as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workspace, forKey: .workspace)
        try container.encode(phase, forKey: .phase)
        try container.encode(done, forKey: .done)
        try container.encode(total, forKey: .total)
    }
}
