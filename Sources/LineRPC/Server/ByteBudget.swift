import Synchronization

/// Bytes of answers that are encoded but not yet taken by the peer, with a way to wait until they
/// fall under a bound.
///
/// The server keeps one per connection and one for all connections together. An answer is charged
/// when it has been encoded and released when its write completed or failed; the connection's reader
/// does not read the next line while either count is at or over its bound, so a client that stops
/// reading holds at most its bound, and all such clients together at most the server's.
final class ByteBudget: Sendable {
    private struct Waiter {
        let id: UInt64
        let limit: Int
        let wake: Wake
    }

    private enum Wake {
        case task(CheckedContinuation<Void, Never>)
        case callback(@Sendable () -> Void)

        func callAsFunction() {
            switch self {
            case .task(let continuation): continuation.resume()
            case .callback(let callback): callback()
            }
        }
    }

    private struct State {
        var used = 0
        var peak = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Bytes charged and not yet released.
    var used: Int { state.withLock { $0.used } }

    /// The highest count so far.
    var peak: Int { state.withLock { $0.peak } }

    /// Adds `bytes` to the count.
    func charge(_ bytes: Int) {
        state.withLock {
            $0.used += bytes
            $0.peak = max($0.peak, $0.used)
        }
    }

    /// Takes `bytes` off the count and wakes every waiter whose bound is now met.
    func release(_ bytes: Int) {
        let ready = state.withLock { state -> [Waiter] in
            state.used -= bytes
            let used = state.used
            let ready = state.waiters.filter { used < $0.limit }
            state.waiters.removeAll { used < $0.limit }
            return ready
        }
        for waiter in ready { waiter.wake() }
    }

    /// Calls `wake` once the count is under `limit`: at once (on this thread) when it already is,
    /// else from the ``release(_:)`` that brings it under. For code that cannot suspend (an event loop).
    func whenBelow(_ limit: Int, _ wake: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.used < limit { return true }
            state.nextWaiterID += 1
            state.waiters.append(Waiter(id: state.nextWaiterID, limit: limit, wake: .callback(wake)))
            return false
        }
        if now { wake() }
    }

    /// Returns once the count is under `limit`, or at once when the task is cancelled (the caller
    /// then checks for cancellation).
    func waitUntilBelow(_ limit: Int) async {
        if state.withLock({ $0.used < limit }) { return }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.used < limit || Task.isCancelled { return true }
                    state.waiters.append(Waiter(id: id, limit: limit, wake: .task(continuation)))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.wake()
        }
    }
}
