import Foundation
import Logging

/// A swift-log handler that writes one text line per event (`serve --log-format text`, the default), laid out as
/// swift-log's `StreamLogHandler` lays out its lines but with a UTC timestamp to the millisecond:
/// `2026-01-02T03:04:05.678Z info asana-accessd: connection=7 principal=token:ci [LineRPC] rpc call`.
///
/// The metadata (the logger's, the metadata provider's and the call's, later ones replacing earlier ones) is written
/// `key=value`, sorted by key. Every control character anywhere in the line is escaped (``LogLine``), so a line
/// is always one line whatever a client sent. A line is written with one `write(2)`, so lines from concurrent
/// tasks do not interleave.
public struct TextLogHandler: LogHandler {
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
        write(line.bytes)
    }
}
