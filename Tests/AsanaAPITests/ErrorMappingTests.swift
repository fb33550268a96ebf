import Testing

@testable import AsanaAPI

@Suite("Error mapping")
struct ErrorMappingTests {
    static let cases: [(Int, String, AsanaAPIError)] = [
        (400, "workspace: Missing input", .badRequest(message: "workspace: Missing input")),
        (401, "Not Authorized", .unauthorized(message: "Not Authorized")),
        (403, "You must be an admin of this workspace", .forbidden(message: "You must be an admin of this workspace")),
        (404, "user: Not a recognized ID: 999", .notFound(message: "user: Not a recognized ID: 999")),
        (402, "Payment Required", .badRequest(message: "HTTP 402: Payment Required")),
        (451, "Unavailable For Legal Reasons", .badRequest(message: "HTTP 451: Unavailable For Legal Reasons")),
    ]

    @Test("4xx statuses map to their cases with Asana's message", arguments: cases)
    func clientErrors(status: Int, message: String, expected: AsanaAPIError) async throws {
        let transport = FakeTransport([.asanaError(status, [message])])
        let client = makeClient(transport)
        await #expect(throws: expected) { _ = try await client.me() }
        #expect(client.requestCount == 1)
    }

    @Test("4xx on POST maps the same way and is not retried")
    func forbiddenPost() async throws {
        let transport = FakeTransport([.asanaError(403, ["Forbidden"]), .data("{}")])
        let client = makeClient(transport)
        await #expect(throws: AsanaAPIError.forbidden(message: "Forbidden")) {
            try await client.removeUser("7", fromWorkspace: "1000")
        }
        #expect(transport.remainingReplies == 1)
    }

    @Test("several error messages are joined with '; '")
    func joinedMessages() async throws {
        let transport = FakeTransport([.asanaError(400, ["limit: Must be between 1 and 100", "offset: Invalid"])])
        await #expect(throws: AsanaAPIError.badRequest(message: "limit: Must be between 1 and 100; offset: Invalid")) {
            _ = try await makeClient(transport).workspaces()
        }
    }

    @Test("an error body that is not Asana's shape still gives a clear message")
    func nonJSONErrorBody() async throws {
        let transport = FakeTransport([
            .response(AsanaHTTPResponse(status: 502, body: Array("<html>Bad Gateway</html>".utf8)))
        ])
        await #expect(
            throws: AsanaAPIError.server(status: 502, message: "HTTP 502 without an Asana error message", phrase: nil)
        ) {
            try await makeClient(transport).removeUser("7", fromTeam: "42")
        }

        let empty = FakeTransport([.response(AsanaHTTPResponse(status: 401))])
        await #expect(throws: AsanaAPIError.unauthorized(message: "HTTP 401 without an Asana error message")) {
            _ = try await makeClient(empty).me()
        }
    }

    @Test("an unexpected status (3xx) is a malformed response")
    func unexpectedStatus() async throws {
        let transport = FakeTransport([.response(AsanaHTTPResponse(status: 302, headers: [("Location", "https://x")]))])
        await #expect(throws: AsanaAPIError.malformedResponse("/users/me: unexpected HTTP status 302")) {
            _ = try await makeClient(transport).me()
        }
    }

    @Test("a 200 whose body is not JSON is a malformed response")
    func notJSON() async throws {
        let transport = FakeTransport([.json(200, "this is not json")])
        await #expect(throws: AsanaAPIError.malformedResponse("/users/me: body is not valid JSON")) {
            _ = try await makeClient(transport).me()
        }
    }

    @Test("a 200 without data is a malformed response naming the key")
    func missingData() async throws {
        let transport = FakeTransport([.json(200, #"{"gid":"1"}"#)])
        await #expect(throws: AsanaAPIError.malformedResponse(#"/users/me: missing key "data" at top level"#)) {
            _ = try await makeClient(transport).me()
        }
    }

    @Test("a numeric gid (the pre-2020 id format) is refused as malformed")
    func numericGid() async throws {
        let transport = FakeTransport([.data(#"{"gid":12345,"name":"Ada"}"#)])
        await #expect(throws: AsanaAPIError.malformedResponse("/users/me: expected String at data.gid")) {
            _ = try await makeClient(transport).me()
        }
    }

    @Test("every error has a one-sentence description carrying its details")
    func descriptions() {
        let samples: [(AsanaAPIError, String)] = [
            (.unauthorized(message: "Not Authorized"), "Not Authorized"),
            (.forbidden(message: "not an admin"), "not an admin"),
            (.notFound(message: "No matching route for request"), "No matching route for request"),
            (.badRequest(message: "workspace: Missing input"), "workspace: Missing input"),
            (.rateLimited(retryAfter: .seconds(7)), "7 s"),
            (.rateLimited(retryAfter: .milliseconds(1500)), "1.5 s"),
            (.rateLimited(retryAfter: nil), "no Retry-After"),
            (.server(status: 500, message: "Server Error", phrase: "6 sad squid"), "6 sad squid"),
            (.malformedPage(path: "/users?limit=100"), "/users?limit=100"),
            (.malformedResponse("body is not valid JSON"), "body is not valid JSON"),
            (.transport("connection refused"), "connection refused"),
        ]
        for (error, detail) in samples {
            let text = error.description
            #expect(text.contains(detail), "\(text)")
            #expect(text.hasSuffix("."), "\(text)")
            #expect(!text.contains("\n"))
        }
        #expect(AsanaAPIError.server(status: 503, message: "x", phrase: nil).description.contains("503"))
        #expect(AsanaAPIError.unauthorized(message: "x").description.contains("401"))
    }

    @Test("isTransient marks only rate limits, server and transport errors")
    func transient() {
        #expect(AsanaAPIError.rateLimited(retryAfter: nil).isTransient)
        #expect(AsanaAPIError.server(status: 500, message: "", phrase: nil).isTransient)
        #expect(AsanaAPIError.transport("x").isTransient)
        #expect(!AsanaAPIError.unauthorized(message: "x").isTransient)
        #expect(!AsanaAPIError.malformedPage(path: "/x").isTransient)
    }
}
