import NIOCore
import Synchronization

/// The server's open connections, for the connection limit.
///
/// At the limit, a new connection takes the place of a connection that has no identity yet: first one
/// that has sent no line for longer than the grace (TLS not up, or up and silent), then any other, with
/// a request in progress or not, the oldest first in each. The newest connections go last, so an
/// attacker holding many connections open without authenticating (idle, trickling, or failing
/// `authenticate` and waiting out its delay) cannot lock out a client that connects, calls and
/// authenticates, unless they open more connections than the limit in the moment that client needs.
/// Connections with an identity are never evicted.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        let session: RPCSession
        let admittedAt: ContinuousClock.Instant
    }

    /// What ``admit(_:channel:session:limit:)`` decided.
    enum Admission {
        /// Under the limit.
        case admitted
        /// At the limit: admitted in place of `evicted`, which the caller closes.
        case admittedEvicting(any Channel)
        /// At the limit and every open connection has an identity.
        case refused
    }

    private let entries = Mutex<[UInt64: Entry]>([:])

    /// Open connections, the refused ones not counted.
    var count: Int { entries.withLock { $0.count } }

    func admit(_ id: UInt64, channel: any Channel, session: RPCSession, limit: Int, silentGrace: Duration) -> Admission {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            if entries.count < limit {
                entries[id] = Entry(channel: channel, session: session, admittedAt: now)
                return .admitted
            }
            // Connection ids grow with time: the lowest is the oldest.
            func rank(_ entry: (key: UInt64, value: Entry)) -> (UInt8, UInt64) {
                let silent = entry.value.session.progress.load(ordering: .relaxed) < 2 && now - entry.value.admittedAt > silentGrace
                return (silent ? 0 : 1, entry.key)
            }
            guard let victim = entries.filter({ !$0.value.session.isAuthenticated }).min(by: { rank($0) < rank($1) })?.key,
                  let evicted = entries.removeValue(forKey: victim) else { return .refused }
            entries[id] = Entry(channel: channel, session: session, admittedAt: now)
            return .admittedEvicting(evicted.channel)
        }
    }

    func remove(_ id: UInt64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
