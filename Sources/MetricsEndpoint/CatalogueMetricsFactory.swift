import AccessMetrics
import CoreMetrics
import Prometheus

/// The swift-metrics backend of `serve`: a Prometheus registry whose metrics carry the `# HELP` text and
/// histogram buckets of the catalogue (``ServerMetrics``).
///
/// swift-prometheus' own `PrometheusMetricsFactory` registers every metric with empty help text, which
/// `promtool check metrics` reports ("no help text"), and one bucket set per metric name only by label;
/// this factory looks both up by name. A metric outside the catalogue (a library's) is registered with its
/// name as help text and the default buckets.
public struct CatalogueMetricsFactory: MetricsFactory {
    /// The registry that ``MetricsListener`` renders on `GET /metrics`.
    public let registry: PrometheusCollectorRegistry

    /// Buckets of a timer outside the catalogue, in seconds.
    static let defaultBuckets: [Double] = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: ServerMetrics.description(named: name)?.help ?? name)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        let buckets = ServerMetrics.description(named: label)?.buckets ?? Self.defaultBuckets
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let seconds = ServerMetrics.description(named: label)?.buckets ?? Self.defaultBuckets
        let buckets = seconds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
