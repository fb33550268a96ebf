import Foundation

/// Every setting of `asana-accessd serve`, in the order `config check`, `--help` and the README list them.
/// Adding a setting is one line in ``all`` (and reading it where it is used, through ``EffectiveSettings``).
/// Precedence: command-line flag > environment variable > config file (`--config`, `ASANA_ACCESSD_CONFIG`) > default.
public enum ServerSettings {
    public static let all: [Setting] = [
        Setting("server.host", env: "ASANA_ACCESSD_HOST", flag: "host", .text, default: .text("127.0.0.1"), "Address to listen on."),
        Setting("server.port", env: "ASANA_ACCESSD_PORT", flag: "port", .integer, default: .integer(7443), rule: .range(0...65535), "TCP port; 0 picks a free one."),
        Setting("data.directory", env: "ASANA_ACCESSD_DATA", flag: "data-dir", .text, default: .text("var"), "Directory of the database and master key."),
        Setting("data.masterKey", env: "ASANA_ACCESSD_MASTER_KEY", flag: "master-key", .text, default: nil, defaultDescription: "master.key in data.directory", "Master key file (a path: the key itself is never a setting)."),
        Setting("tls.certificate", env: "ASANA_ACCESSD_TLS_CERT", flag: "tls-cert", .text, default: .text("certs/dev/server.pem"), "Server certificate chain, PEM."),
        Setting("tls.key", env: "ASANA_ACCESSD_TLS_KEY", flag: "tls-key", .text, default: .text("certs/dev/server-key.pem"), "Server private key, PEM (a path)."),
        Setting("tls.clientCA", env: "ASANA_ACCESSD_CLIENT_CA", flag: "client-ca", .text, default: nil, defaultDescription: "unset: no client certificates", "CA that signs client certificates, PEM: turns on mutual TLS."),
        Setting("tls.clientCertificates", env: "ASANA_ACCESSD_CLIENT_CERTIFICATES", flag: "client-certificates", .text, default: .text("required"), rule: .oneOf(["required", "optional"]), "With tls.clientCA: required (no certificate, no handshake) or optional (a client without one must authenticate with a token)."),
        Setting("tls.principalRoles", env: "ASANA_ACCESSD_PRINCIPAL_ROLES", flag: "principal-role", .list, default: .list([]), defaultDescription: "none", rule: .principalRoles, "Client certificate CN to role, NAME=reader|operator|admin; repeat the flag, comma-separate the variable."),
        Setting("asana.baseURL", env: "ASANA_ACCESSD_ASANA_BASE_URL", flag: "asana-base-url", .text, default: .text("https://app.asana.com/api/1.0"), rule: .httpURL, "Asana API base URL."),
        Setting("asana.connectTimeout", env: "ASANA_ACCESSD_ASANA_CONNECT_TIMEOUT", flag: "asana-connect-timeout", .integer, default: .integer(5), unit: "seconds", rule: .range(1...300), "Time to connect to Asana (TCP and TLS); a failed connect is retried twice at most."),
        Setting("asana.requestsPerMinute", env: "ASANA_ACCESSD_ASANA_REQUESTS_PER_MINUTE", flag: "asana-requests-per-minute", .integer, default: .integer(1500), unit: "count", rule: .range(1...100_000), "Requests a minute per stored credential: 1500 on paid plans, 150 on free ones."),
        Setting("asana.maxConcurrentReads", env: "ASANA_ACCESSD_ASANA_MAX_CONCURRENT_READS", flag: "asana-max-concurrent-reads", .integer, default: .integer(16), unit: "count", rule: .range(1...50), "GETs in flight at once per credential (Asana allows 50)."),
        Setting("asana.maxConcurrentWrites", env: "ASANA_ACCESSD_ASANA_MAX_CONCURRENT_WRITES", flag: "asana-max-concurrent-writes", .integer, default: .integer(8), unit: "count", rule: .range(1...15), "POSTs in flight at once per credential (Asana allows 15)."),
        Setting("sync.interval", env: "ASANA_ACCESSD_SYNC_INTERVAL", flag: "sync-interval", .integer, default: .integer(86400), unit: "seconds", rule: .range(0...Int.max), "Time between scheduled syncs of each workspace with a sync or provision credential; 0 disables them."),
        Setting("sync.deadline", env: "ASANA_ACCESSD_SYNC_DEADLINE", flag: "sync-deadline", .integer, default: .integer(3600), unit: "seconds", rule: .range(1...Int.max), "Time one sync may spend reading Asana before it is stopped, nothing committed."),
        Setting("history.retention", env: "ASANA_ACCESSD_HISTORY_RETENTION", flag: "history-retention", .integer, default: nil, defaultDescription: "unset: kept forever", unit: "days", rule: .range(1...36_500), "Access history to keep; older intervals and changes are pruned hourly, never the current picture."),
        Setting("rpc.maxLineBytes", env: "ASANA_ACCESSD_MAX_LINE_BYTES", flag: "max-line-bytes", .integer, default: .integer(1 << 20), unit: "bytes", rule: .range(1024...Int.max), "Longest request line accepted."),
        Setting("rpc.maxInFlight", env: "ASANA_ACCESSD_MAX_IN_FLIGHT", flag: "max-in-flight", .integer, default: .integer(16), unit: "count", rule: .range(1...4096), "Requests one authenticated connection may have running at once (a batch counts as one)."),
        Setting("server.drainTimeout", env: "ASANA_ACCESSD_DRAIN_SECONDS", flag: "drain-seconds", .integer, default: .integer(30), unit: "seconds", rule: .range(0...Int.max), "On SIGTERM/SIGINT, how long in-flight calls may run before they are cancelled."),
        Setting("log.level", env: "ASANA_ACCESSD_LOG_LEVEL", flag: "log-level", .text, default: .text("info"), rule: .oneOf(["trace", "debug", "info", "notice", "warning", "error", "critical"]), "Lowest level logged to stderr."),
    ]

    /// The setting with this key. - Precondition: the key is in ``all`` (a typo fails on the first start).
    public static func named(_ key: String) -> Setting {
        guard let setting = all.first(where: { $0.key == key }) else { preconditionFailure("no setting \(key) in ServerSettings.all") }
        return setting
    }

    /// The config file's flag and variable: not a setting itself (a file cannot name another file).
    public static let configFlag = "config"
    public static let configEnvironment = "ASANA_ACCESSD_CONFIG"
}

extension ServerSettings {
    /// Rules between settings. - Returns: the problem, or nil.
    static func crossCheck(_ settings: EffectiveSettings) -> String? {
        let mode = settings.entry("tls.clientCertificates")
        if settings.text("tls.clientCA") == nil, mode.source != .defaultValue {
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
