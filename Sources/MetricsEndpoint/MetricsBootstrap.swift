import AccessMetrics
import Metrics
import Prometheus

/// The process-wide swift-metrics backend of `serve`.
public enum MetricsBootstrap {
    /// Bootstraps swift-metrics with a ``CatalogueMetricsFactory`` over a new registry and sets
    /// ``ServerMetrics/buildInfo``, and creates the bounded series at 0 (``BoundedSeries/createAtZero()``). `MetricsSystem.bootstrap` may run once per process: call this once, in `serve`.
    /// - Parameter version: the `version` label of the build-info gauge.
    /// - Returns: the registry `/metrics` renders.
    public static func bootstrap(version: String) -> PrometheusCollectorRegistry {
        let factory = CatalogueMetricsFactory()
        MetricsSystem.bootstrap(factory)
        Gauge(label: ServerMetrics.buildInfo.name, dimensions: [("version", version)]).record(1)
        BoundedSeries.createAtZero()
        return factory.registry
    }
}
