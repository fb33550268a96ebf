import AccessProtocol
import Foundation
import LineRPC

/// How a subcommand prints its result.
enum OutputMode {
    /// One line of JSON with sorted keys: for scripts (`--json`, or stdout is not a terminal).
    case json
    /// Tables and key/value lines: for people at a terminal.
    case human

    /// Prints `value` as one line of JSON, keys sorted, slashes unescaped.
    static func printJSON(_ value: JSONValue, pretty: Bool = false) throws {
        print(try encodeJSON(value, pretty: pretty))
    }

    /// `value` as JSON text with sorted keys; one line unless `pretty`.
    static func encodeJSON(_ value: JSONValue, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
