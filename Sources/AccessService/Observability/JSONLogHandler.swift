import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line (`serve --log-format json`):
/// `{"timestamp":"2026-01-02T03:04:05.678Z","level":"info","label":"asana-accessd","message":"rpc call","metadata":{...}}`.
///
/// `timestamp` is ISO 8601 UTC with milliseconds; `metadata` holds the logger's and the call's metadata
/// (strings, or arrays and objects of them), keys sorted. Every control character is escaped: JSON's own
/// rules cover U+0000–U+001F, and DEL and the C1 controls (U+007F–U+009F), which JSON allows raw but a
/// terminal may act on, are written `\u007f`…`\u009f` too. Lines are written whole with one `write`, so lines
/// from concurrent tasks do not interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (Data) -> Void

    /// - Parameter write: receives each line, newline included (default: standard error).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (Data) -> Void = { FileHandle.standardError.write($0) }) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        let object: [String: Any] = [
            "timestamp": Self.timestamp(Date()),
            "level": event.level.rawValue,
            "label": label,
            "message": "\(event.message)",
            "metadata": merged.mapValues(Self.json),
        ]
        guard let serialized = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        var line = Self.escapingDELAndC1(serialized)
        line.append(UInt8(ascii: "\n"))
        write(line)
    }

    /// `json` with DEL (0x7F) and the C1 controls (UTF-8 `C2 80`…`C2 9F`) written as `\u00XX`; they can only
    /// stand inside a JSON string, where that escape means the same character. Unchanged (no copy) without any.
    static func escapingDELAndC1(_ json: Data) -> Data {
        guard json.contains(where: { $0 == 0x7F || $0 == 0xC2 }) else { return json }
        let bytes = [UInt8](json)
        func isC1(_ index: Int) -> Bool { bytes[index] == 0xC2 && index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]) }
        guard bytes.indices.contains(where: { bytes[$0] == 0x7F || isC1($0) }) else { return json }
        var escaped = Data(capacity: bytes.count + 16)
        var index = 0
        while index < bytes.count {
            let value: UInt8? = bytes[index] == 0x7F ? 0x7F : isC1(index) ? bytes[index + 1] : nil
            if let value {
                escaped.append(contentsOf: Array("\\u00\(String(value, radix: 16))".utf8))
                index += value == 0x7F ? 1 : 2
            } else {
                escaped.append(bytes[index])
                index += 1
            }
        }
        return escaped
    }

    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let members): members.mapValues(json)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
