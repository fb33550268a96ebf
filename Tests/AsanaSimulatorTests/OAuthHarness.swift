import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

@testable import AsanaSimulator

/// A client that does not follow redirects (the authorize endpoint answers 302 to a callback nobody serves).
let noRedirectHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()

extension TestSeeds {
    /// ``organization(users:)`` plus the generated demo OAuth apps (`demo-client`, `demo-granular-client`), and a
    /// seeded granular token `users-read-token` for 1002 with `users:read` only.
    static func withOAuth(users: Int = 10) -> SimulatorSeed {
        var seed = organization(users: users)
        seed.oauthApps = [SimulatorSeed.demoOAuthApp, SimulatorSeed.demoGranularOAuthApp]
        seed.tokens.append(.init(token: "users-read-token", user: "1002", scopes: ["users:read"]))
        return seed
    }
}

/// OAuth calls against the server root (`baseURL` without `/api/1.0`).
struct OAuthClient {
    static let callback = "http://127.0.0.1/oauth/callback"
    /// A verifier and its S256 challenge (computed independently with Python hashlib + urlsafe_b64encode).
    static let verifier = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc"

    let api: SimulatorClient

    var root: String { String(api.simulator.baseURL.dropLast("/api/1.0".count)) }

    /// `GET /-/oauth_authorize?<parameters>` as the user of `session` (a seeded token; none when nil).
    func authorize(_ parameters: [(String, String)], session: String? = TestTokens.admin) async throws -> Reply {
        let query = Self.query(parameters)
        var headers: [(String, String)] = []
        if let session { headers.append(("Authorization", "Bearer \(session)")) }
        return try await send("GET", "/-/oauth_authorize?" + query, headers: headers, body: nil)
    }

    /// `parameters` as a URL query, in order.
    static func query(_ parameters: [(String, String)]) -> String {
        parameters.map { QueryItems.encode($0.0) + "=" + QueryItems.encode($0.1) }.joined(separator: "&")
    }

    /// The standard authorize parameters of `client` with PKCE, plus `extra`.
    static func parameters(
        client: String = "demo-client", state: String = "st-1", scope: String? = nil, extra: [(String, String)] = []
    ) -> [(String, String)] {
        var list = [
            ("client_id", client), ("redirect_uri", callback), ("response_type", "code"), ("state", state),
            ("code_challenge_method", "S256"), ("code_challenge", challenge),
        ]
        if let scope { list.append(("scope", scope)) }
        return list + extra
    }

    /// The query items of a redirect's `Location`.
    static func locationItems(_ reply: Reply) throws -> [String: String] {
        let location = try #require(reply.header("Location"))
        return try #require(OAuthBrowser.queryItems(of: location))
    }

    /// Authorizes (the browser's consent as the user of `session`) and returns the code (expects success).
    func code(client: String = "demo-client", scope: String? = nil, session: String = TestTokens.admin) async throws -> String {
        let query = Self.query(Self.parameters(client: client, scope: scope))
        let redirect = try await OAuthBrowser.consent(root + "/-/oauth_authorize?" + query, sessionToken: session)
        #expect(redirect.status == 302)
        return try #require(redirect.code)
    }

    /// `POST /-/oauth_token` with a form body.
    func token(_ form: [(String, String)]) async throws -> Reply {
        try await post("/-/oauth_token", form)
    }

    /// Exchanges a fresh code of `demo-client` (or `client`) and returns the token answer (expects 200).
    func login(client: String = "demo-client", secret: String = "demo-client-secret", scope: String? = nil) async throws -> Reply {
        let code = try await code(client: client, scope: scope)
        let reply = try await token([
            ("grant_type", "authorization_code"), ("client_id", client), ("client_secret", secret),
            ("redirect_uri", Self.callback), ("code", code), ("code_verifier", Self.verifier),
        ])
        #expect(reply.status == 200)
        return reply
    }

    /// A refresh grant of `demo-client`.
    func refresh(_ refreshToken: String, client: String = "demo-client", secret: String = "demo-client-secret") async throws -> Reply {
        try await token([("grant_type", "refresh_token"), ("client_id", client), ("client_secret", secret), ("refresh_token", refreshToken)])
    }

    /// `POST <path>` form-encoded.
    func post(_ path: String, _ form: [(String, String)], contentType: String = "application/x-www-form-urlencoded") async throws -> Reply {
        let body = form.map { QueryItems.encode($0.0) + "=" + QueryItems.encode($0.1) }.joined(separator: "&")
        return try await send("POST", path, headers: [("Content-Type", contentType)], body: Array(body.utf8))
    }

    func send(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?) async throws -> Reply {
        var request = HTTPClientRequest(url: root + path)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await noRedirectHTTPClient.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        let bytes = Array(buffer.readableBytesView)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            text: String(decoding: bytes, as: UTF8.self), json: try? JSONSerialization.jsonObject(with: Data(bytes)))
    }
}

extension Reply {
    /// `error` of an OAuth error body.
    var oauthError: String? { object["error"] as? String }
}
