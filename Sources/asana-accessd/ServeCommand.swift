import AccessMetrics
import AccessService
import AsanaAPI
import ArgumentParser
import Foundation
import Logging
import Metrics
import MetricsEndpoint
import ServiceLifecycle

/// `asana-accessd serve`: the JSON-RPC server over mutual TLS.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve provision, sync and listUsers over newline-delimited JSON-RPC 2.0 on TLS.")

    @OptionGroup var data: DataOptions
    @OptionGroup var tls: TLSOptions

    @Option(help: "Address to listen on (env ASANA_ACCESSD_HOST).")
    var host: String = environment("ASANA_ACCESSD_HOST", default: "127.0.0.1")

    @Option(help: "TCP port; 0 picks a free one (env ASANA_ACCESSD_PORT; default 7443).")
    var port: Int?

    @Option(name: .customLong("asana-base-url"), help: "Asana API base URL (env ASANA_ACCESSD_ASANA_BASE_URL).")
    var asanaBaseURL: String = environment("ASANA_ACCESSD_ASANA_BASE_URL", default: "https://app.asana.com/api/1.0")

    @Option(name: .customLong("max-line-bytes"), help: "Longest request line accepted, in bytes.")
    var maximumLineBytes: Int = 1 << 20

    @Option(name: .customLong("max-in-flight"), help: ArgumentHelp("Requests one authenticated connection may have running at once (a batch counts as one; ping is answered at once and does not count); past it the server stops reading that connection until one finishes.", valueName: "count"))
    var maximumInFlight: Int = 16

    @Option(name: .customLong("drain-seconds"), help: "On SIGTERM/SIGINT, how long in-flight calls may run before they are cancelled.")
    var drainSeconds: Int = 30

    @Option(name: .customLong("sync-interval"), help: ArgumentHelp("Seconds between scheduled syncs of each workspace with a sync or provision credential; 0 disables them (env ASANA_ACCESSD_SYNC_INTERVAL; default 86400).", valueName: "seconds"))
    var syncInterval: Int?

    @Option(name: .customLong("sync-deadline"), help: ArgumentHelp("Seconds one sync may spend reading Asana before it is stopped with sync.deadline_exceeded, nothing committed (env ASANA_ACCESSD_SYNC_DEADLINE; default 3600).", valueName: "seconds"))
    var syncDeadline: Int?

    @Option(name: .customLong("history-retention"), help: ArgumentHelp("Days of access history to keep; older intervals and changes are pruned hourly, never the current picture (env ASANA_ACCESSD_HISTORY_RETENTION; default: kept forever).", valueName: "days"))
    var historyRetention: Int?

    @Option(name: .customLong("asana-connect-timeout"), help: ArgumentHelp("Seconds to establish one connection to Asana (TCP and TLS) before it counts as failed; a failed connect is retried twice at most (env ASANA_ACCESSD_ASANA_CONNECT_TIMEOUT; default 5).", valueName: "seconds"))
    var asanaConnectTimeout: Int?

    @Option(name: .customLong("asana-requests-per-minute"), help: ArgumentHelp("Requests a minute each stored credential may send to Asana: 1500 on paid plans, 150 on free ones (Asana's per-token limit).", valueName: "count"))
    var asanaRequestsPerMinute: Int = 1500

    @Option(name: .customLong("asana-max-concurrent-reads"), help: ArgumentHelp("GETs in flight at once per credential (Asana allows 50).", valueName: "count"))
    var asanaMaxConcurrentReads: Int = 16

    @Option(name: .customLong("asana-max-concurrent-writes"), help: ArgumentHelp("POSTs in flight at once per credential (Asana allows 15).", valueName: "count"))
    var asanaMaxConcurrentWrites: Int = 8

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env ASANA_ACCESSD_LOG_LEVEL).")
    var logLevel: String = environment("ASANA_ACCESSD_LOG_LEVEL", default: "info")

    @Option(name: .customLong("metrics-address"), help: ArgumentHelp("HOST:PORT of a plain-HTTP listener for Prometheus (GET /metrics) and health checks (/healthz, /readyz); port 0 picks a free one; never the RPC port (env ASANA_ACCESSD_METRICS_ADDRESS; default: off).", valueName: "host:port"))
    var metricsAddress: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp("text (default) or json: one JSON object per line with timestamp, level, label, message and metadata (env ASANA_ACCESSD_LOG_FORMAT).", valueName: "format"))
    var logFormat: String = environment("ASANA_ACCESSD_LOG_FORMAT", default: "text")

    mutating func validate() throws {
        if port == nil, let text = ProcessInfo.processInfo.environment["ASANA_ACCESSD_PORT"] {
            guard let value = Int(text) else { throw ValidationError("ASANA_ACCESSD_PORT=\(text) is not a port number") }
            port = value
        }
        guard (0...65535).contains(port ?? 7443) else { throw ValidationError("the port must be between 0 and 65535, got \(port ?? 0)") }
        guard let url = URL(string: asanaBaseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw ValidationError("--asana-base-url \(asanaBaseURL) is not an http(s) URL; Asana's is https://app.asana.com/api/1.0")
        }
        if syncInterval == nil, let text = ProcessInfo.processInfo.environment["ASANA_ACCESSD_SYNC_INTERVAL"] {
            guard let value = Int(text) else { throw ValidationError("ASANA_ACCESSD_SYNC_INTERVAL=\(text) is not a number of seconds") }
            syncInterval = value
        }
        if syncDeadline == nil, let text = ProcessInfo.processInfo.environment["ASANA_ACCESSD_SYNC_DEADLINE"] {
            guard let value = Int(text) else { throw ValidationError("ASANA_ACCESSD_SYNC_DEADLINE=\(text) is not a number of seconds") }
            syncDeadline = value
        }
        if historyRetention == nil, let text = ProcessInfo.processInfo.environment["ASANA_ACCESSD_HISTORY_RETENTION"] {
            guard let value = Int(text) else { throw ValidationError("ASANA_ACCESSD_HISTORY_RETENTION=\(text) is not a number of days") }
            historyRetention = value
        }
        if let historyRetention, !(1...36_500).contains(historyRetention) {
            throw ValidationError("--history-retention must be between 1 and 36500 days (leave it out to keep history forever)")
        }
        guard (syncDeadline ?? 3600) >= 1 else { throw ValidationError("--sync-deadline must be at least 1 second (default 3600)") }
        if asanaConnectTimeout == nil, let text = ProcessInfo.processInfo.environment["ASANA_ACCESSD_ASANA_CONNECT_TIMEOUT"] {
            guard let value = Int(text) else { throw ValidationError("ASANA_ACCESSD_ASANA_CONNECT_TIMEOUT=\(text) is not a number of seconds") }
            asanaConnectTimeout = value
        }
        guard (1...300).contains(asanaConnectTimeout ?? 5) else { throw ValidationError("--asana-connect-timeout must be between 1 and 300 seconds (default 5)") }
        guard (syncInterval ?? 86400) >= 0 else { throw ValidationError("--sync-interval must not be negative (0 disables scheduled syncs)") }
        guard (1...100_000).contains(asanaRequestsPerMinute) else { throw ValidationError("--asana-requests-per-minute must be between 1 and 100000") }
        guard (1...50).contains(asanaMaxConcurrentReads) else { throw ValidationError("--asana-max-concurrent-reads must be between 1 and 50 (Asana's cap)") }
        guard (1...15).contains(asanaMaxConcurrentWrites) else { throw ValidationError("--asana-max-concurrent-writes must be between 1 and 15 (Asana's cap)") }
        guard maximumLineBytes >= 1024 else { throw ValidationError("--max-line-bytes must be at least 1024") }
        guard (1...4096).contains(maximumInFlight) else { throw ValidationError("--max-in-flight must be between 1 and 4096 (default 16)") }
        guard drainSeconds >= 0 else { throw ValidationError("--drain-seconds must not be negative") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level") }
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format \(logFormat) is not a format: use text or json") }
        if metricsAddress == nil, let text = ProcessInfo.processInfo.environment["ASANA_ACCESSD_METRICS_ADDRESS"], !text.isEmpty {
            metricsAddress = text
        }
        if let metricsAddress {
            let address: MetricsAddress
            do { address = try MetricsAddress(parsing: metricsAddress) } catch { throw ValidationError(error.description) }
            // The same port on another address would still be a second listener on the RPC port: refuse any match.
            if address.port != 0, address.port == (port ?? 7443) {
                throw ValidationError("--metrics-address \(metricsAddress) uses the RPC port \(port ?? 7443); give the metrics listener a port of its own")
            }
        }
        _ = try tls.roleMap()
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        switch LogFormat(rawValue: logFormat) ?? .text {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler(label: label, stream: ControlEscapingStream())  // a client's control characters escaped
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "asana-accessd")
        // Metrics first: swift-metrics handles made before the bootstrap record nowhere, and the RPC method
        // table makes its handles when the server is built below.
        let metrics = try metricsAddress.map { try MetricsAddress(parsing: $0) }
        let registry = metrics.map { _ in MetricsBootstrap.bootstrap(version: AccessService.serverVersion) }
        Gauge(label: ServerMetrics.syncInterval.name).record(syncInterval ?? 86400)
        try tls.checkBeforeServing(logger: logger)
        // The data directory's lock first, held until the process exits: a second server (or a writing
        // command) refuses at once, and nothing below touches a database another server is using.
        let lock = try data.lockDataDirectory(purpose: "serve")
        defer { lock.release() }
        let store = try data.openStore()
        let tlsConfiguration = try tls.serverConfiguration()
        var configuration = ServiceRuntime.Configuration(asanaBaseURL: asanaBaseURL)
        configuration.host = host
        configuration.port = port ?? 7443
        configuration.maximumLineBytes = maximumLineBytes
        configuration.maximumInFlightPerConnection = maximumInFlight
        configuration.drainTimeout = .seconds(drainSeconds)
        configuration.principalRoles = try tls.roleMap()
        configuration.syncInterval = .seconds(syncInterval ?? 86400)
        configuration.governor = AsanaGovernorConfiguration(requestsPerMinute: asanaRequestsPerMinute, maxConcurrentReads: asanaMaxConcurrentReads,
                                                            maxConcurrentWrites: asanaMaxConcurrentWrites)
        configuration.asanaConnectTimeout = .seconds(asanaConnectTimeout ?? 5)
        configuration.syncDeadline = .seconds(syncDeadline ?? 3600)
        configuration.historyRetention = historyRetention.map { .seconds($0 * 86_400) }
        let runtime = ServiceRuntime(configuration: configuration, logger: logger)
        let host = self.host
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
    }
}
