import Foundation

/// A person as the store knows them in one workspace: the last synced picture plus provisioning changes.
/// Optional flags are nil when unknown.
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

    /// Creates a value from all of its fields.
    public init(gid: String, name: String?, email: String?, isActive: Bool?, isAdmin: Bool?, isGuest: Bool?, isViewOnly: Bool?, teams: [TeamRef], firstSeenAt: Date, lastSeenAt: Date, departedAt: Date?) {
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
    }
}

/// A team named in a ``StoredUser``.
public struct TeamRef: Codable, Sendable, Equatable, Hashable {
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

extension StoredUser {
    enum CodingKeys: String, CodingKey {
        case gid, name, email, isActive, isAdmin, isGuest, isViewOnly, teams, firstSeenAt, lastSeenAt, departedAt
    }

    /// Encodes every member, an unknown value as `null` (never left out), so readers can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gid, forKey: .gid)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        try container.encode(isActive, forKey: .isActive)
        try container.encode(isAdmin, forKey: .isAdmin)
        try container.encode(isGuest, forKey: .isGuest)
        try container.encode(isViewOnly, forKey: .isViewOnly)
        try container.encode(teams, forKey: .teams)
        try container.encode(firstSeenAt, forKey: .firstSeenAt)
        try container.encode(lastSeenAt, forKey: .lastSeenAt)
        try container.encode(departedAt, forKey: .departedAt)
    }
}
