import NIOCore
import Synchronization

/// The server's open connections, for the connection limit.
///
/// At the limit, a new connection takes the place of the oldest connection that has no identity
/// yet and no request in progress: an attacker holding many connections open without
/// authenticating cannot lock out a client that connects, calls and authenticates. Connections
/// with an identity, or busy with a request, are never evicted.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        let session: RPCSession
    }

    /// What ``admit(_:channel:session:limit:)`` decided.
    enum Admission {
        /// Under the limit.
        case admitted
        /// At the limit: admitted in place of `evicted`, which the caller closes.
        case admittedEvicting(any Channel)
        /// At the limit and every open connection has an identity or a request in progress.
        case refused
    }

    private let entries = Mutex<[UInt64: Entry]>([:])

    /// Open connections, the refused ones not counted.
    var count: Int { entries.withLock { $0.count } }

    func admit(_ id: UInt64, channel: any Channel, session: RPCSession, limit: Int) -> Admission {
        entries.withLock { entries in
            if entries.count < limit {
                entries[id] = Entry(channel: channel, session: session)
                return .admitted
            }
            // Connection ids grow with time: the smallest unauthenticated id is the oldest.
            guard let oldest = entries.filter({ !$0.value.session.isAuthenticated && $0.value.session.linesInProgress.load(ordering: .relaxed) == 0 }).keys.min(),
                  let evicted = entries.removeValue(forKey: oldest) else { return .refused }
            entries[id] = Entry(channel: channel, session: session)
            return .admittedEvicting(evicted.channel)
        }
    }

    func remove(_ id: UInt64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
