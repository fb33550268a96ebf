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

    enum CodingKeys: String, CodingKey { case gid, name, isAdmin, isGuest, isLimitedAccess }

    /// Encodes every member, an unknown flag as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gid, forKey: .gid)
        try container.encode(name, forKey: .name)
        try container.encode(isAdmin, forKey: .isAdmin)
        try container.encode(isGuest, forKey: .isGuest)
        try container.encode(isLimitedAccess, forKey: .isLimitedAccess)
    }
}

extension StoredUser {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case gid, name, email, isActive, isAdmin, isGuest, isViewOnly, teams, firstSeenAt, lastSeenAt, departedAt, changedAt, change
    }

    /// Every member name of the encoded user, in encoding order (what `listUsers` `fields` may name).
    public static let memberNames: [String] = CodingKeys.allCases.map(\.rawValue)

    /// Encodes every member, an unknown value as `null` (never left out), so readers can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        try encode(to: encoder, members: nil)
    }

    /// Encodes `gid` and the members named in `members` (every member when nil), an unknown value as `null`.
    /// Names that are not members are ignored.
    public func encode(to encoder: any Encoder, members: Set<String>?) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func wanted(_ key: CodingKeys) -> Bool { key == .gid || members?.contains(key.rawValue) ?? true }
        for key in CodingKeys.allCases where wanted(key) {
            switch key {
            case .gid: try container.encode(gid, forKey: key)
            case .name: try container.encode(name, forKey: key)
            case .email: try container.encode(email, forKey: key)
            case .isActive: try container.encode(isActive, forKey: key)
            case .isAdmin: try container.encode(isAdmin, forKey: key)
            case .isGuest: try container.encode(isGuest, forKey: key)
            case .isViewOnly: try container.encode(isViewOnly, forKey: key)
            case .teams: try container.encode(teams, forKey: key)
            case .firstSeenAt: try container.encode(firstSeenAt, forKey: key)
            case .lastSeenAt: try container.encode(lastSeenAt, forKey: key)
            case .departedAt: try container.encode(departedAt, forKey: key)
            case .changedAt: try container.encode(changedAt, forKey: key)
            case .change: try container.encode(change, forKey: key)
            }
        }
    }
}
