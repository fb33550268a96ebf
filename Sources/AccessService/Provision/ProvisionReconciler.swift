import AccessStore
import Foundation
import ServiceLifecycle

/// Runs ``AccessService/reconcileProvisionIntents(upTo:)`` once when the server starts, beside the RPC
/// server (it does not delay listening: Asana may be slow or down), then returns. Stops at once on shutdown;
/// what it did not settle stays open for the next start.
///
/// Until it is done, `provision` calls wait (``AccessService/provisionGate``, closed by ``init(service:upTo:)``
/// when there is something to reconcile): a new call changing Asana first could make a write that never
/// reached Asana look applied.
///
/// On a store shared by several servers (PostgreSQL), a server can die while the others go on: then it also runs
/// every ``sharedStorePeriod`` and settles the intents whose call's lease is free (their server is gone), without
/// holding back provision calls (another server's call in progress is never touched: it holds its lease).
public struct ProvisionReconciler: Service {
    /// How often a server on a shared store looks for intents a dead server left: 30 s, so they are settled
    /// within about a minute (the call's lease expires within ``AccessService/leaseTTL``, 30 s by default, of its server's death).
    public static let sharedStorePeriod: Duration = .seconds(30)

    public let service: AccessService
    /// The newest intent id when the server started: intents of calls made since are not touched.
    public let upTo: Int64?
    /// Set on a shared store: the period of the later passes (see the type's documentation).
    public let repeatEvery: Duration?

    /// - Parameters:
    ///   - service: the service whose store and Asana credentials are used.
    ///   - upTo: the newest open intent id at start (``pendingUpTo(store:)``); nil when none is open.
    ///   - repeatEvery: on a shared store, ``sharedStorePeriod``; nil for one pass.
    public init(service: AccessService, upTo: Int64?, repeatEvery: Duration? = nil) {
        self.service = service
        self.upTo = upTo
        self.repeatEvery = repeatEvery
        if upTo != nil, repeatEvery == nil { service.provisionGate.close() }
    }

    /// The id of the newest open intent in `store`, or nil when none is open (then nothing needs reconciling).
    public static func pendingUpTo(store: any AccessStore) async throws -> Int64? {
        try await store.openProvisionIntents().last?.id
    }

    /// Reconciles the intents up to ``upTo`` once (nothing when nil), then, on a shared store, every ``repeatEvery``
    /// until shutdown; errors are logged, never thrown, so the server keeps serving.
    public func run() async throws {
        if let upTo {
            defer { service.provisionGate.open() }
            await pass(upTo: upTo)
        }
        guard let repeatEvery else { return }
        _ = try? await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                try await Task.sleep(for: repeatEvery)
                await pass(upTo: nil)
            }
        }
    }

    /// One reconciliation; errors are logged, never thrown.
    private func pass(upTo: Int64?) async {
        do {
            _ = try await cancelWhenGracefulShutdown { [service] in
                try await service.reconcileProvisionIntents(upTo: upTo)
            }
        } catch {
            service.logger.error("could not reconcile provision writes left without an outcome; they stay open", metadata: ["error": "\(error)"])
        }
    }
}
