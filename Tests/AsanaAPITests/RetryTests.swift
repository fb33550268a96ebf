import Logging
import Testing

@testable import AsanaAPI

/// A transport error that is not an AsanaAPIError, like AsyncHTTPClient's.
struct ConnectionReset: Error, CustomStringConvertible {
    var description: String { "connection reset by peer" }
}

@Suite("Retries and rate limits")
struct RetryTests {
    @Test("429 with Retry-After: 7 sleeps exactly 7 s, then succeeds")
    func retryAfterHonoured() async throws {
        let transport = FakeTransport([.rateLimited(retryAfter: "7"), .data(#"{"gid":"1","name":"Ada"}"#)])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)

        let me = try await client.me()

        #expect(me == AsanaUser(gid: "1", name: "Ada"))
        #expect(recorder.sleeps == [.seconds(7)])
        #expect(client.requestCount == 2)
        #expect(client.rateLimitedCount == 1)
        #expect(transport.urls == ["\(asanaBase)/users/me", "\(asanaBase)/users/me"])
    }

    @Test("a decimal Retry-After is honoured to the millisecond")
    func decimalRetryAfter() async throws {
        let transport = FakeTransport([.rateLimited(retryAfter: "1.5"), .data(#"{"gid":"1"}"#)])
        let recorder = SleepRecorder()
        _ = try await makeClient(transport, recorder: recorder).me()
        #expect(recorder.sleeps == [.milliseconds(1500)])
    }

    @Test("429 without Retry-After backs off within the exponential ceiling, capped")
    func backoffWithoutHeader() async throws {
        let transport = FakeTransport([
            .rateLimited(retryAfter: nil), .rateLimited(retryAfter: "soon"), .rateLimited(retryAfter: nil),
            .data(#"{"gid":"1"}"#),
        ])
        let recorder = SleepRecorder()
        let configuration = AsanaClientConfiguration(backoffBase: .seconds(1), backoffCap: .seconds(2))
        let client = makeClient(transport, configuration: configuration, recorder: recorder)

        _ = try await client.me()

        let sleeps = recorder.sleeps
        try #require(sleeps.count == 3)
        #expect(sleeps[0] >= .zero && sleeps[0] <= .seconds(1))
        #expect(sleeps[1] >= .zero && sleeps[1] <= .seconds(2))
        #expect(sleeps[2] >= .zero && sleeps[2] <= .seconds(2))
        #expect(client.rateLimitedCount == 3)
        #expect(client.requestCount == 4)
    }

    @Test("a Retry-After longer than maxRetryAfter fails fast without sleeping")
    func retryAfterTooLong() async throws {
        let transport = FakeTransport([.rateLimited(retryAfter: "600"), .data(#"{"gid":"1"}"#)])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)

        await #expect(throws: AsanaAPIError.rateLimited(retryAfter: .seconds(600))) { _ = try await client.me() }
        #expect(recorder.sleeps.isEmpty)
        #expect(client.requestCount == 1)
        #expect(transport.remainingReplies == 1)
    }

    @Test("an absurd Retry-After (1e300) fails fast instead of trapping")
    func absurdRetryAfter() async throws {
        let transport = FakeTransport([.rateLimited(retryAfter: "1e300")])
        let client = makeClient(transport)
        await #expect(throws: AsanaAPIError.rateLimited(retryAfter: .seconds(1_000_000_000))) {
            _ = try await client.me()
        }
    }

    @Test("429 on every try gives rateLimited after maxAttempts, with the last Retry-After")
    func rateLimitExhausted() async throws {
        let transport = FakeTransport(Array(repeating: .rateLimited(retryAfter: "1"), count: 3))
        let recorder = SleepRecorder()
        let client = makeClient(transport, configuration: .init(maxAttempts: 3), recorder: recorder)

        await #expect(throws: AsanaAPIError.rateLimited(retryAfter: .seconds(1))) { _ = try await client.workspaces() }
        #expect(recorder.sleeps == [.seconds(1), .seconds(1)])
        #expect(client.requestCount == 3)
        #expect(client.rateLimitedCount == 3)
    }

    @Test("429 on a POST is retried: Asana did not process it")
    func rateLimitedPostRetried() async throws {
        let transport = FakeTransport([
            .rateLimited(retryAfter: "2"), .data(#"{"gid":"77","name":"new","email":"new@acme.example"}"#),
        ])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)

        let user = try await client.addUser("new@acme.example", toWorkspace: "1000")

        #expect(user == AsanaUser(gid: "77", name: "new", email: "new@acme.example"))
        #expect(recorder.sleeps == [.seconds(2)])
        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.method == "POST" && $0.url == "\(asanaBase)/workspaces/1000/addUser" })
        #expect(requests.allSatisfy { $0.body == Array(#"{"data":{"user":"new@acme.example"}}"#.utf8) })
    }

    @Test("5xx on GET is retried with backoff, then succeeds")
    func serverErrorGetRetried() async throws {
        let transport = FakeTransport([
            .asanaError(500, ["Server Error"], phrase: "6 sad squid snuggle softly"),
            .asanaError(503, ["Service Unavailable"]),
            .page([#"{"gid":"42","name":"Engineering"}"#], next: nil),
        ])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)

        let teams = try await client.teams(workspace: "1000")

        #expect(teams == [AsanaTeam(gid: "42", name: "Engineering")])
        #expect(client.requestCount == 3)
        #expect(client.rateLimitedCount == 0)
        let sleeps = recorder.sleeps
        try #require(sleeps.count == 2)
        #expect(sleeps[0] >= .zero && sleeps[0] <= .milliseconds(500))
        #expect(sleeps[1] >= .zero && sleeps[1] <= .seconds(1))
    }

    @Test("5xx on GET every time gives server error after maxAttempts")
    func serverErrorGetExhausted() async throws {
        let transport = FakeTransport([.asanaError(502, ["Bad Gateway"]), .asanaError(502, ["Bad Gateway"])])
        let recorder = SleepRecorder()
        let client = makeClient(transport, configuration: .init(maxAttempts: 2), recorder: recorder)

        await #expect(throws: AsanaAPIError.server(status: 502, message: "Bad Gateway", phrase: nil)) {
            _ = try await client.workspace(gid: "1000")
        }
        #expect(recorder.sleeps.count == 1)
        #expect(client.requestCount == 2)
    }

    @Test("5xx on POST is thrown at once, never retried")
    func serverErrorPostNotRetried() async throws {
        let transport = FakeTransport([
            .asanaError(500, ["Server Error"], phrase: "6 sad squid snuggle softly"),
            .data("{}"),
        ])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)

        await #expect(
            throws: AsanaAPIError.server(status: 500, message: "Server Error", phrase: "6 sad squid snuggle softly")
        ) {
            try await client.removeUser("ada@acme.example", fromWorkspace: "1000")
        }
        #expect(recorder.sleeps.isEmpty)
        #expect(client.requestCount == 1)
        #expect(transport.remainingReplies == 1)
    }

    @Test("503 on a team addUser is not retried either")
    func serverErrorTeamPostNotRetried() async throws {
        let transport = FakeTransport([.asanaError(503, ["Service Unavailable"])])
        let client = makeClient(transport)
        await #expect(throws: AsanaAPIError.server(status: 503, message: "Service Unavailable", phrase: nil)) {
            _ = try await client.addUser("7", toTeam: "42")
        }
        #expect(client.requestCount == 1)
    }

    @Test("a transport failure on GET is retried; any error type becomes .transport")
    func transportErrorGetRetried() async throws {
        let transport = FakeTransport([
            .failure(ConnectionReset()),
            .failure(AsanaAPIError.transport("connection refused")),
            .data(#"{"gid":"1"}"#),
        ])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)

        #expect(try await client.me().gid == "1")
        #expect(client.requestCount == 3)
        #expect(recorder.sleeps.count == 2)
    }

    @Test("transport failures on GET until maxAttempts give .transport with the cause")
    func transportErrorGetExhausted() async throws {
        let transport = FakeTransport([.failure(ConnectionReset()), .failure(ConnectionReset())])
        let client = makeClient(transport, configuration: .init(maxAttempts: 2))
        await #expect(throws: AsanaAPIError.transport("connection reset by peer")) { _ = try await client.me() }
        #expect(client.requestCount == 2)
    }

    @Test("a transport failure on POST is thrown at once")
    func transportErrorPostNotRetried() async throws {
        let transport = FakeTransport([.failure(ConnectionReset()), .data("{}")])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)
        await #expect(throws: AsanaAPIError.transport("connection reset by peer")) {
            try await client.removeUser("7", fromTeam: "42")
        }
        #expect(client.requestCount == 1)
        #expect(recorder.sleeps.isEmpty)
    }

    @Test("a malformedResponse from the transport (body too large) is not retried")
    func oversizedBodyNotRetried() async throws {
        let transport = FakeTransport([.failure(AsanaAPIError.malformedResponse("response body larger than 10 bytes"))])
        let client = makeClient(transport)
        await #expect(throws: AsanaAPIError.malformedResponse("response body larger than 10 bytes")) {
            _ = try await client.me()
        }
        #expect(client.requestCount == 1)
    }

    @Test("requestCount counts every try: a 429, a 500 and the success make 3")
    func requestCountCountsRetries() async throws {
        let transport = FakeTransport([
            .rateLimited(retryAfter: "0"), .asanaError(500, ["Server Error"]), .data(#"{"gid":"1"}"#),
        ])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)
        #expect(client.requestCount == 0)

        _ = try await client.me()

        #expect(client.requestCount == 3)
        #expect(client.rateLimitedCount == 1)
        #expect(recorder.sleeps.first == .zero)
    }

    @Test("cancellation during the retry sleep propagates as CancellationError")
    func cancellationDuringSleep() async throws {
        let transport = FakeTransport([.rateLimited(retryAfter: "5"), .data(#"{"gid":"1"}"#)])
        let client = AsanaClient(
            token: testToken, transport: transport, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), sleep: { _ in throw CancellationError() })
        await #expect(throws: CancellationError.self) { _ = try await client.me() }
        #expect(client.requestCount == 1)
    }

    @Test("maxAttempts below 1 still makes one try")
    func maxAttemptsFloor() async throws {
        let transport = FakeTransport([.asanaError(500, ["boom"])])
        let client = makeClient(transport, configuration: .init(maxAttempts: 0))
        await #expect(throws: AsanaAPIError.server(status: 500, message: "boom", phrase: nil)) {
            _ = try await client.me()
        }
        #expect(client.requestCount == 1)
    }
}
