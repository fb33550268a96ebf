import Foundation

/// Writes lines to the process's standard error (unbuffered, so they interleave with progress).
enum StandardError {
    /// Writes `text` followed by a newline unless it already ends with one. A standard error nobody reads
    /// any more (a closed pipe) loses the line; the command goes on (`FileHandle.write(_:)` would trap).
    static func write(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
    }
}
