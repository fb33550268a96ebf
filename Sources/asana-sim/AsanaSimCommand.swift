import ArgumentParser
import AsanaSimulator
import Foundation
import Logging

/// `asana-sim`: serves the Asana simulator until SIGINT or SIGTERM.
///
/// Prints exactly one line to stdout once bound, `asana-sim listening on http://127.0.0.1:PORT/api/1.0`
/// (flushed), so scripts can wait for it; logs go to stderr.
@main
struct AsanaSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asana-sim",
        abstract: "A local simulator of the Asana REST API (users, workspaces, teams, memberships).",
        discussion: """
            Without --seed, a deterministic organization is generated (Acme Corp, acme.example) with the tokens \
            demo-admin-token (admin) and demo-member-token (member), and the OAuth apps demo-client / \
            demo-client-secret (full permissions) and demo-granular-client / demo-granular-secret (granular scopes). \
            OAuth is served at the root: /-/oauth_authorize, /-/oauth_token, /-/oauth_revoke.
            """)

    @Option(name: .long, help: "Seed JSON file to serve (see Sources/AsanaSimulator/README.md).", completion: .file(extensions: ["json"]))
    var seed: String?

    @Option(name: .long, help: "Users to generate when no --seed is given (at least 2).")
    var generateUsers: Int?

    @Option(name: .long, help: "Teams to generate when no --seed is given.")
    var generateTeams: Int?

    @Option(name: .long, help: "Organization name of the generated seed.")
    var organizationName: String = "Acme Corp"

    @Option(name: .long, help: "Random seed of the generated data (same value, same data).")
    var randomSeed: UInt64 = 1

    @Option(name: .long, help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to bind; 0 picks a free one.")
    var port: Int = 0

    @Option(name: .long, help: "Per-token budget of requests per minute (Asana: 1500 paid, 150 free).")
    var requestsPerMinute: Int = 1500

    @Option(name: .long, help: "Lifetime of OAuth access tokens in seconds (Asana: 3600).")
    var accessTokenLifetime: Int = 3600

    @Flag(name: .long, help: "Answer refresh grants with a new refresh token (the old one stops working).")
    var rotateRefreshTokens = false

    @Option(name: .long, help: "Per-token maximum of GET requests in flight (Asana: 50).")
    var maxConcurrentReads: Int = 50

    @Option(name: .long, help: "Per-token maximum of write requests in flight (Asana: 15).")
    var maxConcurrentWrites: Int = 15

    @Option(name: .long, help: "Milliseconds every API request waits, holding its concurrency slot, before it is served (Asana's time per call; default 0).")
    var latencyMs: Int = 0

    @Option(name: .long, help: "Write the seed in use to this file before serving.", completion: .file(extensions: ["json"]))
    var writeSeed: String?

    @Option(name: .long, help: "Log level on stderr (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "notice"

    func validate() throws {
        if seed != nil && (generateUsers != nil || generateTeams != nil) {
            throw ValidationError("Use either --seed or --generate-users/--generate-teams, not both.")
        }
        if let generateUsers, generateUsers < 2 { throw ValidationError("--generate-users must be at least 2.") }
        if let generateTeams, generateTeams < 0 { throw ValidationError("--generate-teams must not be negative.") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535.") }
        if requestsPerMinute < 1 { throw ValidationError("--requests-per-minute must be at least 1.") }
        if accessTokenLifetime < 1 { throw ValidationError("--access-token-lifetime must be at least 1 second.") }
        if maxConcurrentReads < 1 { throw ValidationError("--max-concurrent-reads must be at least 1.") }
        if maxConcurrentWrites < 1 { throw ValidationError("--max-concurrent-writes must be at least 1.") }
        if latencyMs < 0 { throw ValidationError("--latency-ms must not be negative.") }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("Unknown --log-level \(logLevel).") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "asana-sim")

        let data: SimulatorSeed
        if let seed {
            data = try SimulatorSeed.load(fromFile: seed)
        } else {
            data = SimulatorSeed.generated(
                organizationName: organizationName, users: generateUsers ?? 1500, teams: generateTeams ?? 20, seed: randomSeed)
        }
        if let writeSeed {
            try data.jsonData().write(to: URL(fileURLWithPath: writeSeed), options: .atomic)
        }

        let configuration = SimulatorConfiguration(
            host: host, port: port, requestsPerMinute: requestsPerMinute, accessTokenLifetime: .seconds(accessTokenLifetime),
            rotateRefreshTokens: rotateRefreshTokens, maxConcurrentReads: maxConcurrentReads, maxConcurrentWrites: maxConcurrentWrites,
            latency: .milliseconds(latencyMs))
        let simulator = AsanaSimulator(seed: data, configuration: configuration, logger: logger)
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        _ = try await simulator.start()
        // FileHandle writes go straight to the file descriptor: the line is flushed at once.
        FileHandle.standardOutput.write(Data("asana-sim listening on \(simulator.baseURL)\n".utf8))
        let received = await signals.wait()
        logger.notice("stopping", metadata: ["signal": "\(received)"])
        await simulator.stop()
    }
}
