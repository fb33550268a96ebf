/// A person's membership of a workspace (WorkspaceMembershipResponse of the Asana OpenAPI spec, operation `getWorkspaceMembershipsForWorkspace`).
///
/// JSON: `{"gid":"5","user":{"gid":"7","name":"Ada","email":"ada@acme.example"},"is_active":true,
/// "is_admin":false,"is_guest":false,"is_view_only":false}`. Flags are `nil` when Asana did not
/// return them (they are only sent when asked with `opt_fields`): unknown, never guessed.
/// `is_active` is also `true` for invited people who have not accepted yet; a removed person keeps
/// an inactive membership.
public struct AsanaWorkspaceMembership: Decodable, Sendable, Equatable, Hashable {
    /// Asana id of the membership (not of the user).
    public var gid: String
    /// The member.
    public var user: AsanaUser?
    /// `false` once the person was removed from the workspace.
    public var isActive: Bool?
    /// Workspace admin.
    public var isAdmin: Bool?
    /// Guest (email outside the organization's domains).
    public var isGuest: Bool?
    /// View-only license.
    public var isViewOnly: Bool?

    /// Creates a membership value.
    public init(
        gid: String, user: AsanaUser? = nil, isActive: Bool? = nil, isAdmin: Bool? = nil,
        isGuest: Bool? = nil, isViewOnly: Bool? = nil
    ) {
        self.gid = gid
        self.user = user
        self.isActive = isActive
        self.isAdmin = isAdmin
        self.isGuest = isGuest
        self.isViewOnly = isViewOnly
    }

    enum CodingKeys: String, CodingKey {
        case gid
        case user
        case isActive = "is_active"
        case isAdmin = "is_admin"
        case isGuest = "is_guest"
        case isViewOnly = "is_view_only"
    }
}
