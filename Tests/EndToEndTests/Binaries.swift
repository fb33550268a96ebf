import Foundation

/// The built executables (`asana-accessd`, `asana-access`, `asana-sim`), run as child processes.
enum Binaries {
    /// The directory holding the built products: `$ASANA_ACCESS_BIN_DIR`, else the test bundle's directory
    /// (`swift build --build-tests` puts the executables next to it).
    static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["ASANA_ACCESS_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // On some runners argv[0] is inside the .xctest bundle.
        while !FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("asana-accessd").path), candidate.pathComponents.count > 1 {
            candidate.deleteLastPathComponent()
        }
        return candidate
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// What a finished child process left behind.
struct ProcessOutput: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs blocking `work` (a child's whole life, a read that waits) on a thread of its own and awaits its result.
///
/// Why: Swift's cooperative pool has one thread per core, two on the CI machine. A test that blocks one of them
/// while a child runs (tens of seconds for a sync) leaves every other test's `await` waiting too: with two such
/// tests at once nothing else ran, and a lease test's 30 s, a refused connection's 25 s and a poll's 60 s ran out.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Runs `name` with `arguments` to completion (stdin from `input`), collecting its output; waits on a thread of its
/// own (``onOwnThread(_:)``).
@discardableResult
func run(_ name: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]) async throws -> ProcessOutput {
    try await runExecutable(Binaries.path(name), arguments, input: input, environment: environment)
}

/// Runs the executable at `path` with `arguments` to completion (stdin from `input`, in `directory` when given),
/// collecting its output; waits on a thread of its own (``onOwnThread(_:)``).
@discardableResult
func runExecutable(_ path: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                   in directory: URL? = nil) async throws -> ProcessOutput {
    try await onOwnThread { try runToEnd(path, arguments, input: input, environment: environment, in: directory) }
}

/// ``runExecutable(_:_:input:environment:in:)`` on the calling thread, which it blocks.
private func runToEnd(_ path: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
              in directory: URL? = nil) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let directory { process.currentDirectoryURL = directory }
    let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a full pipe cannot block the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var out = Data(), err = Data()
    DispatchQueue.global().async(group: group) { out = stdout.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { err = stderr.fileHandleForReading.readDataToEndOfFile() }
    group.wait()
    process.waitUntilExit()
    return ProcessOutput(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

/// A long-running child (server or simulator) that announced its address on its first stdout line.
final class RunningProcess: @unchecked Sendable {
    let process: Process
    /// The lines the process printed before ``start(_:_:environment:timeout:lines:)`` returned (as many as it waited
    /// for).
    let lines: [String]
    /// The first line the process printed.
    var firstLine: String { lines[0] }
    private let stderrPipe: Pipe
    /// Everything the process wrote to stderr so far. Read as it comes, so a chatty server (the access log
    /// writes a line per call) never blocks on a full pipe.
    private let stderrBuffer = StderrBuffer()

    /// Starts `name` and waits (up to `timeout`, in seconds) for its first `lines` stdout lines, on a thread of its own
    /// (``onOwnThread(_:)``). Throws ``HarnessError`` when the process exits or stays silent that long.
    static func start(_ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 20,
                      lines: Int = 1) async throws -> RunningProcess {
        try await onOwnThread { try RunningProcess(blocking: name, arguments, environment: environment, timeout: timeout, lines: lines) }
    }

    /// ``start(_:_:environment:timeout:lines:)`` on the calling thread, which it blocks.
    private init(blocking name: String, _ arguments: [String], environment: [String: String], timeout: TimeInterval, lines count: Int) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path(name))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        stderrPipe = Pipe()
        process.standardOutput = stdout
        process.standardError = stderrPipe
        stderrPipe.fileHandleForReading.readabilityHandler = { [stderrBuffer] handle in stderrBuffer.append(handle.availableData) }
        try process.run()
        let handle = stdout.fileHandleForReading
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = Data()
        while buffer.count(where: { $0 == UInt8(ascii: "\n") }) < count {
            guard Date() < deadline, process.isRunning else {
                process.terminate()
                let err = stderrBuffer.text
                throw HarnessError("\(name) did not announce itself: \(err)")
            }
            let chunk = handle.availableData
            if chunk.isEmpty { Thread.sleep(forTimeInterval: 0.02) }
            buffer.append(chunk)
        }
        lines = buffer.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(count).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The port at the end of the first line (`… 127.0.0.1:PORT` or `…:PORT/api/1.0`).
    var announcedPort: Int? {
        let afterColon = firstLine.split(separator: ":").last.map(String.init) ?? ""
        return Int(afterColon.prefix { $0.isNumber })
    }

    /// Sends `signal` and waits for the exit status, on a thread of its own (``onOwnThread(_:)``).
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        (try? await onOwnThread { self.stopNow(signal: signal) }) ?? -1
    }

    /// ``stop(signal:)`` on the calling thread, which it blocks (for a `defer`, which cannot await).
    @discardableResult
    func stopNow(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// What the process wrote to stderr so far.
    var stderr: String { stderrBuffer.text }

    deinit { if process.isRunning { process.terminate() } }
}

/// Bytes a child wrote to stderr, appended from the pipe's reader.
final class StderrBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
