/// One metric the server exports: its Prometheus name, type, help text, label names and, for a
/// histogram, its bucket bounds. ``ServerMetrics`` lists them all; README's metrics table follows it.
public struct MetricDescription: Sendable, Hashable {
    /// The Prometheus metric type.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// The Prometheus name, with its unit as suffix (`_seconds`, `_bytes`; `_total` for a counter).
    public let name: String
    public let kind: Kind
    /// The `# HELP` text.
    public let help: String
    /// The label names, in the order they are recorded. Every series of the metric has exactly these.
    public let labels: [String]
    /// Upper bounds of a histogram's buckets, in the metric's unit (seconds); empty for other kinds.
    public let buckets: [Double]

    public init(_ name: String, _ kind: Kind, help: String, labels: [String] = [], buckets: [Double] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
        self.buckets = buckets
    }
}
