import AccessProtocol
import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns one line into validated JSON-RPC 2.0 messages, or into the error to answer.
///
/// Order of checks: empty line → strict JSON syntax and depth, then batch length, before decoding (`-32700`, `-32600`) →
/// envelope shape (`-32600`, echoing the id when it can be read) → batch rules.
/// The rules and their reasons are in protocol.md, "Messages".
public struct RPCMessageParser: Sendable {
    /// Deepest nesting of arrays/objects accepted in one line.
    public var maximumJSONDepth: Int
    /// Most elements accepted in one batch.
    public var maximumBatchLength: Int
    /// Most JSON values (scalars, arrays, objects) accepted in one line, counted before decoding.
    public var maximumJSONValues: Int

    public init(maximumJSONDepth: Int = 64, maximumBatchLength: Int = 100, maximumJSONValues: Int = .max) {
        self.maximumJSONDepth = maximumJSONDepth
        self.maximumBatchLength = maximumBatchLength
        self.maximumJSONValues = maximumJSONValues
    }

    /// Parses one line (without its LF).
    public func parse(_ line: ByteBuffer) -> RPCIncomingMessage {
        let bytes = line.readableBytesView
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
            return .empty
        }
        var numericIDs: [Int: String] = [:]
        var batchLength: Int?
        let failure = line.withUnsafeReadableBytes {
            StrictJSONValidator.validate($0, maximumDepth: maximumJSONDepth, maximumValues: maximumJSONValues,
                                        numericIDs: &numericIDs, batchLength: &batchLength)
        }
        switch failure {
        case .tooDeep(let maximum)?:
            return .single(.invalid(id: .null, error: .tooDeep(maximum: maximum)))
        case .tooManyValues(let maximum)?:
            return .single(.invalid(id: .null, error: .tooManyValues(maximum: maximum)))
        case .syntax(let offset, let reason)?:
            return .single(.invalid(id: .null, error: RPCError(
                code: -32700, name: "rpc.parse_error", message: "Parse error at byte \(offset): \(reason)",
                details: ["offset": .integer(Int64(offset))])))
        case nil:
            break
        }
        // A batch over the limit is refused before it is decoded: decoding is most of a line's cost.
        if let batchLength, batchLength > maximumBatchLength {
            return .single(.invalid(id: .null, error: .batchTooLong(batchLength, maximum: maximumBatchLength)))
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: line)
        } catch {
            // The grammar passed, so the decoder refused either the encoding or a number's range.
            if let offset = Self.firstInvalidUTF8Offset(bytes) {
                return .single(.invalid(id: .null, error: RPCError(
                    code: -32700, name: "rpc.parse_error", message: "Parse error at byte \(offset): not valid UTF-8",
                    details: ["offset": .integer(Int64(offset))])))
            }
            return .single(.invalid(id: .null, error: .parseError("Parse error: a number is outside the range of a 64-bit float")))
        }
        switch value {
        case .array(let elements):
            guard !elements.isEmpty else {
                return .single(.invalid(id: .null, error: .invalidRequest("Invalid Request: empty batch")))
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

    /// The offset of the first byte that does not start a valid UTF-8 sequence, or `nil` if all is valid.
    static func firstInvalidUTF8Offset(_ bytes: ByteBufferView) -> Int? {
        var decoder = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error(let length): _ = length; return offset
            }
        }
    }
}

extension RPCError {
    /// `-32600 limit.json_depth`: arrays and objects nest deeper than `maximum` levels.
    static func tooDeep(maximum: Int) -> RPCError {
        .invalidRequest("JSON nests deeper than \(maximum) levels",
                        name: "limit.json_depth", details: ["maximumJSONDepth": .integer(Int64(maximum))])
    }

    /// `-32600 limit.json_values`: the line holds more than `maximum` JSON values.
    static func tooManyValues(maximum: Int) -> RPCError {
        .invalidRequest("The line holds more than \(maximum) JSON values (scalars, arrays and objects), the limit here",
                        name: "limit.json_values", details: ["maximumJSONValues": .integer(Int64(maximum))])
    }

    /// `-32600 limit.batch_length`: a batch of `length` requests, over the limit of `maximum`.
    static func batchTooLong(_ length: Int, maximum: Int) -> RPCError {
        .invalidRequest("Batch of \(length) requests is over the limit of \(maximum)",
                        name: "limit.batch_length", details: ["maximumBatchLength": .integer(Int64(maximum))])
    }
}
