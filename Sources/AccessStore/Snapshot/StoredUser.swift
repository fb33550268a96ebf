import Foundation

/// A person as the store knows them in one workspace: the last synced picture plus provisioning changes.
/// Optional flags are nil when unknown. A record, not a wire shape: `listUsers` answers with
/// `AccessProtocol.Person`, which decides what goes on the wire.
public struct StoredUser: Codable, Sendable, Equatable {
    /// Asana user gid.
    public var gid: String
    /// Display name; nil when unknown.
    public var name: String?
    /// Email address; nil when unknown or hidden from the token.
    public var email: String?
    /// Workspace membership `is_active`; nil when unknown.
    public var isActive: Bool?
    /// Workspace membership `is_admin`; nil when unknown.
    public var isAdmin: Bool?
    /// Workspace membership `is_guest`; nil when unknown.
    public var isGuest: Bool?
    /// Workspace membership `is_view_only`; nil when unknown.
    public var isViewOnly: Bool?
    /// Teams of the workspace the person belongs to, sorted by name (case-insensitive) then gid.
    public var teams: [TeamRef]
    /// First time a snapshot or provision saw them (millisecond precision).
    public var firstSeenAt: Date
    /// Last snapshot or provision that saw them.
    public var lastSeenAt: Date
    /// When they were found gone (absent from a complete sync, or removed by provisioning); nil while present.
    public var departedAt: Date?
    /// When the row last changed: added, back after having departed, name, email, a membership flag or
    /// a team membership (or its flags) changed, or departed.
    public var changedAt: Date
    /// Set only by a read with ``UserQuery/changedSince``: what changed since then.
    public var change: UserChange?

    /// Creates a value from all of its fields; `changedAt` defaults to `firstSeenAt` (a row never changed since it was added).
    public init(gid: String, name: String?, email: String?, isActive: Bool?, isAdmin: Bool?, isGuest: Bool?, isViewOnly: Bool?, teams: [TeamRef], firstSeenAt: Date, lastSeenAt: Date, departedAt: Date?, changedAt: Date? = nil, change: UserChange? = nil) {
        self.gid = gid
        self.name = name
        self.email = email
        self.isActive = isActive
        self.isAdmin = isAdmin
        self.isGuest = isGuest
        self.isViewOnly = isViewOnly
        self.teams = teams
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
        self.departedAt = departedAt
        self.changedAt = changedAt ?? firstSeenAt
        self.change = change
    }
}

/// What changed about a person since a given time (``UserQuery/changedSince``).
public enum UserChange: String, Codable, Sendable, Equatable {
    /// Present now and added (or back after having departed) after that time.
    case added
    /// Present before and now, with a change after that time.
    case updated
    /// Gone now, and the departure (or a later change of the departed row) is after that time.
    case departed
}

/// A team named in a ``StoredUser``, with the person's rights in it (team membership flags, nil when unknown).
public struct TeamRef: Codable, Sendable, Equatable, Hashable {
    /// Asana team gid.
    public var gid: String
    /// Display name.
    public var name: String
    /// Team membership `is_admin`; nil when unknown (e.g. added by provisioning, not yet synced).
    public var isAdmin: Bool?
    /// Team membership `is_guest`; nil when unknown.
    public var isGuest: Bool?
    /// Team membership `is_limited_access`; nil when unknown.
    public var isLimitedAccess: Bool?

    /// Creates a value from all of its fields.
    public init(gid: String, name: String, isAdmin: Bool? = nil, isGuest: Bool? = nil, isLimitedAccess: Bool? = nil) {
        self.gid = gid
        self.name = name
        self.isAdmin = isAdmin
        self.isGuest = isGuest
        self.isLimitedAccess = isLimitedAccess
    }
}
