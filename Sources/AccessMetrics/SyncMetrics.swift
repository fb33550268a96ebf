import Metrics

/// Records finished sync runs (``ServerMetrics/syncRuns``, ``ServerMetrics/syncDuration``).
public enum SyncMetrics {
    /// Records one finished run.
    /// - Parameters:
    ///   - status: `succeeded`, `partial` or `failed` (the run's status as stored).
    ///   - duration: from the run's start to its end.
    public static func recordRun(status: String, duration: Duration) {
        Counter(label: ServerMetrics.syncRuns.name, dimensions: [("status", status)]).increment()
        Timer(label: ServerMetrics.syncDuration.name, dimensions: [("status", status)]).record(duration: duration)
    }
}
