/// The catalogue of every metric `asana-accessd serve --metrics-address` exports (README, "Metrics, health
/// and alerts", has the same table).
///
/// Label values are bounded: `method` comes from the server's method table (any other name is `unknown`),
/// `outcome` from the error catalogue, `route` is a path template (``AsanaRoute``), `status` an HTTP status,
/// and `workspace` (a gid) appears only on the per-workspace state gauges, bounded by the workspaces that
/// have a credential or a snapshot. No label ever holds an email, a token or a person's gid.
public enum ServerMetrics {
    public static let prefix = "asana_access_"

    // MARK: RPC (recorded by LineRPC)

    /// Calls answered, by method and outcome (`ok`, or the error's name, e.g. `auth.forbidden`).
    public static let rpcCalls = MetricDescription(
        "asana_access_rpc_calls_total", .counter, help: "JSON-RPC calls answered, by method and outcome (ok or the error name).",
        labels: ["method", "outcome"])
    /// Time from dispatch to answer, by method.
    public static let rpcCallDuration = MetricDescription(
        "asana_access_rpc_call_duration_seconds", .histogram, help: "Time from dispatching a JSON-RPC call to its answer, by method.",
        labels: ["method"], buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600])
    /// Open RPC connections (read at scrape time).
    public static let rpcOpenConnections = MetricDescription(
        "asana_access_rpc_open_connections", .gauge, help: "Open JSON-RPC connections.")
    /// Failed `authenticate` calls.
    public static let rpcAuthenticationFailures = MetricDescription(
        "asana_access_rpc_authentication_failures_total", .counter, help: "Failed authenticate calls (wrong or unknown token).")
    /// Failed TLS handshakes on the RPC port, by ``TLSHandshakeFailureReason``.
    public static let tlsHandshakeFailures = MetricDescription(
        "asana_access_tls_handshake_failures_total", .counter,
        help: "Failed TLS handshakes on the RPC port, by reason (no_certificate, expired_certificate, untrusted_certificate, protocol, other).",
        labels: ["reason"])
    /// Answer bytes encoded and not yet taken by slow readers, over all connections (read at scrape time).
    public static let rpcQueuedAnswerBytes = MetricDescription(
        "asana_access_rpc_queued_answer_bytes", .gauge, help: "Bytes of answers encoded and not yet read by their clients, all connections together.")

    // MARK: Asana (recorded by AsanaAPI)

    /// Requests sent to Asana (each attempt), by route template, HTTP method and status.
    public static let asanaRequests = MetricDescription(
        "asana_access_asana_requests_total", .counter,
        help: "Requests sent to Asana (every attempt), by route template, HTTP method and status (transport_error when no answer came).",
        labels: ["route", "method", "status"])
    /// 429 answers from Asana.
    public static let asanaRateLimited = MetricDescription(
        "asana_access_asana_rate_limited_total", .counter, help: "429 (rate limited) answers from Asana, by route template.",
        labels: ["route"])
    /// Time a request waited for the per-credential governor before it was sent.
    public static let asanaGovernorWait = MetricDescription(
        "asana_access_asana_governor_wait_seconds", .histogram,
        help: "Time a request to Asana waited for its credential's governor (budget, concurrency cap, Retry-After pause), by kind (read, write).",
        labels: ["kind"], buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 15, 60, 300])

    // MARK: Sync (recorded by AccessService)

    /// Duration of finished sync runs, by status.
    public static let syncDuration = MetricDescription(
        "asana_access_sync_duration_seconds", .histogram, help: "Duration of sync runs, by status (succeeded, partial, failed).",
        labels: ["status"], buckets: [0.5, 1, 5, 15, 60, 300, 900, 1800, 3600])
    /// Finished sync runs, by status.
    public static let syncRuns = MetricDescription(
        "asana_access_sync_runs_total", .counter, help: "Sync runs finished, by status (succeeded, partial, failed).", labels: ["status"])
    /// Seconds since the last snapshot of a workspace was committed (read at scrape time); only for workspaces
    /// that have a sync or provision credential (the ones a scheduler syncs), so a workspace whose credentials
    /// were deleted stops reporting an ever-growing age.
    public static let syncLastSuccessAge = MetricDescription(
        "asana_access_sync_last_success_age_seconds", .gauge,
        help: "Seconds since the last sync of the workspace that committed a snapshot (succeeded or partial).", labels: ["workspace"])
    /// The configured time between scheduled syncs (`serve --sync-interval`; 0: off), for the stale-sync alert.
    public static let syncInterval = MetricDescription(
        "asana_access_sync_interval_seconds", .gauge, help: "Configured time between scheduled syncs of a workspace (0: scheduled syncs off).")
    /// 1 for the state each stored credential is in, 0 for the others (read at scrape time).
    public static let credentialState = MetricDescription(
        "asana_access_credential_state", .gauge,
        help: "1 for the state a stored credential is in (active, refused, reauthorization_required, unreadable), 0 for the others.",
        labels: ["workspace", "purpose", "state"])
    /// 1 while scheduled syncs of a workspace are paused (its credential failed: Asana refused it, it does not
    /// open, or it needs a new authorization), 0 while they run; only for workspaces with a sync or provision
    /// credential, and only while scheduled syncs are on (read at scrape time).
    public static let syncSchedulePaused = MetricDescription(
        "asana_access_sync_schedule_paused", .gauge,
        help: "1 while scheduled syncs of the workspace are paused after a credential failure (until a new credential is stored), 0 while they run.",
        labels: ["workspace"])
    /// When a certificate `serve` uses stops being valid (its notAfter), as Unix time in seconds: `server`
    /// (the server certificate) and `client_ca` (the earliest CA of `--client-ca`); set at start.
    public static let tlsCertificateExpiry = MetricDescription(
        "asana_access_tls_certificate_expiry_timestamp_seconds", .gauge,
        help: "notAfter of the server certificate (server) and of the client CA (client_ca), in Unix seconds.",
        labels: ["certificate"])
    /// Id of the newest audit event (read at scrape time).
    public static let auditHeadSequence = MetricDescription(
        "asana_access_audit_head_sequence", .gauge, help: "Id of the newest audit event (the head of the audit chain).")
    /// Always 1, labelled with the server's version.
    public static let buildInfo = MetricDescription(
        "asana_access_build_info", .gauge, help: "Always 1; the version label names the running server's version.", labels: ["version"])

    /// Every metric above, in README order.
    public static let all: [MetricDescription] = [
        rpcCalls, rpcCallDuration, rpcOpenConnections, rpcAuthenticationFailures, rpcQueuedAnswerBytes, tlsHandshakeFailures,
        asanaRequests, asanaRateLimited, asanaGovernorWait,
        syncDuration, syncRuns, syncLastSuccessAge, syncInterval, syncSchedulePaused, credentialState, tlsCertificateExpiry, auditHeadSequence, buildInfo,
    ]

    /// The catalogue entry of `name`, or nil.
    public static func description(named name: String) -> MetricDescription? { byName[name] }

    private static let byName: [String: MetricDescription] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
