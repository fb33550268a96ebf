import AccessProtocol
import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns one line into validated JSON-RPC 2.0 messages, or into the error to answer.
///
/// Order of checks: empty line → strict JSON syntax and depth, then batch length, before decoding (`-32700`, `-32600`) →
/// UTF-8 and number range (`-32700`) → envelope shape (`-32600`, echoing the id when it can be read) → batch rules.
/// The envelope is read straight from the bytes; `params` stay bytes until the method decodes them into its params type.
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
        var layout = StrictJSONValidator.Layout()
        let failure = line.withUnsafeReadableBytes {
            StrictJSONValidator.validate($0, maximumDepth: maximumJSONDepth, maximumValues: maximumJSONValues, layout: &layout)
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
        // A batch over the limit is refused before anything else is read from it.
        if let batchLength = layout.batchLength, batchLength > maximumBatchLength {
            return .single(.invalid(id: .null, error: .batchTooLong(batchLength, maximum: maximumBatchLength)))
        }
        // The grammar passed; what a decoder would still refuse is bad UTF-8 and a number out of range.
        if let offset = Self.firstInvalidUTF8Offset(bytes) {
            return .single(.invalid(id: .null, error: RPCError(
                code: -32700, name: "rpc.parse_error", message: "Parse error at byte \(offset): not valid UTF-8",
                details: ["offset": .integer(Int64(offset))])))
        }
        if layout.hasNumberOutOfRange {
            return .single(.invalid(id: .null, error: .parseError("Parse error: a number is outside the range of a 64-bit float")))
        }
        switch layout.batchLength {
        case 0?:
            return .single(.invalid(id: .null, error: .invalidRequest("Invalid Request: empty batch")))
        case _?:
            return .batch(layout.requests.map { entry($0, in: line) })
        case nil:
            return .single(entry(layout.requests[0], in: line))
        }
    }

    /// Validates one request object (JSON-RPC 2.0 §4) from where the validator found its members in `line`.
    func entry(_ layout: StrictJSONValidator.RequestLayout, in line: ByteBuffer) -> RPCIncomingEntry {
        let text = LineText(line: line)
        guard text.byte(at: layout.start) == UInt8(ascii: "{") else {
            return .invalid(id: .null, error: .invalidRequest("Invalid Request: expected an object, got \(text.typeName(at: layout.start))"))
        }
        var id: RPCID?
        if let range = layout.id {
            switch text.byte(at: range.lowerBound) {
            case UInt8(ascii: "\""): id = .string(text.string(range))
            case UInt8(ascii: "n"): id = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): id = .number(text.raw(range))
            default:
                return .invalid(id: .null, error: .invalidRequest("Invalid Request: id must be a string, a number or null, got \(text.typeName(at: range.lowerBound))"))
            }
        }
        let answerID = id ?? .null
        guard let jsonrpc = layout.jsonrpc, text.byte(at: jsonrpc.lowerBound) == UInt8(ascii: "\""), text.string(jsonrpc) == "2.0" else {
            return .invalid(id: answerID, error: .invalidRequest("Invalid Request: \"jsonrpc\" must be \"2.0\""))
        }
        guard let methodRange = layout.method, text.byte(at: methodRange.lowerBound) == UInt8(ascii: "\"") else {
            return .invalid(id: answerID, error: .invalidRequest("Invalid Request: \"method\" must be a string"))
        }
        let params: RPCParamsText
        if let range = layout.params {
            switch text.byte(at: range.lowerBound) {
            case UInt8(ascii: "n"): params = .absent
            case UInt8(ascii: "{"), UInt8(ascii: "["): params = .json(text.slice(range))
            default:
                return .invalid(id: answerID, error: .invalidRequest("Invalid Request: \"params\" must be an object or an array, got \(text.typeName(at: range.lowerBound))"))
            }
        } else {
            params = .absent
        }
        return .request(RPCRequest(id: id, method: text.string(methodRange), paramsText: params))
    }

    /// The offset of the first byte that does not start a valid UTF-8 sequence, or `nil` if all is valid.
    static func firstInvalidUTF8Offset(_ bytes: ByteBufferView) -> Int? {
        // ASCII, the common case, checked a word at a time.
        let ascii = bytes.withContiguousStorageIfAvailable { storage -> Bool in
            let raw = UnsafeRawBufferPointer(storage)
            var index = 0
            while index + 8 <= raw.count {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                index += 8
            }
            return raw[index...].allSatisfy { $0 < 0x80 }
        }
        if ascii == true { return nil }
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

/// Values of a validated line, read by the byte ranges the validator found.
private struct LineText {
    let line: ByteBuffer

    func byte(at offset: Int) -> UInt8 { line.getInteger(at: line.readerIndex + offset) ?? 0 }

    func slice(_ range: Range<Int>) -> ByteBuffer { line.getSlice(at: line.readerIndex + range.lowerBound, length: range.count)! }

    /// The bytes as they are (a number's text).
    func raw(_ range: Range<Int>) -> String { line.getString(at: line.readerIndex + range.lowerBound, length: range.count)! }

    /// The string a JSON string literal stands for; escapes are resolved by Foundation's decoder.
    func string(_ range: Range<Int>) -> String {
        let inner = line.readerIndex + range.lowerBound + 1
        let length = range.count - 2
        let view = line.viewBytes(at: inner, length: length)!
        guard view.contains(UInt8(ascii: "\\")) else { return line.getString(at: inner, length: length)! }
        return (try? JSONDecoder().decode(String.self, from: Data(slice(range).readableBytesView))) ?? ""
    }

    /// The JSON type of the value starting at `offset`, as error messages name it.
    func typeName(at offset: Int) -> String {
        switch byte(at: offset) {
        case UInt8(ascii: "{"): "object"
        case UInt8(ascii: "["): "array"
        case UInt8(ascii: "\""): "string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "boolean"
        case UInt8(ascii: "n"): "null"
        default: "number"
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
