import LineRPC
import Synchronization

/// What the operator's listener asks the running server: is the RPC listener bound, is it draining,
/// how many connections are open, how many answer bytes wait for slow readers, and the sync schedule.
/// ``ServiceRuntime/makeServiceGroup(store:lock:tls:status:leadingServices:onListening:)`` fills it in.
public final class RuntimeStatus: Sendable {
    private let server = Mutex<RPCServer?>(nil)
    private let bound = Atomic<Bool>(false)
    private let syncSchedule = Mutex<SyncSchedule?>(nil)

    public init() {}

    func attach(_ server: RPCServer) { self.server.withLock { $0 = server } }
    func markBound() { bound.store(true, ordering: .relaxed) }
    func attach(_ schedule: SyncSchedule) { syncSchedule.withLock { $0 = schedule } }

    /// The service's sync schedule (paused workspaces, refused credentials), once the service exists.
    var schedule: SyncSchedule? { syncSchedule.withLock { $0 } }

    /// `true` once the RPC listener is bound (and stays so while it drains).
    public var rpcListenerBound: Bool { bound.load(ordering: .relaxed) }
    /// `true` once graceful shutdown began (SIGTERM, SIGINT).
    public var isDraining: Bool { server.withLock { $0?.isDraining ?? false } }
    /// Open RPC connections; 0 before the server exists.
    public var openConnections: Int { server.withLock { $0?.openConnectionCount ?? 0 } }
    /// Answer bytes encoded and not yet taken by their clients, over all connections.
    public var queuedAnswerBytes: Int { server.withLock { $0?.queuedAnswerBytes ?? 0 } }

    /// Why the server is not ready for calls, or nil when it is: draining, or the RPC listener not bound yet.
    public var notReadyReason: String? {
        if isDraining { return "draining (shutting down)" }
        if !rpcListenerBound { return "RPC listener not bound yet" }
        return nil
    }
}
