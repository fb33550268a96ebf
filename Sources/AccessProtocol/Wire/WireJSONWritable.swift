import Foundation

/// A value that writes its own wire JSON: byte for byte what ``Foundation/JSONEncoder/protocolEncoder()``
/// writes for it (keys sorted, `/` unescaped, dates as ISO 8601 UTC with milliseconds).
///
/// For results on the hot path only (`ping`, answered tens of thousands of times a second; `listUsers` pages),
/// where the general encoder (a tree of boxed values, keys sorted at every level) costs more than all the rest
/// of the answer. Each conformance is tested against the general encoder.
public protocol WireJSONWritable {
    /// Appends the JSON text of `self` to `json`.
    func writeWireJSON(to json: inout [UInt8])
}

/// Pieces of wire JSON for ``WireJSONWritable`` conformances.
public enum WireJSON {
    /// Appends `text` as a JSON string, as the wire encoder writes it: text without a control character
    /// (below U+0020), `"` or `\` as is (UTF-8, `/` unescaped), anything else through the encoder itself.
    public static func writeString(_ text: String, to json: inout [UInt8]) {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        guard plain else {
            writeEncoded(text, to: &json)
            return
        }
        json.append(UInt8(ascii: "\""))
        json.append(contentsOf: text.utf8)
        json.append(UInt8(ascii: "\""))
    }

    /// Appends `text` as a JSON string, or `null`.
    public static func writeString(_ text: String?, to json: inout [UInt8]) {
        guard let text else { return json.append(contentsOf: "null".utf8) }
        writeString(text, to: &json)
    }

    /// Appends `value` as `true`, `false` or `null`.
    public static func writeBool(_ value: Bool?, to json: inout [UInt8]) {
        switch value {
        case true?: json.append(contentsOf: "true".utf8)
        case false?: json.append(contentsOf: "false".utf8)
        case nil: json.append(contentsOf: "null".utf8)
        }
    }

    /// Appends `date` as the wire encoder writes it (`"2026-11-29T09:30:00.123Z"`), or `null`.
    public static func writeDate(_ date: Date?, to json: inout [UInt8]) {
        guard let date else { return json.append(contentsOf: "null".utf8) }
        json.append(UInt8(ascii: "\""))
        JSONEncoder.writeProtocolTimestamp(date, to: &json)
        json.append(UInt8(ascii: "\""))
    }

    /// Appends `value` as the wire encoder writes it.
    public static func writeEncoded(_ value: some Encodable, to json: inout [UInt8]) {
        json.append(contentsOf: (try? encoder.encode(value)) ?? Data("null".utf8))
    }

    private static let encoder = JSONEncoder.protocolEncoder()
}
