import LineRPC

/// Params of `provision`.
public struct ProvisionParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["workspace", "email", "action", "teams"]
    /// Workspace gid.
    public var workspace: String
    /// The person's email address (Asana accepts an email wherever a user is named, asana-api.md §1).
    public var email: String
    /// `add` or `remove`.
    public var action: ProvisionAction
    /// Teams by gid or exact name. With `add`: teams to add the person to, after the workspace.
    /// With `remove`: remove the person from these teams only and keep the workspace membership;
    /// without `teams`, `remove` takes the person out of the workspace (and so out of all its teams).
    public var teams: [String]?
}

/// What `provision` does.
public enum ProvisionAction: String, Codable, Sendable {
    case add, remove
}

/// What happened at one target.
public enum ProvisionOutcome: String, Codable, Sendable {
    /// The person was added by this call.
    case added
    /// The person was already an active member; nothing was sent to Asana.
    case alreadyMember
    /// The person was removed by this call.
    case removed
    /// The person was not a member; nothing was sent to Asana.
    case notMember
    /// Asana refused or failed this step; `error` says why. Earlier steps stay done.
    case failed
}

/// One target of a provision: the workspace or a team.
public struct ProvisionTarget: Codable, Sendable {
    /// `workspace` or `team`.
    public var type: String
    public var gid: String
    public var name: String?
    public var outcome: ProvisionOutcome
    /// Present when `outcome` is `failed`.
    public var error: RPCError?
}

/// The answer to `provision`.
public struct ProvisionResult: Codable, Sendable {
    public var workspace: WorkspaceRef
    public var action: ProvisionAction
    /// The person, as Asana knows them: `{gid, name, email}` (gid absent if Asana never returned one).
    public var user: ProvisionedUser
    /// Workspace first, then teams in the order given.
    public var targets: [ProvisionTarget]
}

/// The person a provision acted on.
public struct ProvisionedUser: Codable, Sendable {
    public var gid: String?
    public var name: String?
    public var email: String
}
