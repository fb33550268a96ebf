import AccessProtocol
import AccessStore
import Foundation
import LineRPC

extension AccessService {
    /// Failed `authenticate` calls allowed on one connection; later ones are refused without checking the token.
    public static let maximumFailedAuthentications = 5

    /// How long the answer to the `failures`-th failed `authenticate` on a connection waits:
    /// 250 ms, doubling with each failure, at most 4 s.
    static func failedAuthenticationDelay(afterFailures failures: Int) -> Duration {
        .milliseconds(250 << min(max(failures - 1, 0), 4))
    }

    /// Checks an API token and, when it is valid, makes it the connection's identity until the
    /// connection closes, the token is revoked (`revokeToken`), or it expires: the connection's
    /// next call after that is answered `auth.token_revoked` (-32005) or `auth.token_expired`
    /// (-32006) and the connection is unauthenticated again.
    ///
    /// A wrong token is answered after a delay that doubles with each failure on the connection
    /// (250 ms, 500 ms, 1 s, 2 s, 4 s); after ``maximumFailedAuthentications`` failures the
    /// connection's further attempts are refused at once without looking at the token.
    /// - Throws: `auth.failed` (-32003), `auth.too_many_attempts` (-32004).
    func authenticate(_ params: Authenticate.Params, session: RPCSession) async throws -> Identity {
        guard session.failedAuthentications < Self.maximumFailedAuthentications else {
            throw AccessError.tooManyAuthenticationAttempts(Self.maximumFailedAuthentications)
        }
        if let token = try await store.verifyAPIToken(params.token, at: now()) {
            let identity = RPCIdentity(principal: "token:\(token.name)", role: token.role.rawValue)
            session.authenticate(as: identity, stillValid: { [revokedTokens, now, name = token.name, expiresAt = token.expiresAt] in
                if revokedTokens.contains(name) { return AccessError.tokenRevoked(name) }
                if let expiresAt, expiresAt <= now() { return AccessError.tokenExpired(name, at: expiresAt) }
                return nil
            })
            return Identity(principal: identity.principal, role: identity.role)
        }
        let failures = session.recordFailedAuthentication()
        try await Task.sleep(for: Self.failedAuthenticationDelay(afterFailures: failures))
        throw AccessError.authenticationFailed()
    }

    /// The identity of a connection whose client certificate has `commonName`, from the
    /// server's principal-to-role map; `nil` leaves the connection to authenticate with a token.
    public static func identity(forCertificate commonName: String?, roles: [String: AccessRole]) -> RPCIdentity? {
        guard let commonName, let role = roles[commonName] else { return nil }
        return RPCIdentity(principal: "cert:\(commonName)", role: role.rawValue)
    }
}
