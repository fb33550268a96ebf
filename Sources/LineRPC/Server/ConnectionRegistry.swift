import NIOCore
import Synchronization

/// The server's connections: every channel accepted and not yet closed (the server returns from `run`
/// only once there is none), and among them the admitted ones, for the connection limit and the drain.
///
/// At the limit, a new connection takes the place of a connection that has no identity yet: first one
/// that has sent no line for longer than the grace (TLS not up, or up and silent), then any other, with
/// a request in progress or not, the oldest first in each. The newest connections go last, so an
/// attacker holding many connections open without authenticating (idle, trickling, or failing
/// `authenticate` and waiting out its delay) cannot lock out a client that connects, calls and
/// authenticates, unless they open more connections than the limit in the moment that client needs.
/// Connections with an identity are never evicted.
///
/// A connection leaves when its channel closes (`closeFuture`), whoever closed it: no task waits on it.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        let session: RPCSession
        let handler: NIOLoopBound<RPCConnectionHandler>
        let admittedAt: ContinuousClock.Instant
    }

    /// What ``admit(_:channel:session:handler:limit:silentGrace:)`` decided.
    enum Admission {
        /// Under the limit.
        case admitted
        /// At the limit: admitted in place of `evicted`, which the caller closes.
        case admittedEvicting(any Channel)
        /// At the limit and every open connection has an identity.
        case refused
        /// The server drains (``startDraining()``): it admits no connection any more.
        case draining
    }

    /// A channel accepted and not yet closed.
    private struct OpenChannel {
        let channel: any Channel
        /// The accept loop took it (``admit(_:channel:session:handler:limit:silentGrace:)``).
        var taken = false
    }

    private struct State {
        /// Admitted connections, evicted ones removed at once.
        var admitted: [UInt64: Entry] = [:]
        /// Every channel accepted and not yet closed: admitted, refused, evicted, or not yet taken by the accept loop.
        var open: [UInt64: OpenChannel] = [:]
        var draining = false
        /// The accept loop ended: a channel it has not taken never will be.
        var acceptingEnded = false
        /// Waiting for `open` to empty.
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Open connections, the refused ones not counted.
    var count: Int { state.withLock { $0.admitted.count } }

    /// `true` once ``startDraining()`` was called.
    var isDraining: Bool { state.withLock { $0.draining } }

    /// Records a channel as it is accepted (set up), until it closes. Returns `false`, recording
    /// nothing, once the accept loop has ended (``acceptingEnded()``): the caller closes the channel.
    func opened(_ id: UInt64, channel: any Channel) -> Bool {
        let recorded = state.withLock { state -> Bool in
            guard !state.acceptingEnded else { return false }
            state.open[id] = OpenChannel(channel: channel)
            return true
        }
        if recorded { channel.closeFuture.whenComplete { _ in self.closed(id) } }
        return recorded
    }

    /// The accept loop ended: closes the channels it did not take (accepted as the listener closed,
    /// they would wait forever), and from now on records none.
    func acceptingEnded() {
        let untaken = state.withLock { state -> [any Channel] in
            state.acceptingEnded = true
            return state.open.values.filter { !$0.taken }.map(\.channel)
        }
        for channel in untaken { channel.close(promise: nil) }
    }

    /// Admits the connection `id` (recorded by ``opened(_:channel:)``) under `limit`, in place of an
    /// unauthenticated one if need be; while draining, admits none.
    func admit(_ id: UInt64, channel: any Channel, session: RPCSession, handler: NIOLoopBound<RPCConnectionHandler>,
               limit: Int, silentGrace: Duration) -> Admission {
        let now = ContinuousClock.now
        let entry = Entry(channel: channel, session: session, handler: handler, admittedAt: now)
        return state.withLock { state in
            state.open[id]?.taken = true
            guard !state.draining else { return .draining }
            guard state.open[id] != nil else { return .admitted }  // closed already: nothing to keep
            if state.admitted.count < limit {
                state.admitted[id] = entry
                return .admitted
            }
            // Connection ids grow with time: the lowest is the oldest.
            func rank(_ entry: (key: UInt64, value: Entry)) -> (UInt8, UInt64) {
                let silent = entry.value.session.progress.load(ordering: .relaxed) < 2 && now - entry.value.admittedAt > silentGrace
                return (silent ? 0 : 1, entry.key)
            }
            guard let victim = state.admitted.filter({ !$0.value.session.isAuthenticated }).min(by: { rank($0) < rank($1) })?.key,
                  let evicted = state.admitted.removeValue(forKey: victim) else { return .refused }
            state.admitted[id] = entry
            return .admittedEvicting(evicted.channel)
        }
    }

    /// Admits no connection from now on and tells every admitted connection's handler to start no
    /// further line (``RPCConnectionHandler/stop()``): each closes once its requests have answered.
    func startDraining() {
        let handlers = state.withLock { state -> [NIOLoopBound<RPCConnectionHandler>] in
            guard !state.draining else { return [] }
            state.draining = true
            return state.admitted.values.map(\.handler)
        }
        for handler in handlers {
            handler.eventLoop.execute { handler.value.stop() }
        }
    }

    /// Closes every channel still open.
    func closeAll() {
        for channel in state.withLock({ $0.open.values.map(\.channel) }) {
            channel.close(promise: nil)
        }
    }

    /// Returns once every channel recorded has closed.
    func waitUntilAllClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard !state.open.isEmpty else { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func closed(_ id: UInt64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.admitted.removeValue(forKey: id)
            state.open.removeValue(forKey: id)
            guard state.open.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
