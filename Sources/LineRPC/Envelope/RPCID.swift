import AccessProtocol
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
