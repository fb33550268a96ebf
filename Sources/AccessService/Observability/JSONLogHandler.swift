import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line (`serve --log-format json`):
/// `{"label":"asana-accessd","level":"info","message":"rpc call","metadata":{...},"timestamp":"2026-01-02T03:04:05.678Z"}`.
///
/// Members in that order (sorted). `timestamp` is ISO 8601 UTC with milliseconds; `metadata` holds the logger's,
/// the metadata provider's and the call's metadata (later ones replacing earlier ones) as strings, or arrays and
/// objects of them, keys sorted. Every control character is escaped: JSON's own rules cover U+0000–U+001F, and
/// DEL and the C1 controls (U+007F–U+009F), which JSON allows raw but a terminal may act on, are written
/// `\u007f`…`\u009f` too (``LogLine``). A line is written with one `write(2)`, so lines from concurrent tasks
/// do not interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private var lineMetadata = LogMetadata()
    private let label: String
    private let write: @Sendable ([UInt8]) -> Void

    /// - Parameter write: receives each line's UTF-8 bytes, newline included (`nil`: standard error, with `write(2)`).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: (@Sendable ([UInt8]) -> Void)? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write ?? { LogLine.writeToStandardError($0) }
    }

    public var metadata: Logger.Metadata {
        get { lineMetadata.stored }
        set { lineMetadata.stored = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { lineMetadata.stored[key] }
        set { lineMetadata.stored[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = LogLine()
        line.appendRaw("{\"label\":")
        line.appendJSONString(label)
        line.appendRaw(",\"level\":")
        line.appendJSONString(event.level.rawValue)
        line.appendRaw(",\"message\":")
        line.appendJSONString(event.message.description)
        line.appendRaw(",\"metadata\":{")
        for (index, member) in lineMetadata.merged(with: event, provider: metadataProvider).enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            line.appendJSONString(member.key)
            line.append(UInt8(ascii: ":"))
            Self.append(member.value, to: &line)
        }
        line.appendRaw("},\"timestamp\":\"")
        line.appendTimestamp(Date())
        line.appendRaw("\"}\n")
        write(line.bytes)
    }

    /// A metadata value as JSON: a string, an array, or an object with sorted keys.
    private static func append(_ value: Logger.MetadataValue, to line: inout LogLine) {
        switch value {
        case .string(let text):
            line.appendJSONString(text)
        case .stringConvertible(let convertible):
            line.appendJSONString(convertible.description)
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                append(element, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            line.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                line.appendJSONString(member.key)
                line.append(UInt8(ascii: ":"))
                append(member.value, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }
}
