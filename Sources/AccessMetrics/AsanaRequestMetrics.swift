import Metrics

/// Records requests to Asana (``ServerMetrics/asanaRequests``, ``ServerMetrics/asanaRateLimited``) and the
/// time they waited for their credential's governor (``ServerMetrics/asanaGovernorWait``).
///
/// The handles come from the backend's registry (a dictionary under a lock): a request to Asana takes
/// milliseconds, so that lookup is noise next to it.
public enum AsanaRequestMetrics {
    /// The `status` label of an attempt that got no HTTP answer (connect failure, timeout, reset).
    public static let transportErrorStatus = "transport_error"

    /// Records one attempt.
    /// - Parameters:
    ///   - route: the route template (``AsanaRoute/template(_:)``).
    ///   - method: `GET` or `POST`.
    ///   - status: the HTTP status, or nil when no answer came.
    public static func recordAttempt(route: String, method: String, status: Int?) {
        Counter(label: ServerMetrics.asanaRequests.name,
                dimensions: [("route", route), ("method", method), ("status", status.map(String.init) ?? transportErrorStatus)]).increment()
        if status == 429 {
            Counter(label: ServerMetrics.asanaRateLimited.name, dimensions: [("route", route)]).increment()
        }
    }

    /// Records the time one request waited for its governor.
    /// - Parameter kind: `read` or `write`.
    public static func recordGovernorWait(kind: String, _ duration: Duration) {
        Timer(label: ServerMetrics.asanaGovernorWait.name, dimensions: [("kind", kind)]).record(duration: duration)
    }
}
