import Testing

@testable import AsanaAPI

/// An offset Asana refuses (expired, about 15 minutes) restarts that listing from the first page, once.
@Suite("Pagination: expired offsets")
struct OffsetRestartTests {
    static let expired = "offset: Your pagination token is invalid or has expired. Start again without offset."

    @Test("a 400 on an offset restarts the listing from the first page and drops what was read")
    func restartsOnce() async throws {
        let transport = FakeTransport([
            .page([userJSON("1", "Ada"), userJSON("2", "Bob")], next: "old1"),
            .page([userJSON("3", "Cy")], next: "old2"),
            .asanaError(400, [Self.expired]),
            .page([userJSON("1", "Ada"), userJSON("2", "Bob")], next: "new1"),
            .page([userJSON("3", "Cy")], next: "new2"),
            .page([userJSON("4", "Di")], next: nil),
        ])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)

        let users = try await client.users(workspace: "1000")

        #expect(users.map(\.gid) == ["1", "2", "3", "4"], "no record twice, none missing")
        let first = "\(asanaBase)/users?workspace=1000&limit=100&opt_fields=name,email"
        #expect(transport.urls == [
            first, first + "&offset=old1", first + "&offset=old2",
            first, first + "&offset=new1", first + "&offset=new2",
        ])
        #expect(client.requestCount == 6)
        #expect(recorder.sleeps.isEmpty, "a refused offset is not retried after a pause")
        #expect(transport.remainingReplies == 0)
    }

    @Test("a second refused offset in the same listing is thrown")
    func failsOnSecondRefusal() async throws {
        let transport = FakeTransport([
            .page([#"{"gid":"1","name":"Eng"}"#], next: "a"),
            .asanaError(400, [Self.expired]),
            .page([#"{"gid":"1","name":"Eng"}"#], next: "b"),
            .asanaError(400, [Self.expired]),
        ])
        let client = makeClient(transport)

        await #expect(
            throws: AsanaAPIError.badRequest(
                message: Self.expired + " (an offset was refused again after the listing restarted from the first page)")
        ) {
            _ = try await client.teams(workspace: "1000")
        }
        #expect(client.requestCount == 4)
        #expect(transport.remainingReplies == 0)
    }

    @Test("a 400 on the first page (no offset) is thrown at once, without a restart")
    func firstPageRefusalIsNotRestarted() async throws {
        let transport = FakeTransport([.asanaError(400, ["limit: Must be between 1 and 100 inclusive, got 500"])])
        let client = makeClient(transport)

        await #expect(throws: AsanaAPIError.badRequest(message: "limit: Must be between 1 and 100 inclusive, got 500")) {
            _ = try await client.teams(workspace: "1000")
        }
        #expect(client.requestCount == 1)
    }

    @Test("a 5xx on a later page is retried with the same offset, not restarted")
    func serverErrorKeepsOffset() async throws {
        let transport = FakeTransport([
            .page([#"{"gid":"1"}"#], next: "a"),
            .asanaError(500, ["Server Error"], phrase: "6 sad squid snuggle softly"),
            .page([#"{"gid":"2"}"#], next: nil),
        ])
        let client = makeClient(transport)

        let teams = try await client.teams(workspace: "1000")

        #expect(teams.map(\.gid) == ["1", "2"])
        let first = "\(asanaBase)/workspaces/1000/teams?limit=100&opt_fields=name"
        #expect(transport.urls == [first, first + "&offset=a", first + "&offset=a"])
    }
}
