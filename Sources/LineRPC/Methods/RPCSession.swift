import Synchronization

/// Who is calling on a connection: a principal name and the role the server gave it.
public struct RPCIdentity: Sendable, Equatable, Codable {
    /// A stable name for logs and audit events, e.g. `cert:dev-admin` or `token:ci-reader`.
    public var principal: String
    /// The role that decides which methods it may call (see ``RPCAccess``).
    public var role: String

    public init(principal: String, role: String) {
        self.principal = principal
        self.role = role
    }
}

/// The state of one connection that outlives a single request: the caller's identity and how
/// many authentication attempts failed. Shared by every request of the connection.
public final class RPCSession: Sendable {
    private struct State {
        var identity: RPCIdentity?
        var failedAuthentications = 0
    }

    private let state: Mutex<State>
    /// The subject common name of the client certificate, when mutual TLS supplied one.
    public let certificateCommonName: String?

    public init(certificateCommonName: String?, identity: RPCIdentity?) {
        self.certificateCommonName = certificateCommonName
        self.state = Mutex(State(identity: identity))
    }

    /// The identity calls on this connection run as; `nil` until the caller authenticates.
    public var identity: RPCIdentity? { state.withLock { $0.identity } }

    /// Sets the identity for the rest of the connection (after a successful authentication).
    public func authenticate(as identity: RPCIdentity) {
        state.withLock { $0.identity = identity }
    }

    /// Counts a failed authentication attempt and returns how many there have been on this connection.
    public func recordFailedAuthentication() -> Int {
        state.withLock {
            $0.failedAuthentications += 1
            return $0.failedAuthentications
        }
    }

    /// Failed authentication attempts so far on this connection.
    public var failedAuthentications: Int { state.withLock { $0.failedAuthentications } }
}

/// Who may call a method.
public enum RPCAccess: Sendable, Equatable {
    /// Anyone, authenticated or not (`ping`, `rpc.discover`, the authentication call).
    case anyone
    /// Only an identity whose role is in the set.
    case roles(Set<String>)
}
