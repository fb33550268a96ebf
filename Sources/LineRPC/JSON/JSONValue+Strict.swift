import AccessProtocol
import Foundation

extension JSONValue {
    /// Parses one JSON text with the same strict rules the server applies to requests (RFC 8259:
    /// no trailing commas, no duplicate member names, no byte-order mark, nesting at most `maximumDepth`).
    /// - Throws: ``RPCError`` `-32700` (not strict JSON) or `-32600` `limit.json_depth`.
    public init(strictJSON text: String, maximumDepth: Int = 64) throws(RPCError) {
        let bytes = Array(text.utf8)
        var layout = StrictJSONValidator.Layout()
        switch bytes.withUnsafeBytes({ StrictJSONValidator.validate($0, maximumDepth: maximumDepth, layout: &layout) }) {
        case .syntax(let offset, let reason)?:
            throw RPCError(code: -32700, name: "rpc.parse_error", message: "not JSON at byte \(offset): \(reason)")
        case .tooDeep(let maximum)?:
            throw .tooDeep(maximum: maximum)
        case .tooManyValues(let maximum)?:
            throw .tooManyValues(maximum: maximum)
        case nil:
            break
        }
        do {
            self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw RPCError(code: -32700, name: "rpc.parse_error", message: "not valid UTF-8 JSON")
        }
    }
}
