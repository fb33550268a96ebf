import Synchronization

/// Holds `provision` writes while the intents a previous run left open are reconciled: reconciliation reads
/// Asana's state, so a new call must not change that state first (it would make a write that never reached Asana
/// look applied). Open unless ``close()`` was called; ``open()`` lets every waiting call go on.
public final class ProvisionGate: Sendable {
    private struct State {
        var isOpen = true
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates an open gate.
    public init() {}

    /// Makes later ``wait()`` calls wait until ``open()``.
    public func close() { state.withLock { $0.isOpen = false } }

    /// Lets every waiting and later ``wait()`` call return.
    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether calls pass at once.
    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Returns when the gate is open.
    /// - Throws: `CancellationError` when the task is cancelled first (a server shutting down).
    func wait() async throws {
        if isOpen { return }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let passes = state.withLock { state -> Bool in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if passes { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
        try Task.checkCancellation()
    }
}
