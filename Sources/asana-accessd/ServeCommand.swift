import AccessMetrics
import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import ArgumentParser
import Foundation
import LineRPC
import Logging
import Metrics
import MetricsEndpoint
import NIOSSL
import ServerConfiguration
import ServiceLifecycle

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
        let format: LineLogHandler.Format = settings[ServerSettings.logFormat] == .json ? .json : .text
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)  // a client's control characters escaped
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "asana-accessd")
        do {
            try await serve(settings, logger: logger)
        } catch where settings[ServerSettings.logFormat] == .json && !(error is ExitCode) {
            // A log pipeline that reads JSON lines gets why the server did not start (or stopped) as one of them,
            // with the exit code the error has in text mode.
            logger.critical("asana-accessd serve stopped: \(error)", metadata: ["exitCode": "\(Self.exitCode(for: error).rawValue)"])
            throw Self.exitCode(for: error)
        }
    }

    /// Everything `serve` does once logging is set up: opens the store, starts the listeners and runs until shutdown.
    private func serve(_ settings: EffectiveSettings, logger: Logger) async throws {
        let metrics = try Self.metricsAddress(settings)
        // Metrics first: swift-metrics handles made before the bootstrap record nowhere, and the RPC method
        // table makes its handles when the server is built below.
        let registry = metrics.map { _ in MetricsBootstrap.bootstrap(version: AccessService.serverVersion) }
        Gauge(label: ServerMetrics.syncInterval.name).record(settings[ServerSettings.syncInterval])
        try ServingTLSCheck.run(certificate: settings[ServerSettings.tlsCertificate], clientCA: settings[ServerSettings.clientCA], logger: logger)
        let data = DataLocation(dataDirectory: settings[ServerSettings.dataDirectory], masterKeyPath: settings[ServerSettings.masterKey],
                                databaseURL: settings[ServerSettings.databaseURL])
        let store: any AccessStore
        let lock: DataDirectoryLock?
        if let database = try Self.databaseLocation(settings) {
            // A store shared with other servers: no data directory lock (they coordinate through the database).
            lock = nil
            store = try await data.connectPostgres(database, logger: logger)
            logger.notice("store: PostgreSQL, shared with any other server on it", metadata: ["database": "\(database.redacted)"])
        } else {
            // The data directory's lock first, held until the process exits: a second server (or a writing
            // command) refuses at once, and nothing below touches a database another server is using.
            lock = try data.lockDataDirectory(purpose: "serve")
            store = try data.openSQLite()
        }
        defer { lock?.release() }
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
        configuration.leaseTTL = TimeInterval(settings[ServerSettings.leaseTTL])
        configuration.historyRetention = settings[ServerSettings.historyRetention].map { .seconds($0 * 86_400) }
        let runtime = ServiceRuntime(configuration: configuration, logger: logger)
        let status = RuntimeStatus()
        let notifier = SystemdNotifier()
        var leading: [any Service] = []
        if let metrics, let registry {
            let gauges = OperationalGauges(store: store, status: status)
            leading.append(MetricsListener(
                host: metrics.host, port: metrics.port, registry: registry, logger: Logger(label: "asana-accessd.metrics"),
                collect: { await gauges.collect() },
                readiness: {
                    if let reason = status.notReadyReason { return .notReady(reason) }
                    do { _ = try await store.auditEvents(limit: 1) } catch { return .notReady("store unavailable: \(error)") }
                    return .ready
                },
                onListening: { port in
                    print("asana-accessd metrics on \(metrics.host):\(port)")
                    fflush(nil)
                }))
        }
        let group = try await runtime.makeServiceGroup(store: store, lock: lock, tls: tlsConfiguration, status: status, leadingServices: leading) { port in
            // One line on stdout, for scripts and tests that start the server on port 0.
            print("asana-accessd listening on \(host):\(port)")
            fflush(nil)  // all streams: naming `stdout` is not concurrency-safe in Swift 6
            // Under systemd (`Type=notify`), the unit becomes active only now, with the listener bound.
            do {
                try notifier.notify(["READY=1", "STATUS=listening on \(host):\(port)", "MAINPID=\(getpid())"])
            } catch {
                logger.warning("could not tell systemd the server is ready", metadata: ["error": "\(error)"])
            }
        }
        try await group.run()
        if let postgres = store as? PostgresAccessStore { await postgres.close() }
    }

    /// `database.url` parsed; nil when unset (SQLite). `config check` runs the same check.
    /// - Throws: `ValidationError` (exit 64) naming where the value came from and what is wrong (never the password).
    static func databaseLocation(_ settings: EffectiveSettings) throws -> PostgresLocation? {
        guard let text = settings[ServerSettings.databaseURL], !text.isEmpty else { return nil }
        let entry = settings.entry(ServerSettings.databaseURL)
        do {
            return try PostgresLocation(text)
        } catch {
            throw ValidationError("\(SettingsLoader.place(of: entry.setting, in: entry.source)): \(error)")
        }
    }

    /// `metrics.address` parsed; nil when unset. `config check` runs the same check.
    /// - Throws: `ValidationError` (exit 64) for an address that is not HOST:PORT, or one on the RPC port, naming
    ///   where the value came from (the flag, the variable or the config file's key).
    static func metricsAddress(_ settings: EffectiveSettings) throws -> MetricsAddress? {
        guard let text = settings[ServerSettings.metricsAddress], !text.isEmpty else { return nil }
        let entry = settings.entry(ServerSettings.metricsAddress)
        let place = SettingsLoader.place(of: entry.setting, in: entry.source)
        let address: MetricsAddress
        do { address = try MetricsAddress(parsing: text) } catch { throw ValidationError("\(place): \(error.description)") }
        // The same port on another address would still be a second listener on the RPC port: refuse any match.
        let rpcPort = settings[ServerSettings.port]
        if address.port != 0, address.port == rpcPort {
            throw ValidationError("\(place): \(text) uses the RPC port \(rpcPort); give the metrics listener a port of its own")
        }
        return address
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
