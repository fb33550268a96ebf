/// A person's membership of a team (TeamMembershipResponse of the Asana OpenAPI spec, operation `getTeamMembershipsForUser`).
///
/// JSON: `{"gid":"9","user":{"gid":"7","name":"Ada"},"team":{"gid":"42","name":"Engineering"},
/// "is_admin":false,"is_guest":false,"is_limited_access":false}`. Also the answer of
/// `POST /teams/{gid}/addUser` (Asana OpenAPI operation `addUserForTeam`; https://github.com/AsanaArchive/developer-docs/pull/92).
/// Flags are `nil` when not returned.
public struct AsanaTeamMembership: Decodable, Sendable, Equatable, Hashable {
    /// Asana id of the membership.
    public var gid: String
    /// The member.
    public var user: AsanaUser?
    /// The team.
    public var team: AsanaTeam?
    /// Team admin.
    public var isAdmin: Bool?
    /// Guest in the organization.
    public var isGuest: Bool?
    /// Limited-access member.
    public var isLimitedAccess: Bool?

    /// Creates a team membership value.
    public init(
        gid: String, user: AsanaUser? = nil, team: AsanaTeam? = nil, isAdmin: Bool? = nil,
        isGuest: Bool? = nil, isLimitedAccess: Bool? = nil
    ) {
        self.gid = gid
        self.user = user
        self.team = team
        self.isAdmin = isAdmin
        self.isGuest = isGuest
        self.isLimitedAccess = isLimitedAccess
    }

    enum CodingKeys: String, CodingKey {
        case gid
        case user
        case team
        case isAdmin = "is_admin"
        case isGuest = "is_guest"
        case isLimitedAccess = "is_limited_access"
    }
}
