import AccessProtocol
import AccessService
import AsanaAPI
import ArgumentParser
import Foundation
import LineRPC
import Logging
import NIOSSL
import ServerConfiguration

/// `asana-accessd serve`: the JSON-RPC server over TLS. Its settings are the table ``ServerSettings``: each one a
/// flag, an environment variable and a config file key (flags > environment > config file > defaults).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve provision, sync and listUsers over newline-delimited JSON-RPC 2.0 on TLS.",
        discussion: SettingsHelp.text)

    /// Every `--flag VALUE` of the table and `--config FILE`, read by ``SettingsLoader`` (the help lists them).
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var settingArguments: [String] = []

    func run() async throws {
        let settings = try await SettingsHelp.load(settingArguments)
        let level = Logger.Level(rawValue: settings.text("log.level") ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "asana-accessd")
        let data = DataLocation(dataDirectory: settings.text("data.directory") ?? "var", masterKeyPath: settings.text("data.masterKey"))
        // The data directory's lock first, held until the process exits: a second server (or a writing
        // command) refuses at once, and nothing below touches a database another server is using.
        let lock = try data.lockDataDirectory(purpose: "serve")
        defer { lock.release() }
        let store = try data.openStore()
        let tlsConfiguration = try Self.tlsConfiguration(settings)
        var configuration = ServiceRuntime.Configuration(asanaBaseURL: settings.text("asana.baseURL") ?? AsanaClientConfiguration.asanaBaseURL)
        let host = settings.text("server.host") ?? "127.0.0.1"
        configuration.host = host
        configuration.port = settings.integer("server.port") ?? 7443
        configuration.maximumLineBytes = settings.integer("rpc.maxLineBytes") ?? 1 << 20
        configuration.maximumInFlightPerConnection = settings.integer("rpc.maxInFlight") ?? 16
        configuration.drainTimeout = .seconds(settings.integer("server.drainTimeout") ?? 30)
        configuration.principalRoles = Self.roleMap(settings)
        configuration.syncInterval = .seconds(settings.integer("sync.interval") ?? 86400)
        configuration.governor = AsanaGovernorConfiguration(requestsPerMinute: settings.integer("asana.requestsPerMinute") ?? 1500,
                                                            maxConcurrentReads: settings.integer("asana.maxConcurrentReads") ?? 16,
                                                            maxConcurrentWrites: settings.integer("asana.maxConcurrentWrites") ?? 8)
        configuration.asanaConnectTimeout = .seconds(settings.integer("asana.connectTimeout") ?? 5)
        configuration.syncDeadline = .seconds(settings.integer("sync.deadline") ?? 3600)
        configuration.historyRetention = settings.integer("history.retention").map { .seconds($0 * 86_400) }
        let runtime = ServiceRuntime(configuration: configuration, logger: logger)
        let group = try await runtime.makeServiceGroup(store: store, lock: lock, tls: tlsConfiguration) { port in
            // One line on stdout, for scripts and tests that start the server on port 0.
            print("asana-accessd listening on \(host):\(port)")
            fflush(nil)  // all streams: naming `stdout` is not concurrency-safe in Swift 6
        }
        try await group.run()
    }

    /// `tls.principalRoles` as a map (each entry was checked by the loader).
    static func roleMap(_ settings: EffectiveSettings) -> [String: AccessRole] {
        var roles: [String: AccessRole] = [:]
        for entry in settings.list("tls.principalRoles") {
            if let mapping = Setting.principalRole(entry) { roles[mapping.name] = mapping.role }
        }
        return roles
    }

    /// The server TLS configuration: TLS 1.2 minimum; with `tls.clientCA`, client certificates from that CA,
    /// required or optional (`tls.clientCertificates`). - Throws: `CommandFailure` naming the file that is missing or unreadable.
    static func tlsConfiguration(_ settings: EffectiveSettings) throws -> TLSConfiguration {
        do {
            return try TLSSettings.server(certificateChain: settings.text("tls.certificate") ?? "", privateKey: settings.text("tls.key") ?? "",
                                          clientTrustRoots: settings.text("tls.clientCA"),
                                          clientCertificateRequired: settings.text("tls.clientCertificates") != "optional")
        } catch {
            throw CommandFailure("cannot use the TLS files: \(error). Make a development set with `asana-accessd certs dev`, or check --tls-cert, --tls-key and --client-ca.")
        }
    }
}
