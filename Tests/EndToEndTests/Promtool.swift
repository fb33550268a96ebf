import Foundation
import TestSupport

/// `promtool` from the Debian package `prometheus` (scripts/install-deps.sh installs it).
enum Promtool {
    /// Its path, or an error saying how to get it (tests fail on it rather than skip).
    static func path() throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin"]
        for directory in directories {
            let candidate = "\(directory)/promtool"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw HarnessError("promtool not found on PATH: install the Debian package prometheus (bash scripts/install-deps.sh)")
    }

    /// Runs `promtool arguments` (stdin: `input`) in `directory` and returns its exit status and output.
    static func run(_ arguments: [String], input: String? = nil, in directory: URL? = nil) async throws -> ProcessOutput {
        try await runExecutable(try path(), arguments, input: input, in: directory)
    }
}
