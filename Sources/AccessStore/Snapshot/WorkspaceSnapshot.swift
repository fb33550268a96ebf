/// One complete picture of a workspace, as read from Asana by a sync, to be applied with
/// ``SnapshotStore/applySnapshot(_:at:)``. Build it only from a sync whose users listing was complete:
/// applying it marks everyone absent as departed. Team data may be partial (``preservedTeamGids``,
/// ``preservesAllTeams``): what could not be read is kept as stored, never emptied.
public struct WorkspaceSnapshot: Sendable, Equatable {
    /// The workspace itself.
    public var workspace: SnapshotWorkspace
    /// Everyone with a membership in the workspace (active or not). Later duplicates of a gid replace earlier ones.
    public var users: [SnapshotUser]
    /// Every team of the workspace (organizations only; empty for a plain workspace).
    public var teams: [SnapshotTeam]
    /// Team memberships. Those naming a user or team absent from ``users`` / ``teams`` are ignored.
    public var teamMemberships: [SnapshotTeamMembership]
    /// Teams whose memberships could not be read (a partial sync): their stored memberships are kept as
    /// they are (except those of people who depart in this snapshot), and ``teamMemberships`` naming them
    /// are ignored. List such a team in ``teams`` too, or it is deleted as absent.
    public var preservedTeamGids: Set<String>
    /// `true` when the team listing itself could not be read (a partial sync): every stored team and
    /// team membership is kept (except memberships of people who depart in this snapshot), and
    /// ``teams`` / ``teamMemberships`` are ignored.
    public var preservesAllTeams: Bool

    /// Creates a value from all of its fields.
    public init(
        workspace: SnapshotWorkspace, users: [SnapshotUser], teams: [SnapshotTeam] = [], teamMemberships: [SnapshotTeamMembership] = [],
        preservedTeamGids: Set<String> = [], preservesAllTeams: Bool = false
    ) {
        self.workspace = workspace
        self.users = users
        self.teams = teams
        self.teamMemberships = teamMemberships
        self.preservedTeamGids = preservedTeamGids
        self.preservesAllTeams = preservesAllTeams
    }
}

/// The workspace itself (Asana `GET /workspaces/{gid}`).
public struct SnapshotWorkspace: Sendable, Equatable {
    /// Asana workspace gid (a string of digits).
    public var gid: String
    /// Display name.
    public var name: String
    /// Whether the workspace is an organization (has teams and an email domain).
    public var isOrganization: Bool

    /// Creates a value from all of its fields.
    public init(gid: String, name: String, isOrganization: Bool) {
        self.gid = gid
        self.name = name
        self.isOrganization = isOrganization
    }
}

/// A person and their workspace-membership flags. Every optional is *unknown* when nil (for
/// example a token that cannot see membership flags), stored as NULL and never guessed.
public struct SnapshotUser: Sendable, Equatable {
    /// Asana user gid.
    public var gid: String
    /// Display name; nil when unknown.
    public var name: String?
    /// Email address; nil when unknown or hidden from the token.
    public var email: String?
    /// Workspace membership `is_active`.
    public var isActive: Bool?
    /// Workspace membership `is_admin`.
    public var isAdmin: Bool?
    /// Workspace membership `is_guest`.
    public var isGuest: Bool?
    /// Workspace membership `is_view_only`.
    public var isViewOnly: Bool?

    /// Creates a value from all of its fields.
    public init(gid: String, name: String? = nil, email: String? = nil, isActive: Bool? = nil, isAdmin: Bool? = nil, isGuest: Bool? = nil, isViewOnly: Bool? = nil) {
        self.gid = gid
        self.name = name
        self.email = email
        self.isActive = isActive
        self.isAdmin = isAdmin
        self.isGuest = isGuest
        self.isViewOnly = isViewOnly
    }
}

/// A team of an organization.
public struct SnapshotTeam: Sendable, Equatable, Hashable {
    /// Asana team gid.
    public var gid: String
    /// Display name.
    public var name: String

    /// Creates a value from all of its fields.
    public init(gid: String, name: String) {
        self.gid = gid
        self.name = name
    }
}

/// A team membership with its flags (nil = unknown).
public struct SnapshotTeamMembership: Sendable, Equatable, Hashable {
    /// Asana team gid.
    public var teamGid: String
    /// Asana user gid.
    public var userGid: String
    /// Team membership `is_admin`.
    public var isAdmin: Bool?
    /// Team membership `is_guest`.
    public var isGuest: Bool?
    /// Team membership `is_limited_access`.
    public var isLimitedAccess: Bool?

    /// Creates a value from all of its fields.
    public init(teamGid: String, userGid: String, isAdmin: Bool? = nil, isGuest: Bool? = nil, isLimitedAccess: Bool? = nil) {
        self.teamGid = teamGid
        self.userGid = userGid
        self.isAdmin = isAdmin
        self.isGuest = isGuest
        self.isLimitedAccess = isLimitedAccess
    }
}
