import Foundation
import Testing

@testable import AsanaSimulator

@Suite("OAuth endpoints (https://developers.asana.com/docs/oauth, https://developers.asana.com/docs/oauth-scopes, https://github.com/Asana/python-asana/issues/108)")
struct OAuthTests {
    static let expiredMessage = "The bearer token has expired. Please refresh it to get a new one."

    @Test("authorize with PKCE → 302 with code and verbatim state; exchange → tokens acting as the user")
    func happyPath() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            #expect(oauth.root.hasPrefix("http://127.0.0.1:"))
            #expect(!oauth.root.hasSuffix("/api/1.0"))
            let state = "a b/c&d=é"
            let reply = try await oauth.authorize(OAuthClient.parameters(state: state))
            #expect(reply.status == 302)
            let location = try #require(reply.header("Location"))
            #expect(location.hasPrefix(OAuthClient.callback + "?code="))
            #expect(!location.contains(" "))
            let items = try OAuthClient.locationItems(reply)
            #expect(items["state"] == state)
            #expect(items["error"] == nil)
            let code = try #require(items["code"])
            #expect(!code.isEmpty)

            let answer = try await oauth.token([
                ("grant_type", "authorization_code"), ("client_id", "demo-client"), ("client_secret", "demo-client-secret"),
                ("redirect_uri", OAuthClient.callback), ("code", code), ("code_verifier", OAuthClient.verifier),
            ])
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type")?.hasPrefix("application/json") == true)
            let access = try #require(answer.object["access_token"] as? String)
            let refresh = try #require(answer.object["refresh_token"] as? String)
            #expect(access != refresh)
            #expect(answer.object["expires_in"] as? Int == 3600)
            #expect(answer.object["token_type"] as? String == "bearer")
            let data = try #require(answer.object["data"] as? [String: Any])
            #expect(data["id"] as? String == "1001")
            #expect(data["gid"] as? String == "1001")
            #expect(data["name"] as? String == "Ada Admin")
            #expect(data["email"] as? String == "ada.admin@acme.example")

            let me = try await api.get("/users/me", token: access)
            #expect(me.status == 200)
            #expect(me.dataObject["gid"] as? String == "1001")

            // The log names the grant but never a secret, code or token.
            let log = api.simulator.requestLog()
            #expect(log.contains("GET /-/oauth_authorize client_id=demo-client"))
            #expect(log.contains("POST /-/oauth_token grant_type=authorization_code"))
            for secret in ["demo-client-secret", code, access, refresh, OAuthClient.verifier] {
                #expect(!log.contains { $0.contains(secret) })
            }
        }
    }

    @Test("issued tokens are opaque strings of varying length")
    func tokenShapes() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            var lengths = Set<Int>()
            var tokens = Set<String>()
            for _ in 0..<6 {
                let answer = try await oauth.login()
                let access = try #require(answer.object["access_token"] as? String)
                lengths.insert(access.count)
                tokens.insert(access)
            }
            #expect(tokens.count == 6)
            #expect(lengths.count > 1)
        }
    }

    @Test("a code works once; other client, wrong redirect_uri, expired code → invalid_grant")
    func codeRules() async throws {
        let clock = FakeClock()
        try await withSimulator(seed: TestSeeds.withOAuth(), configuration: .init(now: { clock.now })) { api in
            let oauth = OAuthClient(api: api)
            func exchange(_ code: String, client: String = "demo-client", secret: String = "demo-client-secret",
                          redirect: String = OAuthClient.callback) async throws -> Reply {
                try await oauth.token([
                    ("grant_type", "authorization_code"), ("client_id", client), ("client_secret", secret),
                    ("redirect_uri", redirect), ("code", code), ("code_verifier", OAuthClient.verifier),
                ])
            }
            let code = try await oauth.code()
            #expect(try await exchange(code).status == 200)
            let reused = try await exchange(code)
            #expect(reused.status == 400)
            #expect(reused.oauthError == "invalid_grant")
            #expect(reused.object["error_description"] is String)

            let other = try await oauth.code()
            let wrongClient = try await exchange(other, client: "demo-granular-client", secret: "demo-granular-secret")
            #expect(wrongClient.oauthError == "invalid_grant")

            let third = try await oauth.code()
            let wrongRedirect = try await exchange(third, redirect: "urn:ietf:wg:oauth:2.0:oob")
            #expect(wrongRedirect.status == 400)
            #expect(wrongRedirect.oauthError == "invalid_grant")
            #expect(try await exchange(third).oauthError == "invalid_grant")  // consumed by the failed attempt

            let late = try await oauth.code()
            clock.advance(seconds: 601)
            let expired = try await exchange(late)
            #expect(expired.status == 400)
            #expect(expired.oauthError == "invalid_grant")
            #expect(try await exchange("no-such-code").oauthError == "invalid_grant")
        }
    }

    @Test("PKCE: wrong verifier → invalid_grant; missing verifier → invalid_request; S256 transform")
    func pkce() async throws {
        #expect(OAuthRegistry.s256(OAuthClient.verifier) == OAuthClient.challenge)
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            let base = [
                ("grant_type", "authorization_code"), ("client_id", "demo-client"), ("client_secret", "demo-client-secret"),
                ("redirect_uri", OAuthClient.callback),
            ]
            let wrong = try await oauth.token(base + [("code", try await oauth.code()), ("code_verifier", "not-the-verifier")])
            #expect(wrong.status == 400)
            #expect(wrong.oauthError == "invalid_grant")
            let missing = try await oauth.token(base + [("code", try await oauth.code())])
            #expect(missing.status == 400)
            #expect(missing.oauthError == "invalid_request")

            // Without PKCE at authorize time, no verifier is needed.
            let plain = try await oauth.authorize([
                ("client_id", "demo-client"), ("redirect_uri", OAuthClient.callback), ("response_type", "code"), ("state", "s"),
            ])
            let code = try #require(try OAuthClient.locationItems(plain)["code"])
            #expect(try await oauth.token(base + [("code", code)]).status == 200)
        }
    }

    @Test("token endpoint: bad client → 401 invalid_client; bad grant type, missing fields, JSON body → 400")
    func tokenErrors() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            let code = try await oauth.code()
            let wrongSecret = try await oauth.token([
                ("grant_type", "authorization_code"), ("client_id", "demo-client"), ("client_secret", "nope"),
                ("redirect_uri", OAuthClient.callback), ("code", code), ("code_verifier", OAuthClient.verifier),
            ])
            #expect(wrongSecret.status == 401)
            #expect(wrongSecret.oauthError == "invalid_client")
            let unknownClient = try await oauth.refresh("x", client: "who", secret: "what")
            #expect(unknownClient.status == 401)
            #expect(unknownClient.oauthError == "invalid_client")

            let unsupported = try await oauth.token([("grant_type", "password"), ("client_id", "demo-client"), ("client_secret", "demo-client-secret")])
            #expect(unsupported.status == 400)
            #expect(unsupported.oauthError == "unsupported_grant_type")
            #expect(api.simulator.requestLog().last == "POST /-/oauth_token grant_type=other")
            let noGrant = try await oauth.token([("client_id", "demo-client"), ("client_secret", "demo-client-secret")])
            #expect(noGrant.oauthError == "invalid_request")
            let noSecret = try await oauth.token([("grant_type", "refresh_token"), ("client_id", "demo-client"), ("refresh_token", "x")])
            #expect(noSecret.status == 400)
            #expect(noSecret.oauthError == "invalid_request")
            let noCode = try await oauth.token([
                ("grant_type", "authorization_code"), ("client_id", "demo-client"), ("client_secret", "demo-client-secret"),
                ("redirect_uri", OAuthClient.callback),
            ])
            #expect(noCode.oauthError == "invalid_request")
            let json = try await oauth.post(
                "/-/oauth_token", [("grant_type", "refresh_token")], contentType: "application/json")
            #expect(json.status == 400)
            #expect(json.oauthError == "invalid_request")
            // The original code is still unused: a correct exchange works.
            let good = try await oauth.token([
                ("grant_type", "authorization_code"), ("client_id", "demo-client"), ("client_secret", "demo-client-secret"),
                ("redirect_uri", OAuthClient.callback), ("code", code), ("code_verifier", OAuthClient.verifier),
            ])
            #expect(good.status == 200)
        }
    }

    @Test("refresh without rotation: new access token, no refresh_token, the old one keeps working")
    func refreshWithoutRotation() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            let login = try await oauth.login()
            let refresh = try #require(login.object["refresh_token"] as? String)
            let first = try await oauth.refresh(refresh)
            #expect(first.status == 200)
            #expect(first.object["refresh_token"] == nil)
            #expect(first.object["expires_in"] as? Int == 3600)
            #expect((first.object["data"] as? [String: Any])?["gid"] as? String == "1001")
            let access = try #require(first.object["access_token"] as? String)
            #expect(access != login.object["access_token"] as? String)
            #expect(try await api.get("/users/me", token: access).status == 200)
            #expect(try await oauth.refresh(refresh).status == 200)
            #expect(api.simulator.requestLog().contains("POST /-/oauth_token grant_type=refresh_token"))

            // Another client cannot use it.
            let stolen = try await oauth.refresh(refresh, client: "demo-granular-client", secret: "demo-granular-secret")
            #expect(stolen.status == 400)
            #expect(stolen.oauthError == "invalid_grant")
            #expect(try await oauth.refresh("1/123:abc").oauthError == "invalid_grant")
        }
    }

    @Test("refresh with rotation: a new refresh token each time; the old one → invalid_grant")
    func refreshWithRotation() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth(), configuration: .init(rotateRefreshTokens: true)) { api in
            let oauth = OAuthClient(api: api)
            let login = try await oauth.login()
            let original = try #require(login.object["refresh_token"] as? String)
            let rotated = try await oauth.refresh(original)
            #expect(rotated.status == 200)
            let next = try #require(rotated.object["refresh_token"] as? String)
            #expect(next != original)
            let old = try await oauth.refresh(original)
            #expect(old.status == 400)
            #expect(old.oauthError == "invalid_grant")
            let again = try await oauth.refresh(next)
            #expect(again.status == 200)
            // Access tokens issued before the rotation still work until they expire.
            #expect(try await api.get("/users/me", token: login.object["access_token"] as? String).status == 200)
        }
    }

    @Test("revoke: refresh token and its access tokens die; unknown → 200; an access token → 400; bad secret → 401")
    func revoke() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            let login = try await oauth.login()
            let refresh = try #require(login.object["refresh_token"] as? String)
            let access = try #require(login.object["access_token"] as? String)
            let refreshed = try #require(try await oauth.refresh(refresh).object["access_token"] as? String)

            let bearer = try await oauth.post(
                "/-/oauth_revoke", [("client_id", "demo-client"), ("client_secret", "demo-client-secret"), ("token", access)])
            #expect(bearer.status == 400)
            #expect(try await api.get("/users/me", token: access).status == 200)
            let badSecret = try await oauth.post(
                "/-/oauth_revoke", [("client_id", "demo-client"), ("client_secret", "x"), ("token", refresh)])
            #expect(badSecret.status == 401)
            #expect(badSecret.oauthError == "invalid_client")

            let revoked = try await oauth.post(
                "/-/oauth_revoke", [("client_id", "demo-client"), ("client_secret", "demo-client-secret"), ("token", refresh)])
            #expect(revoked.status == 200)
            let again = try await oauth.refresh(refresh)
            #expect(again.status == 400)
            #expect(again.oauthError == "invalid_grant")
            for token in [access, refreshed] {
                let call = try await api.get("/users/me", token: token)
                #expect(call.status == 401)
                #expect(call.errorMessage == "Not Authorized")
            }
            let unknown = try await oauth.post(
                "/-/oauth_revoke", [("client_id", "demo-client"), ("client_secret", "demo-client-secret"), ("token", "1/9:ff")])
            #expect(unknown.status == 200)
            let missing = try await oauth.post("/-/oauth_revoke", [("client_id", "demo-client"), ("client_secret", "demo-client-secret")])
            #expect(missing.status == 400)
            #expect(missing.oauthError == "invalid_request")
            #expect(api.simulator.requestLog().filter { $0 == "POST /-/oauth_revoke" }.count == 5)
        }
    }

    @Test("an access token past its lifetime → 401 'The bearer token has expired…'; refreshing fixes it")
    func expiry() async throws {
        let clock = FakeClock()
        let configuration = SimulatorConfiguration(accessTokenLifetime: .seconds(120), now: { clock.now })
        try await withSimulator(seed: TestSeeds.withOAuth(), configuration: configuration) { api in
            let oauth = OAuthClient(api: api)
            let login = try await oauth.login()
            #expect(login.object["expires_in"] as? Int == 120)
            let access = try #require(login.object["access_token"] as? String)
            clock.advance(seconds: 119)
            #expect(try await api.get("/users/me", token: access).status == 200)
            clock.advance(seconds: 1)
            let expired = try await api.get("/users/me", token: access)
            #expect(expired.status == 401)
            #expect(expired.errorMessage == Self.expiredMessage)
            #expect(expired.firstError["help"] is String)

            let refreshed = try await oauth.refresh(try #require(login.object["refresh_token"] as? String))
            let fresh = try #require(refreshed.object["access_token"] as? String)
            #expect(try await api.get("/users/me", token: fresh).status == 200)
            // Seeded tokens never expire.
            #expect(try await api.get("/users/me").status == 200)
        }
    }

    @Test("test hooks: expireAccessTokens() and revokeOAuthGrants(userGid:)")
    func hooks() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            let login = try await oauth.login()
            let access = try #require(login.object["access_token"] as? String)
            let refresh = try #require(login.object["refresh_token"] as? String)
            api.simulator.expireAccessTokens()
            #expect(try await api.get("/users/me", token: access).errorMessage == Self.expiredMessage)
            let refreshed = try await oauth.refresh(refresh)
            let fresh = try #require(refreshed.object["access_token"] as? String)
            #expect(try await api.get("/users/me", token: fresh).status == 200)

            api.simulator.revokeOAuthGrants(userGid: "1002")  // someone else: no effect
            #expect(try await api.get("/users/me", token: fresh).status == 200)
            api.simulator.revokeOAuthGrants(userGid: "1001")
            #expect(try await api.get("/users/me", token: fresh).errorMessage == "Not Authorized")
            #expect(try await oauth.refresh(refresh).oauthError == "invalid_grant")
            #expect(try await api.get("/users/me").status == 200)  // the seeded token is untouched
        }
    }

    @Test("authorize: no session → 401 text; unknown client or redirect_uri → 400 text (no redirect)")
    func authorizePlainErrors() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            let noSession = try await oauth.authorize(OAuthClient.parameters(), session: nil)
            #expect(noSession.status == 401)
            #expect(noSession.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(try await oauth.authorize(OAuthClient.parameters(), session: "not-a-token").status == 401)

            let unknownClient = try await oauth.authorize(OAuthClient.parameters(client: "nobody"))
            #expect(unknownClient.status == 400)
            #expect(unknownClient.header("Location") == nil)
            #expect(unknownClient.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(unknownClient.text.contains("client_id"))

            var parameters = OAuthClient.parameters()
            parameters[1] = ("redirect_uri", "http://127.0.0.1/oauth/callback/")  // not exactly registered
            let badRedirect = try await oauth.authorize(parameters)
            #expect(badRedirect.status == 400)
            #expect(badRedirect.header("Location") == nil)
            #expect(badRedirect.text.contains("redirect_uri"))
        }
    }

    @Test("authorize: other errors redirect with error and state")
    func authorizeRedirectErrors() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            /// `"<error>|<state or ->"` of the redirect.
            func redirectError(_ parameters: [(String, String)]) async throws -> String {
                let reply = try await oauth.authorize(parameters)
                #expect(reply.status == 302)
                #expect(reply.header("Location")?.hasPrefix(OAuthClient.callback + "?error=") == true)
                let items = try OAuthClient.locationItems(reply)
                #expect(items["code"] == nil)
                return "\(items["error"] ?? "-")|\(items["state"] ?? "-")"
            }
            func replacing(_ name: String, with value: String?, client: String = "demo-client") -> [(String, String)] {
                var list = OAuthClient.parameters(client: client).filter { $0.0 != name }
                if let value { list.append((name, value)) }
                return list
            }
            let outcome1 = try await redirectError(replacing("response_type", with: "token"))
            #expect(outcome1 == "unsupported_response_type|st-1")
            let outcome2 = try await redirectError(replacing("response_type", with: nil))
            #expect(outcome2 == "invalid_request|st-1")
            let outcome3 = try await redirectError(replacing("state", with: nil))
            #expect(outcome3 == "invalid_request|-")
            let outcome4 = try await redirectError(replacing("code_challenge_method", with: "plain"))
            #expect(outcome4 == "invalid_request|st-1")
            let outcome5 = try await redirectError(replacing("code_challenge", with: nil))
            #expect(outcome5 == "invalid_request|st-1")
            // Granular app without scope (= default) or with default → forbidden_scopes (amp-labs/connectors#3356).
            let outcome6 = try await redirectError(OAuthClient.parameters(client: "demo-granular-client"))
            #expect(outcome6 == "forbidden_scopes|st-1")
            let outcome7 = try await redirectError(OAuthClient.parameters(client: "demo-granular-client", scope: "default users:read"))
            #expect(outcome7 == "forbidden_scopes|st-1")
            // Full-permission app asking for granular scopes → forbidden_scopes.
            let outcome8 = try await redirectError(OAuthClient.parameters(scope: "users:read"))
            #expect(outcome8 == "forbidden_scopes|st-1")
            let outcome9 = try await redirectError(OAuthClient.parameters(scope: "default projects:read"))
            #expect(outcome9 == "invalid_scope|st-1")
            let outcome10 = try await redirectError(OAuthClient.parameters(client: "demo-granular-client", scope: "users:write"))
            #expect(outcome10 == "invalid_scope|st-1")
        }
    }

    @Test("authorize: accepted scope combinations; the oob URN is a registered redirect")
    func authorizeScopes() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            _ = try await oauth.code(scope: "openid email profile")
            _ = try await oauth.code(scope: "default openid")
            _ = try await oauth.code(client: "demo-granular-client", scope: "users:read teams:read team_memberships:read workspaces:read")
            _ = try await oauth.code(client: "demo-granular-client", scope: "openid workspaces.typeahead:read")
            var parameters = OAuthClient.parameters()
            parameters[1] = ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob")
            let oob = try await oauth.authorize(parameters)
            #expect(oob.status == 302)
            #expect(oob.header("Location")?.hasPrefix("urn:ietf:wg:oauth:2.0:oob?code=") == true)
            // The code belongs to the session's user.
            let code = try await oauth.code(session: TestTokens.member)
            let answer = try await oauth.token([
                ("grant_type", "authorization_code"), ("client_id", "demo-client"), ("client_secret", "demo-client-secret"),
                ("redirect_uri", OAuthClient.callback), ("code", code), ("code_verifier", OAuthClient.verifier),
            ])
            #expect((answer.object["data"] as? [String: Any])?["gid"] as? String == "1002")
        }
    }

    @Test("faults apply to /-/oauth_token; the OAuth endpoints are not rate limited")
    func faultsAndLimits() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth(), configuration: .init(requestsPerMinute: 1)) { api in
            let oauth = OAuthClient(api: api)
            let login = try await oauth.login()
            let refresh = try #require(login.object["refresh_token"] as? String)
            api.simulator.injectFaults([.status(503, times: 1, pathPrefix: "/-/oauth_token")])
            let failed = try await oauth.refresh(refresh)
            #expect(failed.status == 503)
            for _ in 0..<3 { #expect(try await oauth.refresh(refresh).status == 200) }
            #expect(api.simulator.requestLog().filter { $0 == "POST /-/oauth_token grant_type=refresh_token" }.count == 4)
        }
    }

    @Test("seed: OAuth apps decode leniently, validate, and the generated seed has the two demo apps")
    func seeds() throws {
        let generated = SimulatorSeed.generated(users: 5, teams: 1)
        #expect(generated.oauthApps.map(\.clientId) == ["demo-client", "demo-granular-client"])
        #expect(generated.oauthApps.map(\.granular) == [false, true])
        #expect(generated.oauthApps[0].clientSecret == "demo-client-secret")
        #expect(generated.oauthApps[1].clientSecret == "demo-granular-secret")
        #expect(generated.oauthApps[0].redirectURIs == ["http://127.0.0.1/oauth/callback", "urn:ietf:wg:oauth:2.0:oob"])
        #expect(try JSONDecoder().decode(SimulatorSeed.self, from: try generated.jsonData()) == generated)

        let json = #"""
            {"users": [{"gid": "1", "name": "A", "email": "a@x.example"}],
             "tokens": [{"token": "t", "user": "1", "scopes": ["users:read"]}, {"token": "u", "user": "1", "scopes": null}],
             "oauth_apps": [{"client_id": "c", "client_secret": "s", "redirect_uris": ["http://x/cb"]}]}
            """#
        let decoded = try JSONDecoder().decode(SimulatorSeed.self, from: Data(json.utf8))
        #expect(decoded.oauthApps == [.init(clientId: "c", clientSecret: "s", redirectURIs: ["http://x/cb"], granular: false)])
        #expect(decoded.tokens.map(\.scopes) == [["users:read"], nil])
        try decoded.validate()

        var bad = decoded
        bad.oauthApps += [
            .init(clientId: "c", clientSecret: "", redirectURIs: []),
        ]
        bad.tokens.append(.init(token: "v", user: "1", scopes: ["users:write"]))
        #expect(throws: SimulatorSeedError.invalid([
            "token for user 1: unknown scope users:write", "duplicate OAuth client_id c", "OAuth app c: empty client_secret",
            "OAuth app c: no redirect_uris",
        ])) { try bad.validate() }
    }
}
