import AccessMetrics
import AccessProtocol
import Metrics
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
///
/// An identity may come with a check that is run before every later call on the connection (see
/// ``authenticate(as:stillValid:)``): when the token behind it has been revoked or has expired, the
/// check returns the error to answer, and the connection drops back to unauthenticated.
public final class RPCSession: Sendable {
    /// Says whether an identity still holds: `nil` when it does, else the error that ends it
    /// (e.g. `auth.token_revoked`). Runs before every call, so it must be cheap (no I/O).
    public typealias ValidityCheck = @Sendable () -> RPCError?

    private struct State {
        var certificateCommonName: String?
        var identity: RPCIdentity?
        var stillValid: ValidityCheck?
        var failedAuthentications = 0
    }

    /// What ``checkIdentity()`` found.
    public enum IdentityCheck: Sendable, Equatable {
        /// No identity: the connection is unauthenticated.
        case none
        /// The identity holds.
        case valid(RPCIdentity)
        /// The identity no longer holds (its token was revoked or expired); the session is now
        /// unauthenticated and the call must be answered with this error.
        case ended(RPCError)
    }

    private let state: Mutex<State>
    /// How far the connection got: 0 connected, 1 TLS handshake completed, 2 bytes received over TLS.
    /// At the connection limit, connections that have sent nothing for a while are evicted first.
    let progress = Atomic<UInt8>(0)
    /// Requests of the connection read and not yet answered. While one is, the idle timeout does not close
    /// the connection: a long call (a large `sync`) sends nothing until it answers.
    let callsInProgress = Atomic<Int>(0)

    /// The subject common name of the client certificate, when mutual TLS supplied one.
    public var certificateCommonName: String? { state.withLock { $0.certificateCommonName } }

    public init(certificateCommonName: String?, identity: RPCIdentity?) {
        self.state = Mutex(State(certificateCommonName: certificateCommonName, identity: identity))
    }

    /// Records the client certificate once the TLS handshake has completed, with the identity it
    /// maps to (`nil`: the connection stays unauthenticated until it authenticates).
    func setCertificate(commonName: String?, identity: RPCIdentity?) {
        state.withLock {
            $0.certificateCommonName = commonName
            if let identity { $0.identity = identity }
        }
    }

    /// The identity calls on this connection run as; `nil` until the caller authenticates.
    /// Does not run the validity check: use ``checkIdentity()`` before letting a call run.
    public var identity: RPCIdentity? { state.withLock { $0.identity } }

    /// `true` while the connection has an identity (the server then applies the authenticated limits).
    public var isAuthenticated: Bool { identity != nil }

    /// Sets the identity for the rest of the connection (after a successful authentication).
    /// - Parameter stillValid: run before every later call; when it returns an error the identity
    ///   ends (see ``checkIdentity()``). `nil` for an identity that holds for the whole connection
    ///   (a client certificate, verified at the handshake).
    public func authenticate(as identity: RPCIdentity, stillValid: ValidityCheck? = nil) {
        state.withLock {
            $0.identity = identity
            $0.stillValid = stillValid
        }
    }

    /// The identity a call may run as, after running its validity check. An identity whose check
    /// fails is removed, so later calls find the connection unauthenticated.
    public func checkIdentity() -> IdentityCheck {
        state.withLock { state in
            guard let identity = state.identity else { return .none }
            if let ended = state.stillValid?() {
                state.identity = nil
                state.stillValid = nil
                return .ended(ended)
            }
            return .valid(identity)
        }
    }

    /// Counts a failed authentication attempt (also in ``ServerMetrics/rpcAuthenticationFailures``) and returns how many there have been on this connection.
    public func recordFailedAuthentication() -> Int {
        Counter(label: ServerMetrics.rpcAuthenticationFailures.name).increment()
        return state.withLock {
            $0.failedAuthentications += 1
            return $0.failedAuthentications
        }
    }

    /// Failed authentication attempts so far on this connection.
    public var failedAuthentications: Int { state.withLock { $0.failedAuthentications } }
}

/// Who may call a method.
public enum RPCAccess: Sendable, Equatable {
    /// Anyone, authenticated or not (`ping`, the authentication call).
    case anyone
    /// Only an identity whose role is in the set.
    case roles(Set<String>)
}
