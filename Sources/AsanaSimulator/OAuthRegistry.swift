import Crypto
import Foundation
import Hummingbird
import Synchronization

/// An OAuth error answer of `/-/oauth_token` and `/-/oauth_revoke`: `{"error": <code>, "error_description": <text>}`
/// with a 400 or 401 status (https://developers.asana.com/docs/oauth; `invalid_grant` from the third-party report https://github.com/raycast/extensions/issues/10582, the other
/// codes and the descriptions chosen after RFC 6749 §5.2).
struct OAuthError: Error, Sendable, Equatable {
    let status: HTTPResponse.Status
    let code: String
    let description: String

    /// 400 `invalid_request`: a missing field or a body that is not form-encoded.
    static func invalidRequest(_ description: String) -> OAuthError { .init(status: .badRequest, code: "invalid_request", description: description) }
    /// 401 `invalid_client`: unknown client id or wrong secret.
    static let invalidClient = OAuthError(status: .unauthorized, code: "invalid_client", description: "The client_id or client_secret is not valid.")
    /// 400 `invalid_grant`: a code or refresh token that cannot be used.
    static func invalidGrant(_ description: String) -> OAuthError { .init(status: .badRequest, code: "invalid_grant", description: description) }

    /// The JSON answer.
    func makeResponse() -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=UTF-8"
        let body = JSONValue.object([("error", .string(code)), ("error_description", .string(description))])
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }
}

/// The simulator's OAuth server state (https://developers.asana.com/docs/oauth): registered apps (from the seed), pending authorization
/// codes, grants (one per successful code exchange: client, user, scopes), their refresh tokens and access tokens.
///
/// - Codes are single use: the first exchange attempt by the right client consumes the code, whatever its outcome
///   (chosen); they expire after ``SimulatorConfiguration/authorizationCodeLifetime``.
/// - Access tokens expire after ``SimulatorConfiguration/accessTokenLifetime``; revoking a grant (revoke endpoint,
///   ``AsanaSimulator/revokeOAuthGrants(userGid:)``) kills its refresh token and every access token it issued.
/// - Tokens are random opaque strings of varying length (https://developers.asana.com/docs/personal-access-token, https://github.com/Maxymillion/obsidian-asana/issues/3).
final class OAuthRegistry: Sendable {
    /// What a bearer token means to the OAuth side.
    enum Authentication: Equatable, Sendable {
        /// A live access token acting as `user` with `scopes` (`nil` = full permission).
        case valid(user: String, scopes: [String]?)
        /// An access token past its lifetime.
        case expired
        /// Not an OAuth access token (or one of a revoked grant).
        case unknown
    }

    /// A successful token answer.
    struct Issued: Sendable {
        var accessToken: String
        /// nil on a refresh answer unless refresh tokens rotate.
        var refreshToken: String?
        var expiresIn: Int
        var user: String
    }

    private struct Code: Sendable {
        var clientId: String
        var redirectURI: String
        var user: String
        var scopes: [String]?
        var challenge: String?
        var expiresAt: Date
    }

    private struct Grant: Sendable {
        var clientId: String
        var user: String
        var scopes: [String]?
        var revoked = false
    }

    private struct AccessToken: Sendable {
        var grant: Int
        var expiresAt: Date
    }

    private struct State: Sendable {
        var apps: [String: SimulatorSeed.OAuthApp] = [:]
        var codes: [String: Code] = [:]
        var grants: [Int: Grant] = [:]
        var refreshTokens: [String: Int] = [:]
        var accessTokens: [String: AccessToken] = [:]
        var nextGrant = 1
    }

    private let state: Mutex<State>
    private let accessTokenLifetime: Duration
    private let codeLifetime: Duration
    private let rotateRefreshTokens: Bool
    private let now: @Sendable () -> Date

    init(apps: [SimulatorSeed.OAuthApp], configuration: SimulatorConfiguration) {
        var initial = State()
        for app in apps { initial.apps[app.clientId] = app }
        state = Mutex(initial)
        accessTokenLifetime = configuration.accessTokenLifetime
        codeLifetime = configuration.authorizationCodeLifetime
        rotateRefreshTokens = configuration.rotateRefreshTokens
        now = configuration.now
    }

    /// The registered app with this client id.
    func app(_ clientId: String) -> SimulatorSeed.OAuthApp? { state.withLock { $0.apps[clientId] } }

    /// Creates a single-use authorization code.
    /// - Parameters: `scopes` nil = full permission; `challenge` = the PKCE S256 `code_challenge`, if sent.
    func issueCode(clientId: String, redirectURI: String, user: String, scopes: [String]?, challenge: String?) -> String {
        let code = Self.randomToken(prefix: "code")
        let expiresAt = now().addingTimeInterval(Self.seconds(codeLifetime))
        state.withLock {
            $0.codes[code] = Code(
                clientId: clientId, redirectURI: redirectURI, user: user, scopes: scopes, challenge: challenge, expiresAt: expiresAt)
        }
        return code
    }

    /// Looks up a bearer token.
    func authenticate(_ token: String) -> Authentication {
        let current = now()
        return state.withLock { state in
            guard let access = state.accessTokens[token], let grant = state.grants[access.grant], !grant.revoked else { return .unknown }
            if current >= access.expiresAt { return .expired }
            return .valid(user: grant.user, scopes: grant.scopes)
        }
    }

    /// Checks `client_id` and `client_secret` of a form.
    /// - Throws: 400 `invalid_request` when one is missing, 401 `invalid_client` when unknown or wrong.
    func authenticateClient(_ form: QueryItems) throws(OAuthError) -> SimulatorSeed.OAuthApp {
        let id = try Self.require("client_id", form)
        let secret = try Self.require("client_secret", form)
        guard let app = app(id), app.clientSecret == secret else { throw .invalidClient }
        return app
    }

    /// `grant_type=authorization_code`: `code`, `redirect_uri`, and `code_verifier` when the code has a challenge.
    /// - Throws: `invalid_request` (missing field), `invalid_grant` (unknown, used, expired or other client's code,
    ///   redirect_uri differs, PKCE check fails).
    func exchangeCode(_ form: QueryItems, app: SimulatorSeed.OAuthApp) throws(OAuthError) -> Issued {
        let codeValue = try Self.require("code", form)
        let redirectURI = try Self.require("redirect_uri", form)
        let verifier = form["code_verifier"]
        let current = now()
        let lifetime = Self.seconds(accessTokenLifetime)
        return try state.withLock { (state: inout State) throws(OAuthError) -> Issued in
            guard let code = state.codes[codeValue], code.clientId == app.clientId else {
                throw .invalidGrant("The authorization code is not valid (unknown, already used, or issued to another client).")
            }
            state.codes[codeValue] = nil  // single use, whatever happens next
            guard current < code.expiresAt else { throw .invalidGrant("The authorization code has expired.") }
            guard code.redirectURI == redirectURI else {
                throw .invalidGrant("The redirect_uri does not match the one used to get the authorization code.")
            }
            if let challenge = code.challenge {
                guard let verifier, !verifier.isEmpty else { throw .invalidRequest("code_verifier: Missing input") }
                guard Self.s256(verifier) == challenge else { throw .invalidGrant("The code_verifier does not match the code_challenge.") }
            }
            let grantId = state.nextGrant
            state.nextGrant += 1
            state.grants[grantId] = Grant(clientId: app.clientId, user: code.user, scopes: code.scopes)
            let refresh = Self.randomToken(prefix: "1")
            state.refreshTokens[refresh] = grantId
            let access = Self.randomToken(prefix: "2")
            state.accessTokens[access] = AccessToken(grant: grantId, expiresAt: current.addingTimeInterval(lifetime))
            return Issued(accessToken: access, refreshToken: refresh, expiresIn: Int(lifetime), user: code.user)
        }
    }

    /// `grant_type=refresh_token`: a new access token for the refresh token's grant; with rotation also a new refresh
    /// token, and the old one stops working.
    /// - Throws: `invalid_request` (missing `refresh_token`), `invalid_grant` (unknown, revoked, or another client's).
    func refresh(_ form: QueryItems, app: SimulatorSeed.OAuthApp) throws(OAuthError) -> Issued {
        let refreshValue = try Self.require("refresh_token", form)
        let current = now()
        let lifetime = Self.seconds(accessTokenLifetime)
        let rotate = rotateRefreshTokens
        return try state.withLock { (state: inout State) throws(OAuthError) -> Issued in
            guard let grantId = state.refreshTokens[refreshValue], let grant = state.grants[grantId], !grant.revoked,
                grant.clientId == app.clientId
            else { throw .invalidGrant("The refresh token is not valid (unknown, revoked, or issued to another client).") }
            var newRefresh: String?
            if rotate {
                let next = Self.randomToken(prefix: "1")
                state.refreshTokens[refreshValue] = nil
                state.refreshTokens[next] = grantId
                newRefresh = next
            }
            let access = Self.randomToken(prefix: "2")
            state.accessTokens[access] = AccessToken(grant: grantId, expiresAt: current.addingTimeInterval(lifetime))
            return Issued(accessToken: access, refreshToken: newRefresh, expiresIn: Int(lifetime), user: grant.user)
        }
    }

    /// `/-/oauth_revoke` with `token` = a refresh token of `app`: revokes its grant (refresh and access tokens).
    /// Unknown tokens and other clients' refresh tokens are ignored (200 as for revoked or not found: https://developers.asana.com/docs/oauth).
    /// - Throws: `invalid_request` when `token` is missing or is an access (bearer) token (https://developers.asana.com/docs/oauth).
    func revoke(_ form: QueryItems, app: SimulatorSeed.OAuthApp) throws(OAuthError) {
        let token = try Self.require("token", form)
        try state.withLock { (state: inout State) throws(OAuthError) in
            if state.accessTokens[token] != nil {
                throw .invalidRequest("Bearer (access) tokens cannot be revoked; send the refresh token.")
            }
            guard let grantId = state.refreshTokens[token], state.grants[grantId]?.clientId == app.clientId else { return }
            state.grants[grantId]?.revoked = true
            state.refreshTokens[token] = nil
        }
    }

    /// Revokes every grant and pending code of `user` (as if they de-authorized the apps).
    func revokeGrants(user: String) {
        state.withLock { state in
            for (id, grant) in state.grants where grant.user == user { state.grants[id]?.revoked = true }
            state.codes = state.codes.filter { $0.value.user != user }
        }
    }

    /// Makes every access token issued so far expired now.
    func expireAccessTokens() {
        let current = now()
        state.withLock { state in
            for key in state.accessTokens.keys { state.accessTokens[key]?.expiresAt = current }
        }
    }

    /// The non-empty value of `name`.
    /// - Throws: 400 `invalid_request` `"<name>: Missing input"`.
    static func require(_ name: String, _ form: QueryItems) throws(OAuthError) -> String {
        guard let value = form[name], !value.isEmpty else { throw .invalidRequest("\(name): Missing input") }
        return value
    }

    /// `BASE64URL-NOPAD(SHA256(ASCII(verifier)))`, the PKCE S256 transform (RFC 7636; https://developers.asana.com/docs/oauth).
    static func s256(_ verifier: String) -> String {
        let digest = SHA256.hash(data: Data(verifier.utf8))
        return Data(digest).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// An opaque token of varying length: `<prefix>/<10-16 digits>:<24-40 hex>` (chosen format; only its
    /// opaqueness matters, https://developers.asana.com/docs/personal-access-token).
    static func randomToken(prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let digits = String((0..<Int.random(in: 10...16, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
        let hex = String((0..<Int.random(in: 24...40, using: &rng)).map { _ in "0123456789abcdef".randomElement(using: &rng)! })
        return "\(prefix)/\(digits):\(hex)"
    }

    /// A duration in seconds.
    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
