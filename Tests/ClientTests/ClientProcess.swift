import Foundation
import Testing
import TestSupport

/// Runs the built `asana-access` binary (or another program) and collects what it printed.
struct ClientProcess {
    /// What one run produced.
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Where `swift build` put the test bundle, which is where it also put `asana-access`
    /// (`.build/<triple>/debug`). Tried: the directory of `CommandLine.arguments[0]`, then of
    /// `Bundle.main`'s executable.
    static func binaryURL() throws -> URL {
        var directories: [URL] = []
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("asana-access")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BinaryNotFound(searched: directories.map(\.path))
    }

    struct BinaryNotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "asana-access is not built next to the test bundle (looked in \(searched.joined(separator: ", "))); run `swift build --build-tests` or `swift build --product asana-access` first"
        }
    }

    /// `XDG_CACHE_HOME` of every run unless a test gives its own: one temporary directory per test process, removed
    /// at exit (the system's temporary directory itself, were it impossible to make).
    static let cacheDirectory = URL(fileURLWithPath: (try? ScratchDirectories.make(prefix: "asana-access-test-cache")) ?? NSTemporaryDirectory())

    /// Runs `asana-access` with `arguments` (see ``run(_:_:environment:)``).
    static func client(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        try await run(try binaryURL(), arguments, environment: environment)
    }

    /// Runs `executable` with `arguments`, stdin from /dev/null, the environment without any
    /// `ASANA_ACCESS_*` variable plus `environment`; waits for it to exit without blocking a thread
    /// (a fake server's handlers need the cooperative pool while the child runs).
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        let launch = try Launch(executable, arguments, environment: environment)
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            launch.process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try launch.process.run()
            } catch {
                launch.process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return try launch.finish(status: status)
    }

    /// A prepared child process writing to two temporary files (not pipes: nothing has to be
    /// drained while it runs, so a large output cannot deadlock it).
    private struct Launch {
        let process = Process()
        let directory: URL
        let stdout: FileHandle
        let stderr: FileHandle

        init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
            process.executableURL = executable
            process.arguments = arguments
            var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ASANA_ACCESS_") }
            // The client's name cache goes to a directory of this test process, never the user's ~/.cache.
            merged["XDG_CACHE_HOME"] = ClientProcess.cacheDirectory.path
            merged.merge(environment) { _, new in new }
            process.environment = merged
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("asana-access-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stdout").path, contents: nil)
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stderr").path, contents: nil)
            stdout = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
            stderr = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
            process.standardOutput = stdout
            process.standardError = stderr
        }

        func finish(status: Int32) throws -> Output {
            defer { try? FileManager.default.removeItem(at: directory) }
            try stdout.close()
            try stderr.close()
            return Output(
                status: status,
                stdout: String(decoding: try Data(contentsOf: directory.appendingPathComponent("stdout")), as: UTF8.self),
                stderr: String(decoding: try Data(contentsOf: directory.appendingPathComponent("stderr")), as: UTF8.self))
        }
    }

    /// The first executable called `name` on `PATH` (or in /usr/bin, /bin), if any.
    static func which(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// `text` quoted for a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
