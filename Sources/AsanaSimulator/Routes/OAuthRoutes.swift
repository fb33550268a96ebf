import Foundation
import Hummingbird

/// Asana's OAuth 2.0 endpoints at the server root, not under `/api/1.0` (https://developers.asana.com/docs/oauth): a client with base URL
/// `http://127.0.0.1:PORT/api/1.0` finds them by dropping the `/api/1.0` suffix.
///
/// - `GET /-/oauth_authorize`: the consenting user is the one whose **seeded** token is sent as
///   `Authorization: Bearer` (the simulator's stand-in for the browser session); consent is automatic.
/// - `POST /-/oauth_token`: `authorization_code` (with PKCE S256) and `refresh_token` grants, form-encoded.
/// - `POST /-/oauth_revoke`: revokes a refresh token and its access tokens.
struct OAuthRoutes: Sendable {
    /// The OAuth paths' common prefix (faults can match `"/-/oauth_token"`).
    static let prefix = "/-/"

    let state: SimulatorState
    let registry: OAuthRegistry

    func register(on router: Router<SimulatorRequestContext>) {
        let routes = self
        router.get("-/oauth_authorize") { request, _ in routes.authorize(request) }
        router.post("-/oauth_token") { request, _ in try await routes.token(request) }
        router.post("-/oauth_revoke") { request, _ in try await routes.revoke(request) }
    }

    /// `GET /-/oauth_authorize?client_id&redirect_uri&response_type=code&state&code_challenge_method=S256&code_challenge&scope`.
    ///
    /// In this order (https://developers.asana.com/docs/oauth, https://developers.asana.com/docs/oauth-scopes; order chosen):
    /// 1. no `Authorization: Bearer <seeded token>` → 401 plain text (no session);
    /// 2. unknown `client_id`, or `redirect_uri` not registered exactly for the app → 400 plain text (Asana shows a
    ///    plain error page);
    /// 3. otherwise errors redirect, 302 `Location: <redirect_uri>?error=<code>&state=<state>` (`state` only when sent):
    ///    `response_type` missing → `invalid_request`, not `code` → `unsupported_response_type` (`id_token` is not
    ///    simulated); `state` missing → `invalid_request`; `code_challenge_method` other than `S256`, or only one of
    ///    `code_challenge`/`code_challenge_method` → `invalid_request`; unknown scope name → `invalid_scope`; a granular
    ///    app asking for `default` (or no `scope`) → `forbidden_scopes`; a full-permission app asking for a granular
    ///    scope → `forbidden_scopes` (third-party: https://docs.unified.to/skills/asana-oauth-app/SKILL.md); `openid email profile` are fine for both;
    /// 4. success: 302 `Location: <redirect_uri>?code=<code>&state=<state>` (percent-encoded, state verbatim), also for
    ///    `urn:ietf:wg:oauth:2.0:oob` (chosen; Asana shows the code on a page).
    func authorize(_ request: Request) -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        guard let token = SimulatorMiddleware.bearerToken(request.headers[.authorization]),
            let user = state.seededToken(token)?.user
        else {
            return Self.plain(.unauthorized, "Not Authorized: sign in first (send a seeded token as Authorization: Bearer).")
        }
        guard let clientId = query["client_id"], let app = registry.app(clientId) else {
            return Self.plain(.badRequest, "Error: the client_id is not valid.")
        }
        guard let redirectURI = query["redirect_uri"], app.redirectURIs.contains(redirectURI) else {
            return Self.plain(.badRequest, "Error: the redirect_uri is not registered for this app.")
        }
        let stateValue = query["state"]
        func fail(_ error: String) -> Response {
            var parameters = [("error", error)]
            if let stateValue { parameters.append(("state", stateValue)) }
            return Self.redirect(redirectURI, parameters)
        }
        guard let responseType = query["response_type"], !responseType.isEmpty else { return fail("invalid_request") }
        guard responseType == "code" else { return fail("unsupported_response_type") }
        guard let stateValue, !stateValue.isEmpty else { return fail("invalid_request") }
        let method = query["code_challenge_method"]
        let challenge = query["code_challenge"]
        if method != nil || challenge != nil {
            guard method == "S256", let challenge, !challenge.isEmpty else { return fail("invalid_request") }
        }
        var scopes = OAuthScopes.parse(query["scope"])
        if scopes.isEmpty { scopes = [OAuthScopes.fullPermission] }
        guard scopes.allSatisfy({ OAuthScopes.known.contains($0) }) else { return fail("invalid_scope") }
        let granted: [String]?
        if app.granular {
            guard !scopes.contains(OAuthScopes.fullPermission) else { return fail("forbidden_scopes") }
            granted = scopes
        } else {
            guard !scopes.contains(where: { OAuthScopes.granular.contains($0) }) else { return fail("forbidden_scopes") }
            granted = nil
        }
        let code = registry.issueCode(clientId: app.clientId, redirectURI: redirectURI, user: user, scopes: granted, challenge: challenge)
        return Self.redirect(redirectURI, [("code", code), ("state", stateValue)])
    }

    /// `POST /-/oauth_token`, form-encoded (anything else → 400 `invalid_request`).
    ///
    /// `grant_type` missing → 400 `invalid_request`; not `authorization_code`/`refresh_token` → 400
    /// `unsupported_grant_type`; then the client (``OAuthRegistry/authenticateClient(_:)``) and the grant
    /// (``OAuthRegistry/exchangeCode(_:app:)``, ``OAuthRegistry/refresh(_:app:)``). Success: 200
    /// `{"access_token","expires_in","token_type":"bearer","refresh_token"?,"data":{"id","gid","name","email"}}`
    /// (https://developers.asana.com/docs/oauth; `gid` beside `id` is a choice of this simulator: Asana documents `id` only).
    func token(_ request: Request) async throws -> Response {
        do {
            let form = try await Self.form(request)
            guard let grantType = form["grant_type"], !grantType.isEmpty else { throw OAuthError.invalidRequest("grant_type: Missing input") }
            guard grantType == "authorization_code" || grantType == "refresh_token" else {
                throw OAuthError(status: .badRequest, code: "unsupported_grant_type", description: "grant_type \(grantType) is not supported.")
            }
            let app = try registry.authenticateClient(form)
            let issued = grantType == "authorization_code" ? try registry.exchangeCode(form, app: app) : try registry.refresh(form, app: app)
            let user = state.read { $0.users[issued.user] }
            var fields: [(String, JSONValue)] = [
                ("access_token", .string(issued.accessToken)), ("expires_in", .number(Double(issued.expiresIn))),
                ("token_type", .string("bearer")),
            ]
            if let refresh = issued.refreshToken { fields.append(("refresh_token", .string(refresh))) }
            fields.append(
                ("data", .object([
                    ("id", .string(issued.user)), ("gid", .string(issued.user)), ("name", .string(user?.name ?? "")),
                    ("email", user?.email.map(JSONValue.string) ?? .null),
                ])))
            return Self.json(.object(fields))
        } catch let error as OAuthError {
            return error.makeResponse()
        }
    }

    /// `POST /-/oauth_revoke`, form `client_id, client_secret, token=<refresh token>` → 200 `{}` when revoked or
    /// unknown; 400 `invalid_request` for an access token or a missing field; 401 `invalid_client` (https://developers.asana.com/docs/oauth).
    func revoke(_ request: Request) async throws -> Response {
        do {
            let form = try await Self.form(request)
            let app = try registry.authenticateClient(form)
            try registry.revoke(form, app: app)
            return Self.json(.object([]))
        } catch let error as OAuthError {
            return error.makeResponse()
        }
    }

    /// The form-encoded body.
    /// - Throws: ``OAuthError/invalidRequest(_:)`` when the content type is not `application/x-www-form-urlencoded`
    ///   or the body is over 1 MiB.
    static func form(_ request: Request) async throws -> QueryItems {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw OAuthError.invalidRequest("The request body must be application/x-www-form-urlencoded.")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: WriteRequest.maxBodyBytes)
        } catch {
            throw OAuthError.invalidRequest("The request body is too large.")
        }
        return QueryItems(rawQuery: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// A `text/plain` answer.
    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=UTF-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// A 200 JSON answer with `Cache-Control: no-store` (RFC 6749 §5.1).
    static func json(_ body: JSONValue) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=UTF-8"
        fields[.cacheControl] = "no-store"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }

    /// 302 to `uri` with `parameters` appended to its query, percent-encoded.
    static func redirect(_ uri: String, _ parameters: [(String, String)]) -> Response {
        let query = parameters.map { QueryItems.encode($0.0) + "=" + QueryItems.encode($0.1) }.joined(separator: "&")
        var fields = HTTPFields()
        fields[.location] = uri + (uri.contains("?") ? "&" : "?") + query
        return Response(status: .found, headers: fields)
    }
}
