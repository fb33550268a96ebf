import Foundation

/// A person of a workspace as `listUsers` answers: `{gid, name, email, isActive, isAdmin, isGuest,
/// isViewOnly, teams, firstSeenAt, lastSeenAt, departedAt, changedAt, change}` (protocol.md §5, `listUsers`).
///
/// Every member is present and `null` when unknown (a flag Asana did not show the token is never
/// guessed), except when the call's `fields` chose members: then only `gid` and those are present.
/// ``members`` says which members an answer holds, so that "not asked for" and "unknown" (`null`)
/// stay apart. The flags are Asana's workspace membership fields (`is_active`, `is_admin`, `is_guest`,
/// `is_view_only`: https://developers.asana.com/reference/getworkspacemembership).
public struct Person: Codable, Sendable, Equatable {
    /// The member names, in the order the catalogue lists them (what `fields` may name).
    public enum Member: String, CodingKey, CaseIterable, Sendable {
        case gid, name, email, isActive, isAdmin, isGuest, isViewOnly, teams, firstSeenAt, lastSeenAt, departedAt, changedAt, change
    }

    /// Asana user gid; always present.
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
    /// The teams of the workspace the person belongs to, sorted by name (case-insensitive) then gid;
    /// empty also when the answer does not hold `teams` (see ``members``).
    public var teams: [Team]
    /// First time a sync or a provision saw them.
    public var firstSeenAt: Date?
    /// Last sync or provision that saw them.
    public var lastSeenAt: Date?
    /// When they were found gone (absent from a complete sync, or removed by a provision); nil while present.
    public var departedAt: Date?
    /// When the row last changed (added, back, a name, email, flag or team membership changed, departed).
    public var changedAt: Date?
    /// Only with `changedSince`: what changed since then.
    public var change: Change?
    /// The members this value holds on the wire (and `gid`, always); every member when `fields` was not given.
    public var members: Set<Member>

    /// What changed about a person since `changedSince`.
    public enum Change: String, WireEnum, Equatable {
        /// Present now and added (or back after having departed) after that time.
        case added
        /// Present before and now, with a change after that time.
        case updated
        /// Gone now, and the departure (or a later change of the departed row) is after that time.
        case departed
    }

    /// A team a person belongs to, with their team membership flags (`is_admin`, `is_guest`,
    /// `is_limited_access`: https://developers.asana.com/reference/getteammembership), `null` when unknown.
    public struct Team: Codable, Sendable, Hashable {
        public var gid: String
        public var name: String
        @Nullable public var isAdmin: Bool?
        @Nullable public var isGuest: Bool?
        @Nullable public var isLimitedAccess: Bool?

        public init(gid: String, name: String, isAdmin: Bool?, isGuest: Bool?, isLimitedAccess: Bool?) {
            self.gid = gid
            self.name = name
            self.isAdmin = isAdmin
            self.isGuest = isGuest
            self.isLimitedAccess = isLimitedAccess
        }
    }

    /// - Parameter members: the members to put on the wire (`gid` is added); every member when nil.
    public init(gid: String, name: String?, email: String?, isActive: Bool?, isAdmin: Bool?, isGuest: Bool?, isViewOnly: Bool?,
                teams: [Team], firstSeenAt: Date?, lastSeenAt: Date?, departedAt: Date?, changedAt: Date?, change: Change?,
                members: Set<Member>? = nil) {
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
        self.changedAt = changedAt
        self.change = change
        if var chosen = members {
            chosen.insert(.gid)
            self.members = chosen
        } else {
            self.members = Self.everyMember  // shared: a page of 100 people builds no set
        }
    }

    /// Every member: what ``members`` holds when `fields` was not given.
    public static let everyMember = Set(Member.allCases)

    /// Encodes the members in ``members``, an unknown value as `null` (never left out).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Member.self)
        for key in Member.allCases where key == .gid || members.contains(key) {
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

    /// Decodes the members present (`gid` is required); ``members`` records which were.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Member.self)
        gid = try container.decode(String.self, forKey: .gid)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        isActive = try container.decodeIfPresent(Bool.self, forKey: .isActive)
        isAdmin = try container.decodeIfPresent(Bool.self, forKey: .isAdmin)
        isGuest = try container.decodeIfPresent(Bool.self, forKey: .isGuest)
        isViewOnly = try container.decodeIfPresent(Bool.self, forKey: .isViewOnly)
        teams = try container.decodeIfPresent([Team].self, forKey: .teams) ?? []
        firstSeenAt = try container.decodeIfPresent(Date.self, forKey: .firstSeenAt)
        lastSeenAt = try container.decodeIfPresent(Date.self, forKey: .lastSeenAt)
        departedAt = try container.decodeIfPresent(Date.self, forKey: .departedAt)
        changedAt = try container.decodeIfPresent(Date.self, forKey: .changedAt)
        change = try container.decodeIfPresent(Change.self, forKey: .change)
        members = Set(container.allKeys).union([.gid])
    }
}
