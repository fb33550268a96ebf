import Logging
import Synchronization

/// Shared storage for captured log lines.
public final class LogCapture: Sendable {
    private let stored = Mutex<[String]>([])

    public init() {}
    public var lines: [String] { stored.withLock { $0 } }
    public func append(_ line: String) { stored.withLock { $0.append(line) } }

    /// A logger at trace level writing into this capture.
    public func logger() -> Logger {
        Logger(label: "capture", factory: { _ in CapturingLogHandler(capture: self) })
    }
}

/// A log handler keeping every rendered line (level, message, all metadata) in a ``LogCapture``.
public struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(all)")
    }
}
