import NIOCore
import Synchronization

/// The server's open connections, for the connection limit.
///
/// At the limit, a new connection takes the place of an idle connection that has no identity
/// yet and no request in progress: first one that has sent nothing (TLS not up, or up and silent),
/// then any, the oldest first in each. An attacker holding many connections
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
            // Among idle connections without an identity, those that have sent nothing go first,
            // the oldest of them (connection ids grow with time). One class for "no TLS yet" and
            // "TLS up, nothing sent": ranking them apart would make the newest handshakes the
            // first to go whenever a flood keeps the no-TLS class short.
            let candidates = entries.filter { !$0.value.session.isAuthenticated && $0.value.session.linesInProgress.load(ordering: .relaxed) == 0 }
            func rank(_ entry: (key: UInt64, value: Entry)) -> (UInt8, UInt64) {
                (entry.value.session.progress.load(ordering: .relaxed) >= 2 ? 1 : 0, entry.key)
            }
            guard let victim = candidates.min(by: { rank($0) < rank($1) })?.key,
                  let evicted = entries.removeValue(forKey: victim) else { return .refused }
            entries[id] = Entry(channel: channel, session: session)
            return .admittedEvicting(evicted.channel)
        }
    }

    func remove(_ id: UInt64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
