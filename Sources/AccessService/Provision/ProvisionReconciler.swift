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
public struct ProvisionReconciler: Service {
    public let service: AccessService
    /// The newest intent id when the server started: intents of calls made since are not touched.
    public let upTo: Int64?

    /// - Parameters:
    ///   - service: the service whose store and Asana credentials are used.
    ///   - upTo: the newest open intent id at start (``pendingUpTo(store:)``); nil for all.
    public init(service: AccessService, upTo: Int64?) {
        self.service = service
        self.upTo = upTo
        if upTo != nil { service.provisionGate.close() }
    }

    /// The id of the newest open intent in `store`, or nil when none is open (then nothing needs reconciling).
    public static func pendingUpTo(store: any AccessStore) async throws -> Int64? {
        try await store.openProvisionIntents().last?.id
    }

    /// Reconciles the intents up to ``upTo`` once (nothing when nil), then returns; errors are logged, never thrown,
    /// so the server keeps serving.
    public func run() async throws {
        guard let upTo else { return }
        defer { service.provisionGate.open() }
        do {
            _ = try await cancelWhenGracefulShutdown { [service] in
                try await service.reconcileProvisionIntents(upTo: upTo)
            }
        } catch {
            service.logger.error("could not reconcile provision writes left without an outcome; they stay open", metadata: ["error": "\(error)"])
        }
    }
}
