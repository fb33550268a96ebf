/// An Asana team (TeamCompact of the Asana OpenAPI spec). Teams exist in organizations only.
///
/// JSON: `{"gid":"42","resource_type":"team","name":"Engineering"}`.
public struct AsanaTeam: Decodable, Sendable, Equatable, Hashable {
    /// Asana id, a string of digits.
    public var gid: String
    /// Team name.
    public var name: String?

    /// Creates a team value.
    public init(gid: String, name: String? = nil) {
        self.gid = gid
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case gid
        case name
    }
}
