import AccessProtocol
import LineRPC

extension RPCError {
    /// An error from the protocol's catalogue: `kind`'s code and `data.name`, `message` for a person,
    /// and `details` as further members of `data`.
    public init(_ kind: ErrorKind, message: String, details: [String: JSONValue] = [:]) {
        self.init(code: kind.code, name: kind.name, message: message, details: details)
    }

    /// The catalogue entry that `data.name` names; `nil` when the name is missing or not in the catalogue.
    public var kind: ErrorKind? { name.flatMap(ErrorKind.init(rawValue:)) }
}
