import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging
import NIOSSL
import ServiceLifecycle

/// The composition root of asana-accessd: store → Asana client factory → ``AccessService`` → RPC server
/// (and the sync scheduler and the provision reconciler), in a `ServiceGroup` that drains on SIGTERM/SIGINT.
///
/// `serve` and `demo` run ``makeServiceGroup(store:lock:tls:onListening:)``; the offline admin commands and
/// tests that need no listener build the same service with ``makeService(store:)``.
public struct ServiceRuntime: Sendable {
    /// Everything the runtime is built from; the defaults are `serve`'s.
    public struct Configuration: Sendable {
        /// Address to listen on.
        public var host: String = "127.0.0.1"
        /// TCP port; 0 picks a free one (reported to `onListening`).
        public var port: Int = 7443
        /// Asana's API base URL (`https://app.asana.com/api/1.0`, or a simulator's).
        public var asanaBaseURL: String = AsanaClientConfiguration.asanaBaseURL
        /// Longest request line accepted, in bytes.
        public var maximumLineBytes: Int = 1 << 20
        /// Requests one authenticated connection may have running at once (``RPCServerConfiguration/maximumInFlightPerConnection``).
        public var maximumInFlightPerConnection: Int = 16
        /// On shutdown, how long in-flight calls may run before they are cancelled.
        public var drainTimeout: Duration = .seconds(30)
        /// Client-certificate common names and their roles.
        public var principalRoles: [String: AccessRole] = [:]
        /// Time between scheduled syncs of each workspace with a credential; zero disables the scheduler.
        public var syncInterval: Duration = .zero
        /// Per-credential pacing of calls to Asana.
        public var governor = AsanaGovernorConfiguration()
        /// Timeout of establishing one connection to Asana (TCP + TLS).
        public var asanaConnectTimeout: Duration = AsanaClientConfiguration.defaultConnectTimeout
        /// Timeout of one Asana request, from sending to the answer's head.
        public var asanaRequestTimeout: Duration = .seconds(30)
        /// The longest one sync may spend reading Asana.
        public var syncDeadline: Duration = AccessService.defaultSyncDeadline
        /// How long a lease outlives a server that stopped renewing it (``AccessService/leaseTTL``), in seconds.
        public var leaseTTL: TimeInterval = LeaseGate.defaultTTL
        /// How long access history is kept; nil keeps it forever (``HistoryPruner``).
        public var historyRetention: Duration?
        /// Whether SIGTERM and SIGINT start the graceful shutdown (`serve`, `demo`); `false` leaves the process's
        /// signal handling alone (tests stop the group with `triggerGracefulShutdown()`).
        public var drainOnSignals = true

        public init(asanaBaseURL: String = AsanaClientConfiguration.asanaBaseURL) {
            self.asanaBaseURL = asanaBaseURL
        }
    }

    /// How long settled provision intents are kept (their record is in the audit log): 30 days.
    public static let resolvedIntentRetention: TimeInterval = 30 * 24 * 3600

    public var configuration: Configuration
    public var logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The Asana client factory of ``configuration``: one HTTP transport whose connection pool holds as many
    /// connections as one credential's governor lets requests run at once, and one governor per credential.
    public func makeAsanaClientFactory() -> AsanaClientFactory {
        AsanaClientFactory(
            configuration: AsanaClientConfiguration(baseURL: configuration.asanaBaseURL, requestTimeout: configuration.asanaRequestTimeout,
                                                    connectTimeout: configuration.asanaConnectTimeout),
            transport: HTTPClientAsanaTransport(timeout: configuration.asanaRequestTimeout, connectTimeout: configuration.asanaConnectTimeout,
                                                maxConnectionsPerHost: configuration.governor.maxConcurrentRequests),
            logger: Logger(label: "asana-accessd.asana"),
            governorConfiguration: configuration.governor)
    }

    /// The service over `store`, talking to Asana as ``configuration`` says: what `serve` serves, without
    /// the listener, the scheduler or the start-up work (for offline commands and tests).
    /// - Parameter now: the service's clock (tests move it; the server's is the real time).
    public func makeService(store: any AccessStore, now: @escaping @Sendable () -> Date = { Date() }) -> AccessService {
        var service = AccessService(store: store, asana: makeAsanaClientFactory(), logger: logger, now: now)
        service.syncDeadline = configuration.syncDeadline
        service.leaseTTL = configuration.leaseTTL
        return service
    }

    /// A service group that serves until SIGTERM/SIGINT or `triggerGracefulShutdown()`, then stops
    /// accepting, lets in-flight calls finish for up to ``Configuration/drainTimeout``, and returns from `run()`.
    ///
    /// Before it returns: sync runs still marked `running` are marked `failed` (a crashed predecessor's),
    /// provision intents without an outcome are queued for reconciliation beside the server, and settled
    /// intents older than ``resolvedIntentRetention`` are pruned.
    /// - Parameters:
    ///   - lock: the data directory's lock, held by the caller for as long as the group runs: only then
    ///     can sync runs still marked `running` be a crashed predecessor's. Nil for a store shared with other
    ///     servers (PostgreSQL): then nothing of theirs is touched at start, provision intents a dead server
    ///     left are reconciled every ``ProvisionReconciler/sharedStorePeriod``, and tokens revoked through another
    ///     server end the sessions here within ``RevocationWatcher/period`` (``RevocationWatcher``).
    ///   - status: filled in with the RPC server, and marked bound when it listens (for `/readyz` and the metrics).
    ///   - leadingServices: run first in the group, so they are stopped last (the metrics listener, which
    ///     answers `/readyz` with 503 while the RPC server drains).
    ///   - onListening: called with the bound port.
    /// - Throws: what the store throws while doing the start-up work (e.g. `AccessStoreError.storageFull`).
    public func makeServiceGroup(store: any AccessStore, lock: DataDirectoryLock?, tls: TLSConfiguration,
                                 status: RuntimeStatus? = nil, leadingServices: [any Service] = [],
                                 onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> ServiceGroup {
        let shared = lock == nil
        if !shared {
            // Holding the data directory's lock, this server is the SQLite store's only one: leases (sync,
            // idempotency key, provision call) a killed predecessor left would refuse calls until they expired.
            if let sqlite = store as? SQLiteAccessStore { try await sqlite.releaseAllLeases() }
            let abandoned = try await store.failRunningSyncRuns(reason: AccessService.interruptedSyncReason, at: Date())
            if abandoned > 0 { logger.warning("marked interrupted sync runs as failed", metadata: ["count": "\(abandoned)"]) }
        }
        // On a shared store other servers may be syncing now: a dead server's runs are closed by the next sync of
        // their workspace, which holds its lease (AccessService.runSync).
        let service = makeService(store: store)
        // Provision writes left without an outcome by the previous run (crash, kill -9) are reconciled
        // against Asana beside the server (only those open now); provision calls wait until it is done.
        let pendingIntents = try await ProvisionReconciler.pendingUpTo(store: store)
        try await store.pruneResolvedProvisionIntents(before: Date().addingTimeInterval(-Self.resolvedIntentRetention))
        let server = RPCServer(
            configuration: RPCServerConfiguration(host: configuration.host, port: configuration.port, tls: tls,
                                                  maximumLineBytes: configuration.maximumLineBytes,
                                                  maximumInFlightPerConnection: configuration.maximumInFlightPerConnection),
            methods: service.methodTable(), logger: logger,
            identify: { [roles = configuration.principalRoles] commonName in AccessService.identity(forCertificate: commonName, roles: roles) },
            onListening: { address in
                status?.markBound()
                onListening(address.port ?? 0)
            })
        status?.attach(server)
        status?.attach(service.schedule)
        // The scheduler comes after the server, so it is shut down first: on SIGTERM/SIGINT it stops at
        // once (cancelling a scheduled sync in progress) while the server drains its in-flight calls.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = leadingServices.map { .init(service: $0) } + [.init(service: server)]
        if shared {
            services.append(.init(service: RevocationWatcher(service: service)))
            services.append(.init(service: ProvisionReconciler(service: service, upTo: pendingIntents, repeatEvery: ProvisionReconciler.sharedStorePeriod),
                                  successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        } else if let pendingIntents {
            logger.notice("provision writes without an outcome found; reconciling them with Asana before provision calls run",
                          metadata: ["upToIntent": "\(pendingIntents)"])
            services.append(.init(service: ProvisionReconciler(service: service, upTo: pendingIntents),
                                  successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        if let retention = configuration.historyRetention {
            services.append(.init(service: HistoryPruner(service: service, configuration: .init(retention: retention))))
        }
        if configuration.syncInterval > .zero {
            services.append(.init(service: SyncScheduler(service: service, configuration: .init(interval: configuration.syncInterval))))
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: configuration.drainOnSignals ? [.sigterm, .sigint] : [],
                                                           logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.drainTimeout
        return ServiceGroup(configuration: groupConfiguration)
    }
}
