import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import NIOSSL
import Logging
import ServiceLifecycle

/// Builds the server: store → service → RPC server (and the sync scheduler), in a `ServiceGroup` that drains on SIGTERM/SIGINT.
struct ServerRuntime {
    var host: String
    var port: Int
    var asanaBaseURL: String
    var maximumLineBytes: Int
    /// On shutdown, how long in-flight calls may run before they are cancelled.
    var drainTimeout: Duration
    /// Client-certificate common names and their roles.
    var principalRoles: [String: AccessRole]
    var logger: Logger
    /// Time between scheduled syncs of each workspace with a credential; zero disables the scheduler.
    var syncInterval: Duration = .zero
    /// Per-credential pacing of calls to Asana.
    var governor = AsanaGovernorConfiguration()
    /// Timeout of establishing one connection to Asana (TCP + TLS).
    var asanaConnectTimeout: Duration = AsanaClientConfiguration.defaultConnectTimeout
    /// The longest one sync may spend reading Asana.
    var syncDeadline: Duration = AccessService.defaultSyncDeadline

    /// How long settled provision intents are kept (their record is in the audit log): 30 days.
    static let resolvedIntentRetention: TimeInterval = 30 * 24 * 3600

    /// A service group that serves until SIGTERM/SIGINT or `triggerGracefulShutdown()`, then stops
    /// accepting, lets in-flight calls finish for up to `drainTimeout`, and returns from `run()`.
    /// - Parameters:
    ///   - lock: the data directory's lock, held by the caller for as long as the group runs: only then
    ///     can sync runs still marked `running` be a crashed predecessor's, which this marks `failed`.
    ///   - onListening: called with the bound port.
    func makeServiceGroup(store: any AccessStore, lock: DataDirectoryLock, tls: TLSConfiguration, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> ServiceGroup {
        let abandoned = try await store.failRunningSyncRuns(reason: "the server stopped while the sync was running", at: Date())
        if abandoned > 0 { logger.warning("marked interrupted sync runs as failed", metadata: ["count": "\(abandoned)"]) }
        let asana = AsanaClientFactory(
            configuration: AsanaClientConfiguration(baseURL: asanaBaseURL, connectTimeout: asanaConnectTimeout),
            transport: HTTPClientAsanaTransport(connectTimeout: asanaConnectTimeout),
            logger: Logger(label: "asana-accessd.asana"),
            governorConfiguration: governor)
        var service = AccessService(store: store, asana: asana, logger: logger)
        service.syncDeadline = syncDeadline
        // Provision writes left without an outcome by the previous run (crash, kill -9) are reconciled
        // against Asana beside the server (only those open now); provision calls wait until it is done.
        let pendingIntents = try await ProvisionReconciler.pendingUpTo(store: store)
        try await store.pruneResolvedProvisionIntents(before: Date().addingTimeInterval(-Self.resolvedIntentRetention))
        let server = RPCServer(
            configuration: RPCServerConfiguration(host: host, port: port, tls: tls, maximumLineBytes: maximumLineBytes),
            methods: service.methodTable(), logger: logger,
            identify: { [principalRoles] commonName in AccessService.identity(forCertificate: commonName, roles: principalRoles) },
            onListening: { address in onListening(address.port ?? 0) })
        // The scheduler comes after the server, so it is shut down first: on SIGTERM/SIGINT it stops at
        // once (cancelling a scheduled sync in progress) while the server drains its in-flight calls.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: server)]
        if let pendingIntents {
            logger.notice("provision writes without an outcome found; reconciling them with Asana before provision calls run",
                          metadata: ["upToIntent": "\(pendingIntents)"])
            services.append(.init(service: ProvisionReconciler(service: service, upTo: pendingIntents),
                                  successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        if syncInterval > .zero {
            services.append(.init(service: SyncScheduler(service: service, configuration: .init(interval: syncInterval))))
        }
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = drainTimeout
        return ServiceGroup(configuration: configuration)
    }
}
