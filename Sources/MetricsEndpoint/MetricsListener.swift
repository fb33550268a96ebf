import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// The operator's HTTP listener (`serve --metrics-address`), plain HTTP/1.1 apart from the RPC port:
///
/// - `GET /metrics`: the registry in the Prometheus text exposition format 0.0.4, after `collect` has set
///   the gauges that are read at scrape time (connections, credential states, sync ages, audit head);
/// - `GET /healthz`: 200 `ok` while the process serves HTTP at all;
/// - `GET /readyz`: 200 `ready`, or 503 with the reason `readiness` gives (draining, RPC listener not bound).
///
/// It runs as a service of the server's `ServiceGroup`; put it first there, so it is stopped last and
/// `/readyz` answers 503 `draining` while the RPC server drains.
public struct MetricsListener: Service {
    /// The content type of `/metrics` (Prometheus text format 0.0.4).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let collect: @Sendable () async -> Void
    private let readiness: @Sendable () async -> Readiness
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - host, port: where to listen; port 0 picks a free one (reported to `onListening`).
    ///   - collect: sets the scrape-time gauges; runs before every `/metrics` answer.
    ///   - readiness: what `/readyz` answers.
    ///   - onListening: called once with the bound port.
    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger,
                collect: @escaping @Sendable () async -> Void = {},
                readiness: @escaping @Sendable () async -> Readiness = { .ready },
                onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.registry = registry
        self.collect = collect
        self.readiness = readiness
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until graceful shutdown.
    /// - Throws: ``MetricsListenerError/bindFailed(address:reason:)`` when the address cannot be bound.
    public func run() async throws {
        let router = Router()
        router.get("metrics") { [registry, collect] _, _ -> Response in
            await collect()
            var headers = HTTPFields()
            headers[.contentType] = Self.contentType
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ in Self.text(.ok, "ok") }
        router.get("readyz") { [readiness] _, _ in
            switch await readiness() {
            case .ready: Self.text(.ok, "ready")
            case .notReady(let reason): Self.text(.serviceUnavailable, "not ready: \(reason)")
            }
        }
        let bound = BoundFlag()
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "asana-accessd"),
            onServerRunning: { [onListening] channel in
                bound.value.store(true, ordering: .relaxed)
                onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        do {
            try await application.run()
        } catch let error where !bound.value.load(ordering: .relaxed) {
            throw MetricsListenerError.bindFailed(address: "\(host):\(port)", reason: "\(error)")
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
    }
}

/// Whether the listener got as far as binding (an error before that is a bind failure).
private final class BoundFlag: Sendable {
    let value = Atomic<Bool>(false)
}
