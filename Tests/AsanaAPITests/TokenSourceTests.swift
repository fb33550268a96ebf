import Logging
import Synchronization
import Testing

@testable import AsanaAPI

/// A scripted ``AsanaTokenSource``: hands out `current` (or a queue of tokens), answers renewals from a
/// queue, and records every call.
final class FakeTokenSource: AsanaTokenSource {
    enum Renewal: Sendable {
        case token(String)
        case cannotRenew
        case failure(any Error)
    }

    private struct State {
        var tokens: [String]
        var renewals: [Renewal]
        var currentCalls = 0
        var renewCalls: [String] = []
        var currentFailure: (any Error)?
    }

    private let state: Mutex<State>

    /// `tokens` are handed out in turn by `currentToken()`; the last one stays. A renewal that yields a
    /// token makes it the current one.
    init(tokens: [String], renewals: [Renewal] = [], currentFailure: (any Error)? = nil) {
        state = Mutex(State(tokens: tokens, renewals: renewals, currentFailure: currentFailure))
    }

    func currentToken() async throws -> String {
        try state.withLock { state in
            state.currentCalls += 1
            if let failure = state.currentFailure { throw failure }
            return state.tokens.count > 1 ? state.tokens.removeFirst() : state.tokens[0]
        }
    }

    func renewToken(after rejected: String) async throws -> String? {
        let renewal: Renewal = state.withLock { state in
            state.renewCalls.append(rejected)
            return state.renewals.isEmpty ? .cannotRenew : state.renewals.removeFirst()
        }
        switch renewal {
        case .token(let token):
            state.withLock { $0.tokens = [token] }
            return token
        case .cannotRenew:
            return nil
        case .failure(let error):
            throw error
        }
    }

    var currentCalls: Int { state.withLock { $0.currentCalls } }
    var renewCalls: [String] { state.withLock { $0.renewCalls } }
}

/// The typed error an OAuth token source throws when the user must authorize again.
struct ReauthorizationRequired: Error, Equatable {}

/// The bearer token a request carried.
func bearer(_ request: AsanaHTTPRequest) -> String? {
    request.header("Authorization").map { String($0.dropFirst("Bearer ".count)) }
}

private let oldToken = "oauth-access-token-old-0123456789abcdef"
private let newToken = "oauth-access-token-new-fedcba9876543210"

private func client(_ transport: FakeTransport, _ source: FakeTokenSource, maxAttempts: Int = 5) -> AsanaClient {
    AsanaClient(
        tokenSource: source, configuration: .init(maxAttempts: maxAttempts), transport: transport,
        logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), sleep: SleepRecorder().sleep)
}

@Suite("Token source and 401 renewal")
struct TokenSourceTests {
    @Test("a 401 renews the token once and resends the GET with the new token")
    func renewalRetriesGet() async throws {
        let transport = FakeTransport([.asanaError(401, ["The bearer token has expired."]), .data(#"{"gid":"1"}"#)])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.token(newToken)])

        let me = try await client(transport, source).me()

        #expect(me.gid == "1")
        #expect(source.renewCalls == [oldToken])
        #expect(transport.requests.map(bearer) == [oldToken, newToken])
        #expect(transport.urls == ["\(asanaBase)/users/me", "\(asanaBase)/users/me"])
    }

    @Test("a 401 on a POST is resent too, with the same body: Asana did not apply it")
    func renewalRetriesPost() async throws {
        let transport = FakeTransport([.asanaError(401, ["Not Authorized"]), .data(#"{"gid":"77"}"#)])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.token(newToken)])

        _ = try await client(transport, source).addUser("new@acme.example", toWorkspace: "1000")

        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(requests.map(bearer) == [oldToken, newToken])
        #expect(requests.allSatisfy { $0.method == "POST" && $0.body == Array(#"{"data":{"user":"new@acme.example"}}"#.utf8) })
    }

    @Test("the renewed resend does not use up a retry of maxAttempts")
    func renewalOutsideMaxAttempts() async throws {
        let transport = FakeTransport([.asanaError(401, ["expired"]), .data(#"{"gid":"1"}"#)])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.token(newToken)])
        #expect(try await client(transport, source, maxAttempts: 1).me().gid == "1")
    }

    @Test("a second 401 in the same request is thrown: renewal happens at most once")
    func renewalAtMostOnce() async throws {
        let transport = FakeTransport([
            .asanaError(401, ["expired"]), .asanaError(401, ["still no"]), .data(#"{"gid":"1"}"#),
        ])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.token(newToken), .token("third-token-xyz")])

        await #expect(throws: AsanaAPIError.unauthorized(message: "still no")) {
            _ = try await client(transport, source).me()
        }
        #expect(source.renewCalls == [oldToken])
        #expect(transport.remainingReplies == 1)
    }

    @Test("each logical request may renew once: a later request renews again")
    func renewalPerLogicalRequest() async throws {
        let transport = FakeTransport([
            .asanaError(401, ["expired"]), .data(#"{"gid":"1"}"#),
            .asanaError(401, ["expired"]), .data(#"{"gid":"2"}"#),
        ])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.token(newToken), .token("third-token-xyz")])
        let client = client(transport, source)

        #expect(try await client.me().gid == "1")
        #expect(try await client.me().gid == "2")
        #expect(source.renewCalls == [oldToken, newToken])
    }

    @Test("a static token cannot be renewed: the 401 is thrown after one request")
    func staticTokenThrows401() async throws {
        let transport = FakeTransport([.asanaError(401, ["Not Authorized"]), .data(#"{"gid":"1"}"#)])
        let client = makeClient(transport)
        await #expect(throws: AsanaAPIError.unauthorized(message: "Not Authorized")) { _ = try await client.me() }
        #expect(client.requestCount == 1)
        #expect(try await StaticTokenSource("abc").renewToken(after: "abc") == nil)
    }

    @Test("a renewal giving back the rejected token is not retried")
    func renewalSameTokenThrows() async throws {
        let transport = FakeTransport([.asanaError(401, ["Not Authorized"]), .data(#"{"gid":"1"}"#)])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.token(oldToken)])
        await #expect(throws: AsanaAPIError.unauthorized(message: "Not Authorized")) {
            _ = try await client(transport, source).me()
        }
        #expect(transport.requests.count == 1)
    }

    @Test("an error thrown by renewToken reaches the caller unchanged")
    func renewalErrorPropagates() async throws {
        let transport = FakeTransport([.asanaError(401, ["expired"])])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.failure(ReauthorizationRequired())])
        await #expect(throws: ReauthorizationRequired()) { _ = try await client(transport, source).me() }
    }

    @Test("an error thrown by currentToken reaches the caller unchanged, nothing is sent")
    func currentTokenErrorPropagates() async throws {
        let transport = FakeTransport([.data(#"{"gid":"1"}"#)])
        let source = FakeTokenSource(tokens: [oldToken], currentFailure: ReauthorizationRequired())
        await #expect(throws: ReauthorizationRequired()) { _ = try await client(transport, source).me() }
        #expect(transport.requests.isEmpty)
    }

    @Test("the token is asked before every attempt: retries and pages use the current one")
    func tokenAskedPerAttempt() async throws {
        let transport = FakeTransport([
            .rateLimited(retryAfter: "1"), .page([#"{"gid":"1"}"#], next: "t1"), .page([], next: nil),
        ])
        let source = FakeTokenSource(tokens: ["token-one-111111", "token-two-222222", "token-three-33333"])

        _ = try await client(transport, source).workspaces()

        #expect(source.currentCalls == 3)
        #expect(transport.requests.map(bearer) == ["token-one-111111", "token-two-222222", "token-three-33333"])
    }

    @Test("every token sent, the old and the renewed one, is redacted from error texts")
    func allSentTokensRedacted() async throws {
        let echoed = "bad tokens \(oldToken) and \(newToken)"
        let transport = FakeTransport([.asanaError(401, ["expired"]), .asanaError(403, [echoed])])
        let source = FakeTokenSource(tokens: [oldToken], renewals: [.token(newToken)])
        do {
            _ = try await client(transport, source).me()
            Issue.record("expected an error")
        } catch let error as AsanaAPIError {
            #expect(!error.description.contains(oldToken) && !error.description.contains(newToken), "\(error)")
            #expect(error == .forbidden(message: "bad tokens <redacted token> and <redacted token>"))
        }
    }

    @Test("only the last redactedTokenLimit distinct tokens are remembered")
    func redactionIsBounded() async throws {
        let tokens = (0..<10).map { "rotating-token-\($0)-abcdef" }
        let transport = FakeTransport((0..<10).map { _ in .data(#"{"gid":"1"}"#) })
        let source = FakeTokenSource(tokens: tokens)
        let client = client(transport, source)
        for _ in 0..<10 { _ = try await client.me() }

        let redacted = client.redact(tokens.joined(separator: " "))
        #expect(redacted.contains(tokens[0]) && redacted.contains(tokens[1]))
        #expect(tokens[2...].allSatisfy { !redacted.contains($0) })
        #expect(AsanaClient.redactedTokenLimit == 8)
    }
}
