import Foundation
import LineRPC
import NIOSSL
import Synchronization
import TestSupport
import Testing

/// Every transcript in `clients/conformance/` (the protocol, language-neutral), run against the
/// built `asana-accessd` over a raw TLS connection. The same files are run by
/// `clients/conformance/run_transcripts.py`; the format is in that folder's README.md.
@Suite("Conformance transcripts (clients/conformance)")
struct ConformanceTests {
    /// `clients/conformance` of this repository.
    static let directory = Repository.root.appendingPathComponent("clients/conformance")

    /// The transcript file names, sorted.
    static let transcripts: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".transcript") }.sorted()
    }()

    @Test("the conformance folder has transcripts")
    func transcriptsFound() {
        #expect(Self.transcripts.count >= 10, "no transcripts in \(Self.directory.path)")
    }

    @Test("transcript", arguments: transcripts)
    func transcript(_ name: String) async throws {
        defer { ConformanceServer.caseFinished(total: Self.transcripts.count) }
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        let steps = try Transcript.parse(text)
        let server = try await ConformanceServer.shared.value
        let connection = try await TranscriptConnection.connect(host: "127.0.0.1", port: server.port, tls: server.tls)
        let problems = await TranscriptRunner.run(steps, on: connection, variables: server.variables)
        await connection.close()
        for problem in problems {
            Issue.record("\(name): \(problem)")
        }
    }
}

/// One `asana-accessd serve` for all transcripts: dev certificates, a fresh data directory, an API
/// token per role, `--max-line-bytes 65536`, no client CA (clients authenticate with tokens).
/// Started on first use; stopped when the last transcript case has run, or at process exit.
final class ConformanceServer: Sendable {
    static let maximumLineBytes = 65536

    let root: String
    let process: RunningProcess
    let port: Int
    let tls: TLSConfiguration
    /// `ADMIN_TOKEN`, `OPERATOR_TOKEN`, `READER_TOKEN`, `MAX_LINE_BYTES`.
    let variables: [String: String]

    /// Started on first use; the cases await it, none blocks the cooperative pool while the certificates, tokens
    /// and server are made.
    static let shared = Task {
        let server = try await ConformanceServer()
        started.withLock { $0 = server }
        return server
    }

    /// ``shared`` once it has started, for ``caseFinished(total:)`` (called from a `defer`, which cannot await).
    private static let started = Mutex<ConformanceServer?>(nil)

    private static let finishedCases = Atomic<Int>(0)

    private init() async throws {
        root = (NSTemporaryDirectory() as NSString).appendingPathComponent("asana-access-conformance-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let certs = (root as NSString).appendingPathComponent("certs")
        let data = (root as NSString).appendingPathComponent("data")
        for arguments in [["certs", "dev", "--out", certs], ["init", "--data-dir", data]] {
            let done = try await run("asana-accessd", arguments)
            guard done.status == 0 else { throw HarnessError("asana-accessd \(arguments[0]) failed: \(done.stderr)") }
        }
        var variables = ["MAX_LINE_BYTES": "\(Self.maximumLineBytes)"]
        for role in ["admin", "operator", "reader"] {
            let made = try await run("asana-accessd", ["tokens", "create", "--data-dir", data, "--name", "conformance-\(role)", "--role", role])
            let token = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard made.status == 0, token.hasPrefix("aat_") else { throw HarnessError("tokens create \(role) failed: \(made.stderr)") }
            variables["\(role.uppercased())_TOKEN"] = token
        }
        self.variables = variables
        process = try await RunningProcess.start("asana-accessd", [
            "serve", "--data-dir", data, "--port", "0",
            "--tls-cert", (certs as NSString).appendingPathComponent("server.pem"),
            "--tls-key", (certs as NSString).appendingPathComponent("server-key.pem"),
            "--max-line-bytes", "\(Self.maximumLineBytes)",
            // Its stderr pipe is not drained: keep the log short.
            "--log-level", "error",
        ])
        guard let port = process.announcedPort else { throw HarnessError("serve announced no port: \(process.firstLine)") }
        self.port = port
        tls = try TLSSettings.client(trustRoots: (certs as NSString).appendingPathComponent("ca.pem"), certificateChain: nil, privateKey: nil)
        conformanceServerPID.store(process.process.processIdentifier, ordering: .relaxed)
        atexit {
            let pid = conformanceServerPID.exchange(0, ordering: .relaxed)
            if pid > 0 { kill(pid, SIGTERM) }
        }
    }

    /// Counts finished cases; after the last one, stops the server and removes its directory.
    static func caseFinished(total: Int) {
        guard finishedCases.add(1, ordering: .relaxed).newValue == total, let server = started.withLock({ $0 }) else { return }
        conformanceServerPID.store(0, ordering: .relaxed)
        server.process.stopNow()
        try? FileManager.default.removeItem(atPath: server.root)
    }
}

/// The server's process id while it runs, for the exit-time fallback.
private let conformanceServerPID = Atomic<Int32>(0)
