import Logging
import TestSupport
import Testing

@testable import AsanaAPI

@Suite("Token handling")
struct SecurityTests {
    @Test("every request, retries and later pages included, carries exactly one Bearer header")
    func authorizationOnEveryRequest() async throws {
        let transport = FakeTransport([
            .rateLimited(retryAfter: "1"),
            .page([#"{"gid":"1"}"#], next: "t1"),
            .asanaError(500, ["oops"]),
            .page([], next: nil),
            .data(#"{"gid":"9","user":{"gid":"7"},"team":{"gid":"42"}}"#),
        ])
        let client = makeClient(transport)
        _ = try await client.workspaceMemberships(workspace: "1000")
        _ = try await client.addUser("7", toTeam: "42")

        let requests = transport.requests
        #expect(requests.count == 5)
        for request in requests {
            let auth = request.headers.filter { $0.0.lowercased() == "authorization" }
            #expect(auth.count == 1)
            #expect(auth.first?.1 == "Bearer \(testToken)")
            #expect(request.header("accept") == "application/json")
        }
        #expect(requests.filter { $0.method == "GET" }.allSatisfy { $0.header("Content-Type") == nil && $0.body == nil })
        #expect(requests.last?.header("content-type") == "application/json")
    }

    @Test("the token never appears in an error description, even when echoed back")
    func tokenRedactedFromErrors() async throws {
        let echoed = "bad token \(testToken) given"
        let replies: [FakeTransport.Reply] = [
            .asanaError(401, [echoed]),
            .asanaError(403, [echoed]),
            .asanaError(404, [echoed]),
            .asanaError(400, [echoed]),
            .asanaError(422, [echoed]),
            .asanaError(500, [echoed], phrase: echoed),
            .failure(AsanaAPIError.transport("reset while sending Bearer \(testToken)")),
            .failure(AsanaAPIError.malformedResponse(echoed)),
        ]
        for reply in replies {
            let transport = FakeTransport([reply])
            let client = makeClient(transport, configuration: .init(maxAttempts: 1))
            do {
                try await client.removeUser("7", fromWorkspace: "1000")
                Issue.record("expected an error")
            } catch let error as AsanaAPIError {
                #expect(!error.description.contains(testToken), "\(error)")
                #expect(!String(reflecting: error).contains(testToken))
                #expect(error.description.contains("<redacted token>"), "\(error)")
            }
        }
    }

    @Test("the token and headers never reach the log, at trace level")
    func tokenNeverLogged() async throws {
        let capture = LogCapture()
        let transport = FakeTransport([
            .rateLimited(retryAfter: "1"), .asanaError(500, ["x"]), .failure(ConnectionReset()),
            .data(#"{"gid":"1"}"#), .asanaError(401, ["Not Authorized"]),
        ])
        let client = makeClient(transport, logger: capture.logger())
        _ = try await client.me()
        _ = try? await client.addUser("ada@acme.example", toWorkspace: "1000")

        let lines = capture.lines
        #expect(lines.count >= 5)
        #expect(lines.allSatisfy { !$0.contains(testToken) && !$0.contains("Bearer") })
        #expect(lines.contains { $0.contains("429") })
    }

    @Test("a short token is not used to garble messages")
    func shortTokenNotRedacted() async throws {
        let transport = FakeTransport([.asanaError(401, ["Not Authorized"])])
        let client = AsanaClient(
            token: "a", transport: transport, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        await #expect(throws: AsanaAPIError.unauthorized(message: "Not Authorized")) { _ = try await client.me() }
    }
}
