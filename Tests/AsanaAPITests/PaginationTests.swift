import Testing

@testable import AsanaAPI

@Suite("Pagination")
struct PaginationTests {
    @Test("follows next_page.offset over three pages and sends each offset back")
    func threePages() async throws {
        let transport = FakeTransport([
            .page([userJSON("1", "Ada"), userJSON("2", "Bob")], next: "tok1"),
            .page([userJSON("3", "Cy")], next: "tok2"),
            .page([userJSON("4", "Di")], next: nil),
        ])
        let client = makeClient(transport)

        let users = try await client.users(workspace: "1000")

        #expect(users.map(\.gid) == ["1", "2", "3", "4"])
        #expect(users.map(\.name) == ["Ada", "Bob", "Cy", "Di"])
        let first = "\(asanaBase)/users?workspace=1000&limit=100&opt_fields=name,email"
        #expect(transport.urls == [first, first + "&offset=tok1", first + "&offset=tok2"])
        #expect(transport.requests.allSatisfy { $0.method == "GET" && $0.body == nil })
        #expect(client.requestCount == 3)
    }

    @Test("a page without the next_page key fails with malformedPage naming the request path")
    func missingNextPageOnFirstPage() async throws {
        let transport = FakeTransport([.json(200, #"{"data":[{"gid":"1","name":"Ada"}]}"#)])
        let client = makeClient(transport)

        await #expect(throws: AsanaAPIError.malformedPage(path: "/users?workspace=1000&limit=100&opt_fields=name,email")) {
            _ = try await client.users(workspace: "1000")
        }
    }

    @Test("a later page without next_page fails too, with its offset in the path")
    func missingNextPageOnLaterPage() async throws {
        let transport = FakeTransport([
            .page([#"{"gid":"42","name":"Engineering"}"#], next: "abc"),
            .json(200, #"{"data":[]}"#),
        ])
        let client = makeClient(transport)

        await #expect(throws: AsanaAPIError.malformedPage(path: "/workspaces/1000/teams?limit=100&opt_fields=name&offset=abc")) {
            _ = try await client.teams(workspace: "1000")
        }
    }

    @Test("an empty last page gives an empty list")
    func emptyList() async throws {
        let transport = FakeTransport([.page([], next: nil)])
        let teams = try await makeClient(transport).teams(workspace: "1000")
        #expect(teams.isEmpty)
    }

    @Test("an offset Asana already returned is not followed again (no endless loop)")
    func repeatedOffset() async throws {
        let transport = FakeTransport([
            .page([#"{"gid":"1"}"#], next: "same"),
            .page([#"{"gid":"2"}"#], next: "same"),
        ])
        let client = makeClient(transport)

        let error = await #expect(throws: AsanaAPIError.self) { _ = try await client.workspaces() }
        guard case .malformedResponse(let detail) = error else {
            Issue.record("expected malformedResponse, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("repeats"))
        #expect(transport.requests.count == 2)
    }

    @Test("next_page without an offset is a malformed response")
    func nextPageWithoutOffset() async throws {
        let transport = FakeTransport([.json(200, #"{"data":[],"next_page":{"path":"/x"}}"#)])
        let error = await #expect(throws: AsanaAPIError.self) { _ = try await makeClient(transport).workspaces() }
        guard case .malformedResponse(let detail) = error else {
            Issue.record("expected malformedResponse, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("offset"))
    }

    @Test("offsets are percent-encoded when sent back")
    func offsetEncoding() async throws {
        let transport = FakeTransport([
            .page([#"{"gid":"1"}"#], next: "a+b/c="),
            .page([], next: nil),
        ])
        _ = try await makeClient(transport).teams(workspace: "1000")
        #expect(transport.urls.last == "\(asanaBase)/workspaces/1000/teams?limit=100&opt_fields=name&offset=a%2Bb%2Fc%3D")
    }

    @Test("limit follows pageSize, clamped to Asana's 1...100, and the base URL loses its trailing slash")
    func pageSizeAndBaseURL() async throws {
        let small = FakeTransport([.page([], next: nil)])
        _ = try await makeClient(small, configuration: .init(baseURL: "http://127.0.0.1:8080/api/1.0/", pageSize: 2))
            .workspaces()
        #expect(small.urls == ["http://127.0.0.1:8080/api/1.0/workspaces?limit=2&opt_fields=name,is_organization,email_domains"])

        let huge = FakeTransport([.page([], next: nil)])
        _ = try await makeClient(huge, configuration: .init(pageSize: 500)).teams(workspace: "1")
        #expect(huge.urls == ["\(asanaBase)/workspaces/1/teams?limit=100&opt_fields=name"])

        let zero = FakeTransport([.page([], next: nil)])
        _ = try await makeClient(zero, configuration: .init(pageSize: 0)).teams(workspace: "1")
        #expect(zero.urls == ["\(asanaBase)/workspaces/1/teams?limit=1&opt_fields=name"])
    }
}
