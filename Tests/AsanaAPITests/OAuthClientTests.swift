import Logging
import TestSupport
import Testing

@testable import AsanaAPI

private let clientSecret = "client-secret-9f8e7d6c5b4a"
private let code = "auth-code-0a1b2c3d4e5f"
private let verifier = "pkce-verifier-abcdefghijklmnopqrstuvwxyz0123456789-._~"
private let refreshToken = "2/1204998877665544/refresh:aa11bb22cc33dd44"
private let accessToken = "2/1204998877665544/access:ee55ff66aa77bb88"

private func oauthClient(
    _ transport: FakeTransport, configuration: AsanaClientConfiguration = .init(),
    recorder: SleepRecorder = SleepRecorder(),
    logger: Logger = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })
) -> AsanaOAuthClient {
    AsanaOAuthClient(configuration: configuration, transport: transport, logger: logger, sleep: recorder.sleep)
}

private func bodyText(_ request: AsanaHTTPRequest?) -> String? {
    request?.body.map { String(decoding: $0, as: UTF8.self) }
}

private let grantJSON = #"""
    {"access_token":"\#(accessToken)","expires_in":3600,"token_type":"bearer","refresh_token":"\#(refreshToken)",
     "data":{"id":"4673218951","gid":"4673218951","name":"Greg Sanchez","email":"gsanchez@example.com"}}
    """#

@Suite("OAuth token endpoint client")
struct OAuthClientTests {
    @Test("the OAuth root is derived from the REST base URL unless set")
    func oauthRoot() {
        #expect(AsanaClientConfiguration().effectiveOAuthBaseURL == "https://app.asana.com")
        #expect(AsanaClientConfiguration(baseURL: "http://127.0.0.1:8123/api/1.0/").effectiveOAuthBaseURL == "http://127.0.0.1:8123")
        #expect(AsanaClientConfiguration(baseURL: "http://127.0.0.1:8123").effectiveOAuthBaseURL == "http://127.0.0.1:8123")
        #expect(AsanaClientConfiguration(oauthBaseURL: "https://auth.example/").effectiveOAuthBaseURL == "https://auth.example")
        #expect(AsanaClientConfiguration().oauthBaseURL == nil)
    }

    @Test("authorizeURL: exact string, redirect URI, state and scopes percent-encoded")
    func authorizeURL() {
        let url = oauthClient(FakeTransport([])).authorizeURL(
            clientId: "1201234567890", redirectUri: "https://connector.example/oauth/callback?x=1&y=a b",
            state: "st+at/e=1", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            scopes: ["users:read", "teams:read", "team_memberships:read", "workspaces:read"])
        #expect(
            url == "https://app.asana.com/-/oauth_authorize?client_id=1201234567890"
                + "&redirect_uri=https%3A%2F%2Fconnector.example%2Foauth%2Fcallback%3Fx%3D1%26y%3Da%20b"
                + "&response_type=code&state=st%2Bat%2Fe%3D1&code_challenge_method=S256"
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                + "&scope=users%3Aread%20teams%3Aread%20team_memberships%3Aread%20workspaces%3Aread")
    }

    @Test("authorizeURL without scopes or challenge leaves those parameters out")
    func authorizeURLMinimal() {
        let client = oauthClient(FakeTransport([]), configuration: .init(baseURL: "http://127.0.0.1:9/api/1.0"))
        #expect(
            client.authorizeURL(clientId: "c", redirectUri: "urn:ietf:wg:oauth:2.0:oob", state: "s", codeChallenge: "", scopes: [])
                == "http://127.0.0.1:9/-/oauth_authorize?client_id=c&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&response_type=code&state=s")
    }

    @Test("exchangeCode posts the exact form to /-/oauth_token and parses the grant")
    func exchangeCode() async throws {
        let transport = FakeTransport([.json(200, grantJSON)])
        let grant = try await oauthClient(transport).exchangeCode(
            code, codeVerifier: verifier, clientId: "1201234567890", clientSecret: clientSecret,
            redirectUri: "https://connector.example/cb")

        #expect(
            grant
                == OAuthTokenGrant(
                    accessToken: accessToken, refreshToken: refreshToken, expiresIn: 3600, tokenType: "bearer",
                    userGid: "4673218951", userName: "Greg Sanchez", userEmail: "gsanchez@example.com"))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://app.asana.com/-/oauth_token")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.header("Accept") == "application/json")
        #expect(request.header("Authorization") == nil)
        #expect(
            bodyText(request)
                == "grant_type=authorization_code&client_id=1201234567890&client_secret=\(clientSecret)"
                + "&redirect_uri=https%3A%2F%2Fconnector.example%2Fcb&code=\(code)&code_verifier=\(verifier)")
    }

    @Test("reserved characters in form values are encoded")
    func formEncoding() async throws {
        let transport = FakeTransport([.json(200, grantJSON)])
        _ = try await oauthClient(transport).refresh(refreshToken: "a+b/c=d&e f", clientId: "id", clientSecret: "s&=+ %")
        #expect(
            bodyText(transport.requests.first)
                == "grant_type=refresh_token&client_id=id&client_secret=s%26%3D%2B%20%25&refresh_token=a%2Bb%2Fc%3Dd%26e%20f")
    }

    @Test("refresh: exact form; an answer without refresh_token and with a numeric id parses")
    func refreshWithoutRefreshToken() async throws {
        let transport = FakeTransport([
            .json(200, #"{"access_token":"new-access-123456","expires_in":3600,"token_type":"bearer","data":{"id":4673218951,"name":"Greg"}}"#)
        ])
        let client = oauthClient(transport, configuration: .init(baseURL: "http://127.0.0.1:8123/api/1.0"))

        let grant = try await client.refresh(refreshToken: refreshToken, clientId: "42", clientSecret: clientSecret)

        #expect(grant == OAuthTokenGrant(accessToken: "new-access-123456", expiresIn: 3600, userGid: "4673218951", userName: "Greg"))
        #expect(grant.refreshToken == nil)
        #expect(transport.urls == ["http://127.0.0.1:8123/-/oauth_token"])
        #expect(
            bodyText(transport.requests.first)
                == "grant_type=refresh_token&client_id=42&client_secret=\(clientSecret)&refresh_token=2%2F1204998877665544%2Frefresh%3Aaa11bb22cc33dd44")
    }

    @Test("data.gid is preferred, data.id is the fallback, no data gives nil")
    func gidFallback() async throws {
        let transport = FakeTransport([
            .json(200, #"{"access_token":"a-123456","expires_in":10,"token_type":"bearer","data":{"gid":"9","id":"8"}}"#),
            .json(200, #"{"access_token":"a-123456","expires_in":10,"token_type":"bearer","data":{"id":"8"}}"#),
            .json(200, #"{"access_token":"a-123456","expires_in":10}"#),
        ])
        let client = oauthClient(transport)
        #expect(try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret).userGid == "9")
        #expect(try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret).userGid == "8")
        let bare = try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        #expect(bare.userGid == nil && bare.tokenType == "bearer" && bare.expiresIn == 10)
    }

    @Test("revoke posts client_id, client_secret and the refresh token as token to /-/oauth_revoke")
    func revoke() async throws {
        let transport = FakeTransport([.json(200, "{}")])
        try await oauthClient(transport).revoke(refreshToken: refreshToken, clientId: "42", clientSecret: clientSecret)
        #expect(transport.urls == ["https://app.asana.com/-/oauth_revoke"])
        #expect(
            bodyText(transport.requests.first)
                == "client_id=42&client_secret=\(clientSecret)&token=2%2F1204998877665544%2Frefresh%3Aaa11bb22cc33dd44")
    }

    @Test("invalid_grant is .oauth(status: 400, …) and is not retried")
    func invalidGrant() async throws {
        let transport = FakeTransport([
            .json(400, #"{"error":"invalid_grant","error_description":"The refresh token is invalid or expired."}"#),
            .json(200, grantJSON),
        ])
        let recorder = SleepRecorder()
        await #expect(
            throws: AsanaAPIError.oauth(status: 400, error: "invalid_grant", description: "The refresh token is invalid or expired.")
        ) {
            _ = try await oauthClient(transport, recorder: recorder).refresh(
                refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        }
        #expect(transport.remainingReplies == 1)
        #expect(recorder.sleeps.isEmpty)
        let text = AsanaAPIError.oauth(status: 400, error: "invalid_grant", description: nil).description
        #expect(text.contains("400 invalid_grant") && text.contains("authorize the app again"))
    }

    @Test("invalid_client without a description; a 4xx in Asana's REST shape maps like the REST client")
    func otherRefusals() async throws {
        let transport = FakeTransport([
            .json(401, #"{"error":"invalid_client"}"#), .asanaError(403, ["nope"]), .json(400, "not json"),
        ])
        let client = oauthClient(transport)
        await #expect(throws: AsanaAPIError.oauth(status: 401, error: "invalid_client", description: nil)) {
            _ = try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        }
        await #expect(throws: AsanaAPIError.forbidden(message: "nope")) {
            _ = try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        }
        await #expect(throws: AsanaAPIError.badRequest(message: "HTTP 400 without an Asana error message")) {
            try await client.revoke(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        }
    }

    @Test("refresh and revoke retry 429, 5xx and transport failures")
    func refreshRetries() async throws {
        let transport = FakeTransport([
            .rateLimited(retryAfter: "3"), .asanaError(503, ["Service Unavailable"]), .failure(ConnectionReset()),
            .json(200, grantJSON), .asanaError(500, ["Server Error"]), .json(200, "{}"),
        ])
        let recorder = SleepRecorder()
        let client = oauthClient(transport, recorder: recorder)

        _ = try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        try await client.revoke(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)

        #expect(transport.requests.count == 6)
        #expect(recorder.sleeps.count == 4)
        #expect(recorder.sleeps.first == .seconds(3))
    }

    @Test("refresh gives up after maxAttempts with the typed error")
    func refreshExhausted() async throws {
        let transport = FakeTransport([.asanaError(502, ["Bad Gateway"]), .asanaError(502, ["Bad Gateway"])])
        await #expect(throws: AsanaAPIError.server(status: 502, message: "Bad Gateway", phrase: nil)) {
            _ = try await oauthClient(transport, configuration: .init(maxAttempts: 2)).refresh(
                refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        }
        #expect(transport.requests.count == 2)
    }

    @Test("exchangeCode is never retried: not after 5xx, transport failure or 429")
    func exchangeNotRetried() async throws {
        let replies: [(FakeTransport.Reply, AsanaAPIError)] = [
            (.asanaError(500, ["Server Error"]), .server(status: 500, message: "Server Error", phrase: nil)),
            (.failure(ConnectionReset()), .transport("connection reset by peer")),
            (.rateLimited(retryAfter: "1"), .rateLimited(retryAfter: .seconds(1))),
        ]
        for (reply, expected) in replies {
            let transport = FakeTransport([reply, .json(200, grantJSON)])
            let recorder = SleepRecorder()
            await #expect(throws: expected) {
                _ = try await oauthClient(transport, recorder: recorder).exchangeCode(
                    code, codeVerifier: verifier, clientId: "1", clientSecret: clientSecret, redirectUri: "https://x/cb")
            }
            #expect(transport.requests.count == 1)
            #expect(recorder.sleeps.isEmpty)
        }
    }

    @Test("an answer without access_token or expires_in is malformedResponse, naming no secret")
    func malformedGrant() async throws {
        let transport = FakeTransport([
            .json(200, #"{"refresh_token":"\#(refreshToken)","expires_in":3600}"#),
            .json(200, #"{"access_token":"\#(accessToken)","expires_in":"soon"}"#),
            .json(200, "<html>"),
            .json(200, #"{"access_token":"","expires_in":3600}"#),
        ])
        let client = oauthClient(transport)
        for _ in 0..<4 {
            do {
                _ = try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
                Issue.record("expected an error")
            } catch let error as AsanaAPIError {
                guard case .malformedResponse = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(!error.description.contains(refreshToken) && !error.description.contains(accessToken))
            }
        }
    }

    @Test("empty code, client id, secret or refresh token are refused before sending")
    func emptyInputs() async throws {
        let transport = FakeTransport([])
        let client = oauthClient(transport)
        await #expect(throws: AsanaAPIError.badRequest(message: "the OAuth code must not be empty")) {
            _ = try await client.exchangeCode("", codeVerifier: "", clientId: "1", clientSecret: "s", redirectUri: "r")
        }
        await #expect(throws: AsanaAPIError.badRequest(message: "the OAuth refresh token must not be empty")) {
            _ = try await client.refresh(refreshToken: "", clientId: "1", clientSecret: "s")
        }
        await #expect(throws: AsanaAPIError.badRequest(message: "the OAuth client secret must not be empty")) {
            try await client.revoke(refreshToken: "r", clientId: "1", clientSecret: "")
        }
        #expect(transport.requests.isEmpty)
    }

    @Test("code, verifier, secret and tokens never appear in error texts, even when echoed back")
    func secretsRedacted() async throws {
        let echoed = "got \(code) \(verifier) \(clientSecret) \(refreshToken)"
        let replies: [FakeTransport.Reply] = [
            .json(400, #"{"error":"invalid_grant \#(code)","error_description":"\#(echoed)"}"#),
            .asanaError(400, [echoed]),
            .asanaError(500, [echoed], phrase: echoed),
            .json(503, #"{"error":"\#(echoed)"}"#),
            .failure(AsanaAPIError.transport("reset after sending \(echoed)")),
            .failure(AsanaAPIError.malformedResponse(echoed)),
        ]
        for reply in replies {
            for useRefresh in [false, true] {
                let transport = FakeTransport([reply])
                let client = oauthClient(transport, configuration: .init(maxAttempts: 1))
                do {
                    if useRefresh {
                        _ = try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
                    } else {
                        _ = try await client.exchangeCode(
                            code, codeVerifier: verifier, clientId: "1", clientSecret: clientSecret, redirectUri: "r")
                    }
                    Issue.record("expected an error")
                } catch let error as AsanaAPIError {
                    let texts = [error.description, String(reflecting: error)]
                    let leaked = useRefresh ? [refreshToken, clientSecret] : [code, verifier, clientSecret]
                    for text in texts {
                        #expect(leaked.allSatisfy { !text.contains($0) }, "\(text)")
                    }
                    #expect(error.description.contains("<redacted secret>"), "\(error)")
                }
            }
        }
    }

    @Test("a grant prints without its tokens")
    func grantDescriptionRedacted() {
        let grant = OAuthTokenGrant(
            accessToken: accessToken, refreshToken: refreshToken, expiresIn: 3600, userGid: "1", userEmail: "a@b.example")
        for text in [grant.description, String(reflecting: grant), "\(grant)"] {
            #expect(!text.contains(accessToken) && !text.contains(refreshToken), "\(text)")
        }
        #expect(grant.description.contains("expiresIn: 3600"))
    }

    @Test("no secret reaches the log, at trace level")
    func secretsNeverLogged() async throws {
        let capture = LogCapture()
        let transport = FakeTransport([.asanaError(500, ["x"]), .json(200, grantJSON), .json(200, grantJSON)])
        let client = oauthClient(transport, logger: capture.logger())
        _ = try await client.refresh(refreshToken: refreshToken, clientId: "1", clientSecret: clientSecret)
        _ = try await client.exchangeCode(code, codeVerifier: verifier, clientId: "1", clientSecret: clientSecret, redirectUri: "r")

        let lines = capture.lines
        #expect(lines.count >= 4)
        for secret in [code, verifier, clientSecret, refreshToken, accessToken] {
            #expect(lines.allSatisfy { !$0.contains(secret) })
        }
    }

    @Test("the REST client redacts sent tokens from an .oauth error too")
    func restSanitizesOAuthCase() {
        let client = makeClient(FakeTransport([]))
        let error = AsanaAPIError.oauth(status: 400, error: "bad \(testToken)", description: "x \(testToken)")
        _ = client  // no token sent yet: nothing to redact
        #expect(client.sanitized(error) == error)
        #expect(error.redacted(with: { $0.replacing(testToken, with: "T") }) == .oauth(status: 400, error: "bad T", description: "x T"))
    }
}
