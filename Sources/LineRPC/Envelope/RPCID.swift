/// A JSON-RPC request id, echoed back exactly as received.
///
/// JSON-RPC 2.0 allows a string, a number or `null`; it advises against fractions. This server
/// accepts strings and integers within `Int64` and refuses other numbers with `-32600`, so the
/// echoed id is always byte-for-byte what the client sent (see protocol.md, "Ids").
public enum RPCID: Sendable, Hashable, Codable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    /// An explicit `"id": null`, or the id of an answer to a message whose id could not be read.
    case null

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Int64.self) {
            self = .integer(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .string(let value): try single.encode(value)
        case .integer(let value): try single.encode(value)
        case .null: try single.encodeNil()
        }
    }

    public var description: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .integer(let value): String(value)
        case .null: "null"
        }
    }
}
