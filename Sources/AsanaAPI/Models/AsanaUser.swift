/// An Asana user (UserCompact / UserBaseResponse of the Asana OpenAPI spec).
///
/// JSON: `{"gid":"123","resource_type":"user","name":"Ada","email":"ada@acme.example"}`.
/// Only `gid` is required; `name` and `email` are `nil` when absent or `null` (compact records
/// carry no email, and Asana may hide it).
public struct AsanaUser: Decodable, Sendable, Equatable, Hashable {
    /// Asana id, a string of digits (Asana OpenAPI `AsanaResource.gid`).
    public var gid: String
    /// Display name.
    public var name: String?
    /// Email address, when returned.
    public var email: String?

    /// Creates a user value.
    public init(gid: String, name: String? = nil, email: String? = nil) {
        self.gid = gid
        self.name = name
        self.email = email
    }

    enum CodingKeys: String, CodingKey {
        case gid
        case name
        case email
    }
}
