import NIOCore
import Synchronization

/// The server's open connections, for the connection limit.
///
/// At the limit, a new connection takes the place of an idle connection that has no identity
/// yet and no request in progress: first one that has not completed its TLS handshake, then one
/// that has sent nothing, then any, the oldest first in each. An attacker holding many connections
/// open without authenticating cannot lock out a client that connects, calls and authenticates. Connections
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
            // Among idle connections without an identity, the least advanced (no TLS yet, then
            // nothing sent yet) goes first, the oldest of them (connection ids grow with time).
            let candidates = entries.filter { !$0.value.session.isAuthenticated && $0.value.session.linesInProgress.load(ordering: .relaxed) == 0 }
            guard let victim = candidates.min(by: { ($0.value.session.progress.load(ordering: .relaxed), $0.key) < ($1.value.session.progress.load(ordering: .relaxed), $1.key) })?.key,
                  let evicted = entries.removeValue(forKey: victim) else { return .refused }
            entries[id] = Entry(channel: channel, session: session)
            return .admittedEvicting(evicted.channel)
        }
    }

    func remove(_ id: UInt64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
