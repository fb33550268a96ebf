/// An Asana workspace or organization (WorkspaceCompact / WorkspaceResponse of the Asana OpenAPI spec).
///
/// JSON: `{"gid":"1000","name":"Acme Corp","is_organization":true,"email_domains":["acme.example"]}`.
public struct AsanaWorkspace: Decodable, Sendable, Equatable, Hashable {
    /// Asana id, a string of digits.
    public var gid: String
    /// Workspace name.
    public var name: String?
    /// `true` for an organization (tied to company email domains, can have teams).
    public var isOrganization: Bool?
    /// The organization's email domains; people outside them are guests.
    public var emailDomains: [String]?

    /// Creates a workspace value.
    public init(gid: String, name: String? = nil, isOrganization: Bool? = nil, emailDomains: [String]? = nil) {
        self.gid = gid
        self.name = name
        self.isOrganization = isOrganization
        self.emailDomains = emailDomains
    }

    enum CodingKeys: String, CodingKey {
        case gid
        case name
        case isOrganization = "is_organization"
        case emailDomains = "email_domains"
    }
}
