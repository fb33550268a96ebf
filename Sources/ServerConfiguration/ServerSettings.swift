import Foundation
import Logging

/// Every setting of `asana-accessd serve`, each a typed static member read as `settings[ServerSettings.port]`, and
/// ``all``, the table in the order `config check`, `--help` and the README list them. Adding a setting is a static
/// member and its line in ``all`` (a test checks that keys, flags and variables are unique).
/// Precedence: command-line flag > environment variable > config file (`--config`, `ASANA_ACCESSD_CONFIG`) > default.
public enum ServerSettings {
    public static let host = Setting<String>(
        "server.host", env: "ASANA_ACCESSD_HOST", flag: "host", default: "127.0.0.1", "Address to listen on.")
    public static let port = Setting<Int>(
        "server.port", env: "ASANA_ACCESSD_PORT", flag: "port", default: 7443, rule: .range(0...65535), "TCP port; 0 picks a free one.")
    public static let dataDirectory = Setting<String>(
        "data.directory", env: "ASANA_ACCESSD_DATA", flag: "data-dir", default: "var", "Directory of the database and master key.")
    public static let masterKey = Setting<String?>(
        "data.masterKey", env: "ASANA_ACCESSD_MASTER_KEY", flag: "master-key", default: nil, defaultDescription: "master.key in data.directory",
        "Master key file (a path: the key itself is never a setting).")
    public static let databaseURL = Setting<String?>(
        "database.url", env: "ASANA_ACCESSD_DATABASE_URL", flag: "database", default: nil,
        defaultDescription: "unset: SQLite in data.directory", rule: .postgresURL,
        "PostgreSQL shared by several servers: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=FILE] (libpq's form; sslmode disable, prefer, require, verify-ca or verify-full; PGPASSWORD or the password file ~/.pgpass supplies a password the URL leaves out). Shown with the password as ***.")
    public static let tlsCertificate = Setting<String>(
        "tls.certificate", env: "ASANA_ACCESSD_TLS_CERT", flag: "tls-cert", default: "certs/dev/server.pem", "Server certificate chain, PEM.")
    public static let tlsKey = Setting<String>(
        "tls.key", env: "ASANA_ACCESSD_TLS_KEY", flag: "tls-key", default: "certs/dev/server-key.pem", "Server private key, PEM (a path).")
    public static let clientCA = Setting<String?>(
        "tls.clientCA", env: "ASANA_ACCESSD_CLIENT_CA", flag: "client-ca", default: nil, defaultDescription: "unset: no client certificates",
        "CA that signs client certificates, PEM: turns on mutual TLS.")
    public static let clientCertificates = Setting<ClientCertificates>(
        "tls.clientCertificates", env: "ASANA_ACCESSD_CLIENT_CERTIFICATES", flag: "client-certificates", default: .required,
        "With tls.clientCA: required (no certificate, no handshake) or optional (a client without one must authenticate with a token).")
    public static let principalRoles = Setting<[String]>(
        "tls.principalRoles", env: "ASANA_ACCESSD_PRINCIPAL_ROLES", flag: "principal-role", default: [], defaultDescription: "none", rule: .principalRoles,
        "Client certificate CN to role, NAME=reader|operator|admin; repeat the flag, comma-separate the variable.")
    public static let asanaBaseURL = Setting<String>(
        "asana.baseURL", env: "ASANA_ACCESSD_ASANA_BASE_URL", flag: "asana-base-url", default: "https://app.asana.com/api/1.0", rule: .httpURL,
        "Asana API base URL.")
    public static let asanaConnectTimeout = Setting<Int>(
        "asana.connectTimeout", env: "ASANA_ACCESSD_ASANA_CONNECT_TIMEOUT", flag: "asana-connect-timeout", default: 5, unit: "seconds", rule: .range(1...300),
        "Time to connect to Asana (TCP and TLS); a failed connect is retried twice at most.")
    public static let asanaRequestsPerMinute = Setting<Int>(
        "asana.requestsPerMinute", env: "ASANA_ACCESSD_ASANA_REQUESTS_PER_MINUTE", flag: "asana-requests-per-minute", default: 1500, unit: "count",
        rule: .range(1...100_000), "Requests a minute per stored credential: 1500 on paid plans, 150 on free ones.")
    public static let asanaMaxConcurrentReads = Setting<Int>(
        "asana.maxConcurrentReads", env: "ASANA_ACCESSD_ASANA_MAX_CONCURRENT_READS", flag: "asana-max-concurrent-reads", default: 16, unit: "count",
        rule: .range(1...50), "GETs in flight at once per credential (Asana allows 50).")
    public static let asanaMaxConcurrentWrites = Setting<Int>(
        "asana.maxConcurrentWrites", env: "ASANA_ACCESSD_ASANA_MAX_CONCURRENT_WRITES", flag: "asana-max-concurrent-writes", default: 8, unit: "count",
        rule: .range(1...15), "POSTs in flight at once per credential (Asana allows 15).")
    public static let syncInterval = Setting<Int>(
        "sync.interval", env: "ASANA_ACCESSD_SYNC_INTERVAL", flag: "sync-interval", default: 86400, unit: "seconds", rule: .range(0...Int.max),
        "Time between scheduled syncs of each workspace with a sync or provision credential; 0 disables them.")
    public static let syncDeadline = Setting<Int>(
        "sync.deadline", env: "ASANA_ACCESSD_SYNC_DEADLINE", flag: "sync-deadline", default: 3600, unit: "seconds", rule: .range(1...Int.max),
        "Time one sync may spend reading Asana before it is stopped, nothing committed.")
    public static let leaseTTL = Setting<Int>(
        "coordination.leaseTTL", env: "ASANA_ACCESSD_LEASE_TTL", flag: "lease-ttl", default: 30, unit: "seconds", rule: .range(3...3600),
        "How long a dead server's sync, idempotency key, provision call or workspace schedule stays taken from the others on its store; renewed every third.")
    public static let historyRetention = Setting<Int?>(
        "history.retention", env: "ASANA_ACCESSD_HISTORY_RETENTION", flag: "history-retention", default: nil, defaultDescription: "unset: kept forever",
        unit: "days", rule: .range(1...36_500), "Access history to keep; older intervals and changes are pruned hourly, never the current picture.")
    public static let maxLineBytes = Setting<Int>(
        "rpc.maxLineBytes", env: "ASANA_ACCESSD_MAX_LINE_BYTES", flag: "max-line-bytes", default: 1 << 20, unit: "bytes", rule: .range(1024...Int.max),
        "Longest request line accepted.")
    public static let maxInFlight = Setting<Int>(
        "rpc.maxInFlight", env: "ASANA_ACCESSD_MAX_IN_FLIGHT", flag: "max-in-flight", default: 16, unit: "count", rule: .range(1...4096),
        "Requests one authenticated connection may have running at once (a batch counts as one).")
    public static let drainTimeout = Setting<Int>(
        "server.drainTimeout", env: "ASANA_ACCESSD_DRAIN_SECONDS", flag: "drain-seconds", default: 30, unit: "seconds", rule: .range(0...Int.max),
        "On SIGTERM/SIGINT, how long in-flight calls may run before they are cancelled.")
    public static let logLevel = Setting<Logger.Level>(
        "log.level", env: "ASANA_ACCESSD_LOG_LEVEL", flag: "log-level", default: .info, "Lowest level logged to stderr.")
    public static let logFormat = Setting<LogFormat>(
        "log.format", env: "ASANA_ACCESSD_LOG_FORMAT", flag: "log-format", default: .text,
        "text (`2026-01-02T03:04:05.678Z info asana-accessd: key=value … [module] message`) or json (one object per line: timestamp, level, label, message, metadata).")
    public static let metricsAddress = Setting<String?>(
        "metrics.address", env: "ASANA_ACCESSD_METRICS_ADDRESS", flag: "metrics-address", default: nil, defaultDescription: "unset: off",
        "HOST:PORT of a plain-HTTP listener for Prometheus (/metrics) and health checks (/healthz, /readyz); port 0 picks a free one; never the RPC port.")

    /// The table: every setting above, in the order of `config check`, `serve --help` and the README.
    public static let all: [SettingDefinition] = [
        host.definition, port.definition, dataDirectory.definition, masterKey.definition, databaseURL.definition, tlsCertificate.definition, tlsKey.definition,
        clientCA.definition, clientCertificates.definition, principalRoles.definition, asanaBaseURL.definition, asanaConnectTimeout.definition,
        asanaRequestsPerMinute.definition, asanaMaxConcurrentReads.definition, asanaMaxConcurrentWrites.definition, syncInterval.definition,
        syncDeadline.definition, leaseTTL.definition, historyRetention.definition, maxLineBytes.definition, maxInFlight.definition, drainTimeout.definition,
        logLevel.definition, logFormat.definition, metricsAddress.definition,
    ]

    /// The config file's flag and variable: not a setting itself (a file cannot name another file).
    public static let configFlag = "config"
    public static let configEnvironment = "ASANA_ACCESSD_CONFIG"
}

/// `tls.clientCertificates`: whether a client must present a certificate when mutual TLS is on (`tls.clientCA`).
public enum ClientCertificates: String, SettingWord {
    /// No certificate from the client CA, no handshake.
    case required
    /// A client without a certificate completes the handshake and must `authenticate` with a token; a certificate
    /// presented must still verify.
    case optional
}

/// `log.format`: how log lines are written to standard error.
public enum LogFormat: String, SettingWord {
    /// `LineLogHandler`'s text lines: `2026-01-02T03:04:05.678Z info asana-accessd: connection=7 … [LineRPC] rpc call` (the default).
    case text
    /// One JSON object per line (`LineLogHandler`'s json format).
    case json
}

/// `log.level`: swift-log's levels, by their names (`trace` … `critical`).
extension Logger.Level: SettingWord {}

extension ServerSettings {
    /// Rules between settings. - Returns: the problem, or nil.
    static func crossCheck(_ settings: EffectiveSettings) -> String? {
        let mode = settings.entry(clientCertificates)
        if settings[clientCA] == nil, mode.source != .defaultValue {
            return "\(SettingsLoader.place(of: mode.setting, in: mode.source)) needs a client CA (tls.clientCA, --client-ca, ASANA_ACCESSD_CLIENT_CA): without one the server takes no client certificates"
        }
        return nil
    }
}

extension ServerSettings {
    /// The table as Markdown: the README's copy is compared with it by a test.
    public static var markdownTable: String {
        var lines = ["| Key | Flag | Environment | Default | Unit | Meaning |", "|---|---|---|---|---|---|"]
        for setting in all {
            let meaning = setting.summary.replacingOccurrences(of: "|", with: "\\|") + (setting.secret ? " Secret: redacted." : "")
            lines.append("| `\(setting.key)` | `--\(setting.flag)` | `\(setting.environment)` | \(setting.defaultText.replacingOccurrences(of: "|", with: "\\|")) | \(setting.unit ?? "") | \(meaning) |")
        }
        return lines.joined(separator: "\n")
    }
}
