import Synchronization

/// A test hook that holds membership writes before they are applied (``AsanaSimulator/holdWrites(after:)``), so a
/// test can stop the program under test while one of its writes is in flight, deterministically.
final class WriteGate: Sendable {
    private struct State {
        /// Writes that may still pass; nil = all.
        var allowance: Int?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State(allowance: nil))

    /// Returns at once while the gate is open or has allowance left (using one); otherwise waits until
    /// ``set(allowance:)`` lets it through. Not cancellable: a held write is applied once released, as Asana applies a
    /// request it received in full even when the client has gone.
    func pass() async {
        await withCheckedContinuation { continuation in
            let passes = state.withLock { state -> Bool in
                if let allowance = state.allowance {
                    guard allowance > 0 else {
                        state.waiters.append(continuation)
                        return false
                    }
                    state.allowance = allowance - 1
                }
                return true
            }
            if passes { continuation.resume() }
        }
    }

    /// `allowance` more writes pass (held ones first, oldest first), then the rest wait; nil opens the gate.
    func set(allowance: Int?) {
        let released = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.allowance = allowance
            let count = allowance.map { min($0, state.waiters.count) } ?? state.waiters.count
            let released = Array(state.waiters.prefix(count))
            state.waiters.removeFirst(count)
            if let allowance { state.allowance = allowance - count }
            return released
        }
        for continuation in released { continuation.resume() }
    }

    /// Writes waiting at the gate now.
    var held: Int { state.withLock { $0.waiters.count } }
}
