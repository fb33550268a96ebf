import Metrics

/// Creates, at 0, every series of a counter whose label values are a known, bounded set, so each exists
/// from the server's start: `increase()` and `rate()` see a series' first event only when the series
/// existed before it (a series born at 1 has an increase of 0), and a dashboard or alert on a series that
/// is absent until its first event shows "no data" instead of 0.
///
/// Counters labelled by something open-ended but bounded in practice (an HTTP status, an error name) are
/// left to appear at their first event; RPC calls' `ok` series are created by ``RPCCallMetrics``.
public enum BoundedSeries {
    /// The `status` values of ``ServerMetrics/syncRuns`` and ``ServerMetrics/syncDuration``: how a sync
    /// run finishes (`SyncRunStatus` without `running`, which is never recorded).
    public static let syncRunStatuses = ["succeeded", "partial", "failed"]

    /// Creates every bounded series at 0: sync runs by status (and their duration histograms), failed
    /// authentications, 429s by every route the client calls (``AsanaRoute/knownTemplates``), and failed
    /// TLS handshakes by reason (``TLSHandshakeFailureReason``).
    /// Call it once, right after `MetricsSystem.bootstrap` (a handle made before records nowhere).
    public static func createAtZero() {
        for status in syncRunStatuses {
            _ = Counter(label: ServerMetrics.syncRuns.name, dimensions: [("status", status)])
            _ = Timer(label: ServerMetrics.syncDuration.name, dimensions: [("status", status)])
        }
        _ = Counter(label: ServerMetrics.rpcAuthenticationFailures.name)
        for reason in TLSHandshakeFailureReason.allCases {
            _ = Counter(label: ServerMetrics.tlsHandshakeFailures.name, dimensions: [("reason", reason.rawValue)])
        }
        for route in AsanaRoute.knownTemplates {
            _ = Counter(label: ServerMetrics.asanaRateLimited.name, dimensions: [("route", route)])
        }
    }
}
