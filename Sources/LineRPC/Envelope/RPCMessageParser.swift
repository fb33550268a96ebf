import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns one line into validated JSON-RPC 2.0 messages, or into the error to answer.
///
/// Order of checks: empty line → strict JSON syntax and depth, before decoding (`-32700`, `-32600`) →
/// envelope shape (`-32600`, echoing the id when it can be read) → batch rules.
/// The rules and their reasons are in protocol.md, "Messages".
public struct RPCMessageParser: Sendable {
    /// Deepest nesting of arrays/objects accepted in one line.
    public var maximumJSONDepth: Int
    /// Most elements accepted in one batch.
    public var maximumBatchLength: Int

    public init(maximumJSONDepth: Int = 64, maximumBatchLength: Int = 100) {
        self.maximumJSONDepth = maximumJSONDepth
        self.maximumBatchLength = maximumBatchLength
    }

    /// Parses one line (without its LF).
    public func parse(_ line: ByteBuffer) -> RPCIncomingMessage {
        let bytes = line.readableBytesView
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
            return .empty
        }
        var numericIDs: [Int: String] = [:]
        let failure = line.withUnsafeReadableBytes { StrictJSONValidator.validate($0, maximumDepth: maximumJSONDepth, numericIDs: &numericIDs) }
        switch failure {
        case .tooDeep(let maximum)?:
            return .single(.invalid(id: .null, error: .invalidRequest(
                "JSON nests deeper than \(maximum) levels",
                name: "limit.json_depth", details: ["maximumJSONDepth": .integer(Int64(maximum))])))
        case .syntax(let offset, let reason)?:
            return .single(.invalid(id: .null, error: RPCError(
                code: -32700, name: "rpc.parse_error", message: "Parse error at byte \(offset): \(reason)",
                details: ["offset": .integer(Int64(offset))])))
        case nil:
            break
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: line)
        } catch {
            return .single(.invalid(id: .null, error: .parseError("Parse error: the line is not valid UTF-8 JSON")))
        }
        switch value {
        case .array(let elements):
            guard !elements.isEmpty else {
                return .single(.invalid(id: .null, error: .invalidRequest("Invalid Request: empty batch")))
            }
            guard elements.count <= maximumBatchLength else {
                return .single(.invalid(id: .null, error: .invalidRequest(
                    "Batch of \(elements.count) requests is over the limit of \(maximumBatchLength)",
                    name: "limit.batch_length", details: ["maximumBatchLength": .integer(Int64(maximumBatchLength))])))
            }
            return .batch(elements.enumerated().map { entry(from: $1, numericID: numericIDs[$0]) })
        default:
            return .single(entry(from: value, numericID: numericIDs[0]))
        }
    }

    /// Validates one request object (JSON-RPC 2.0 §4); `numericID` is the exact text of a numeric `id`.
    func entry(from value: JSONValue, numericID: String? = nil) -> RPCIncomingEntry {
        guard case .object(let members) = value else {
            return .invalid(id: .null, error: .invalidRequest("Invalid Request: expected an object, got \(value.typeName)"))
        }
        var id: RPCID?
        switch members["id"] {
        case nil: id = nil
        case .null?: id = .null
        case .string(let text)?: id = .string(text)
        case .integer(let number)?: id = .number(numericID ?? String(number))
        case .double(let number)?: id = .number(numericID ?? String(number))
        case let other?:
            return .invalid(id: .null, error: .invalidRequest("Invalid Request: id must be a string, a number or null, got \(other.typeName)"))
        }
        let answerID = id ?? .null
        guard members["jsonrpc"] == .string("2.0") else {
            return .invalid(id: answerID, error: .invalidRequest("Invalid Request: \"jsonrpc\" must be \"2.0\""))
        }
        guard case .string(let method)? = members["method"] else {
            return .invalid(id: answerID, error: .invalidRequest("Invalid Request: \"method\" must be a string"))
        }
        let params: JSONValue?
        switch members["params"] {
        case nil, .null?: params = nil
        case .object?, .array?: params = members["params"]
        case let other?:
            return .invalid(id: answerID, error: .invalidRequest("Invalid Request: \"params\" must be an object or an array, got \(other.typeName)"))
        }
        return .request(RPCRequest(id: id, method: method, params: params))
    }
}
