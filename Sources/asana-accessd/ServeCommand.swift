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
        let level = settings[ServerSettings.logLevel]
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "asana-accessd")
        let data = DataLocation(dataDirectory: settings[ServerSettings.dataDirectory], masterKeyPath: settings[ServerSettings.masterKey])
        // The data directory's lock first, held until the process exits: a second server (or a writing
        // command) refuses at once, and nothing below touches a database another server is using.
        let lock = try data.lockDataDirectory(purpose: "serve")
        defer { lock.release() }
        let store = try data.openStore()
        let tlsConfiguration = try Self.tlsConfiguration(settings)
        var configuration = ServiceRuntime.Configuration(asanaBaseURL: settings[ServerSettings.asanaBaseURL])
        let host = settings[ServerSettings.host]
        configuration.host = host
        configuration.port = settings[ServerSettings.port]
        configuration.maximumLineBytes = settings[ServerSettings.maxLineBytes]
        configuration.maximumInFlightPerConnection = settings[ServerSettings.maxInFlight]
        configuration.drainTimeout = .seconds(settings[ServerSettings.drainTimeout])
        configuration.principalRoles = Self.roleMap(settings)
        configuration.syncInterval = .seconds(settings[ServerSettings.syncInterval])
        configuration.governor = AsanaGovernorConfiguration(requestsPerMinute: settings[ServerSettings.asanaRequestsPerMinute],
                                                            maxConcurrentReads: settings[ServerSettings.asanaMaxConcurrentReads],
                                                            maxConcurrentWrites: settings[ServerSettings.asanaMaxConcurrentWrites])
        configuration.asanaConnectTimeout = .seconds(settings[ServerSettings.asanaConnectTimeout])
        configuration.syncDeadline = .seconds(settings[ServerSettings.syncDeadline])
        configuration.historyRetention = settings[ServerSettings.historyRetention].map { .seconds($0 * 86_400) }
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
        for entry in settings[ServerSettings.principalRoles] {
            if let mapping = SettingDefinition.principalRole(entry) { roles[mapping.name] = mapping.role }
        }
        return roles
    }

    /// The server TLS configuration: TLS 1.2 minimum; with `tls.clientCA`, client certificates from that CA,
    /// required or optional (`tls.clientCertificates`). - Throws: `CommandFailure` naming the file that is missing or unreadable.
    static func tlsConfiguration(_ settings: EffectiveSettings) throws -> TLSConfiguration {
        do {
            return try TLSSettings.server(certificateChain: settings[ServerSettings.tlsCertificate], privateKey: settings[ServerSettings.tlsKey],
                                          clientTrustRoots: settings[ServerSettings.clientCA],
                                          clientCertificateRequired: settings[ServerSettings.clientCertificates] == .required)
        } catch {
            throw CommandFailure("cannot use the TLS files: \(error). Make a development set with `asana-accessd certs dev`, or check --tls-cert, --tls-key and --client-ca.")
        }
    }
}
