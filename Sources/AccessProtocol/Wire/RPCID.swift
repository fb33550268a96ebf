import Foundation

/// A JSON-RPC request id, echoed back exactly as received.
///
/// JSON-RPC 2.0 allows a string, a number or `null`. A numeric id is kept as the exact text the
/// client sent (`7`, `1.0`, `1e3`, `9007199254740993`) and echoed byte for byte, never through a
/// floating-point or integer round trip (protocol.md, "Messages").
public enum RPCID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    /// A number, as its JSON text.
    case number(String)
    /// An explicit `"id": null`, or the id of an answer to a message whose id could not be read.
    case null

    /// An integer id.
    public static func integer(_ value: Int64) -> RPCID { .number(String(value)) }

    /// The id as JSON text.
    public var jsonText: String {
        switch self {
        case .string(let value): JSONValue.string(value).jsonText
        case .number(let text): text
        case .null: "null"
        }
    }

    public var description: String { jsonText }
}

extension RPCID: Codable {
    /// A string, a number (its value: JSON text through `Decimal`, exact for integers up to 38 digits) or `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else {
            self = .number("\(try container.decode(Decimal.self))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let text):
            if let integer = Int64(text) { try container.encode(integer) } else { try container.encode(Decimal(string: text) ?? 0) }
        case .null: try container.encodeNil()
        }
    }
}

extension RPCID: SchemaDescribing {
    public static var wireSchema: JSONSchema { .nullable(.oneOf([.string, .number])) }
    public static var schemaPlaceholder: RPCID { .null }
}
