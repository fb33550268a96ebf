import Foundation

/// Writes lines to the process's standard error (unbuffered, so they interleave with progress).
enum StandardError {
    /// Writes `text` followed by a newline unless it already ends with one.
    static func write(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
