import Foundation
import Logging

/// The swift-log handler of `serve` (and `demo`): one line per event on standard error, in one of two formats.
///
/// - ``Format/text`` (the default), laid out as swift-log's `StreamLogHandler` lays out its lines but with a UTC
///   timestamp to the millisecond:
///   `2026-01-02T03:04:05.678Z info asana-accessd: connection=7 principal=token:ci [LineRPC] rpc call`;
///   the metadata is written `key=value`, sorted by key.
/// - ``Format/json``: one object per line, members sorted:
///   `{"label":"asana-accessd","level":"info","message":"rpc call","metadata":{...},"timestamp":"2026-01-02T03:04:05.678Z"}`;
///   `metadata` holds strings, or arrays and objects of them, keys sorted.
///
/// The metadata of a line is the logger's, the metadata provider's and the call's, later ones replacing earlier ones
/// (``LogMetadata``). No line holds a raw control character, whatever a client sent: text lines escape them
/// (`\n`, `\u{1B}`), JSON lines escape C0 as JSON does and DEL and the C1 controls as `\u007f`…`\u009f` too
/// (``LogLine``). A line is written with one `write(2)`, so lines from concurrent tasks do not interleave.
public struct LineLogHandler: LogHandler {
    /// How a line is written.
    public enum Format: Sendable {
        case text, json
    }

    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private var lineMetadata = LogMetadata()
    private let label: String
    private let format: Format
    private let write: @Sendable ([UInt8]) -> Void

    /// - Parameter write: receives each line's UTF-8 bytes, newline included (`nil`: standard error, with `write(2)`).
    public init(label: String, format: Format, metadataProvider: Logger.MetadataProvider? = nil, write: (@Sendable ([UInt8]) -> Void)? = nil) {
        self.label = label
        self.format = format
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
        switch format {
        case .text: write(textLine(event).bytes)
        case .json: write(jsonLine(event).bytes)
        }
    }

    private func textLine(_ event: LogEvent) -> LogLine {
        var line = LogLine()
        line.appendTimestamp(Date())
        line.append(UInt8(ascii: " "))
        line.appendEscapingControls(event.level.rawValue)
        line.append(UInt8(ascii: " "))
        line.appendEscapingControls(label)
        line.append(UInt8(ascii: ":"))
        for (key, value) in lineMetadata.merged(with: event, provider: metadataProvider) {
            line.append(UInt8(ascii: " "))
            line.appendEscapingControls(key)
            line.append(UInt8(ascii: "="))
            switch value {
            case .string(let text): line.appendEscapingControls(text)
            default: line.appendEscapingControls(value.description)
            }
        }
        line.appendRaw(" [")
        line.appendEscapingControls(event.source)
        line.appendRaw("] ")
        line.appendEscapingControls(event.message.description)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    private func jsonLine(_ event: LogEvent) -> LogLine {
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
        return line
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
