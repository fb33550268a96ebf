import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Authentication, error bodies, routing")
struct AuthAndErrorTests {
    @Test("missing, unknown or malformed bearer token → 401 Not Authorized with help")
    func unauthorized() async throws {
        try await withSimulator { client in
            let missing = try await client.get("/users/me", token: nil)
            #expect(missing.status == 401)
            #expect(missing.errorMessage == "Not Authorized")
            #expect((missing.firstError["help"] as? String)?.contains("developers.asana.com/docs/errors") == true)
            #expect(missing.firstError["phrase"] == nil)

            let unknown = try await client.get("/users/me", token: "nope")
            #expect(unknown.status == 401)

            let basic = try await client.get("/users/me", token: nil, headers: [("Authorization", "Basic \(TestTokens.admin)")])
            #expect(basic.status == 401)

            let lowercase = try await client.get("/users/me", token: nil, headers: [("Authorization", "bearer \(TestTokens.admin)")])
            #expect(lowercase.status == 200)
        }
    }

    @Test("/users/me returns the full record of the token's user")
    func me() async throws {
        try await withSimulator { client in
            let reply = try await client.get("/users/me")
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("application/json") == true)
            let user = reply.dataObject
            #expect(user["gid"] as? String == "1001")
            #expect(user["resource_type"] as? String == "user")
            #expect(user["name"] as? String == "Ada Admin")
            #expect(user["email"] as? String == "ada.admin@acme.example")
            #expect(user["photo"] is NSNull)
            let workspaces = try #require(user["workspaces"] as? [[String: Any]])
            #expect(gids(workspaces) == ["1000"])
            #expect(workspaces.first?["name"] as? String == "Acme Corp")
        }
    }

    @Test("users by email (percent-encoded) and gid; unknown → 404; outside the caller's workspaces → 404")
    func userLookup() async throws {
        try await withSimulator { client in
            let byEmail = try await client.get("/users/max.member%40acme.example")
            #expect(byEmail.dataObject["gid"] as? String == "1002")
            let byGid = try await client.get("/users/1003")
            #expect(byGid.dataObject["email"] as? String == "person3@acme.example")
            let unknown = try await client.get("/users/424242")
            #expect(unknown.status == 404)
            #expect(unknown.errorMessage == "user: Not a recognized ID: 424242")
            let hidden = try await client.get("/users/1999")
            #expect(hidden.status == 404)
        }
    }

    @Test("workspaces: list is the caller's, full record on GET, foreign one → 403, unknown → 404")
    func workspaces() async throws {
        try await withSimulator { client in
            let list = try await client.get("/workspaces")
            #expect(gids(list.dataArray) == ["1000"])
            #expect(list.dataArray.first?.keys.sorted() == ["gid", "name", "resource_type"])
            #expect(list.object["next_page"] == nil)

            let one = try await client.get("/workspaces/1000")
            #expect(one.dataObject["is_organization"] as? Bool == true)
            #expect(one.dataObject["email_domains"] as? [String] == ["acme.example"])

            #expect(try await client.get("/workspaces/2000").status == 403)
            #expect(try await client.get("/users?workspace=2000&limit=10").status == 403)
            #expect(try await client.get("/workspaces/9999").status == 404)
            let unknownQuery = try await client.get("/users?workspace=9999&limit=10")
            #expect(unknownQuery.status == 400)
            #expect(unknownQuery.errorMessage == "workspace: Not a recognized ID: 9999")
        }
    }

    @Test("unknown route → 404 in Asana's error shape")
    func unknownRoute() async throws {
        try await withSimulator { client in
            let reply = try await client.get("/projects")
            #expect(reply.status == 404)
            #expect(reply.errorMessage == "No matching route for request")
        }
    }

    @Test("opt_pretty indents the body")
    func pretty() async throws {
        try await withSimulator { client in
            let reply = try await client.get("/users/me?opt_pretty=true")
            #expect(reply.text.contains("\n  \"data\": {"))
        }
    }

    @Test("request log records method, relative path and query in order, including rejected requests")
    func requestLog() async throws {
        try await withSimulator { client in
            client.simulator.clearRequestLog()
            _ = try await client.get("/users?workspace=1000&limit=2")
            _ = try await client.get("/users/me", token: nil)
            _ = try await client.post("/teams/3001/addUser", user: "1003")
            #expect(client.simulator.requestLog() == ["GET /users?workspace=1000&limit=2", "GET /users/me", "POST /teams/3001/addUser"])
        }
    }

    @Test("lifecycle: baseURL after start, second start refused, stop is idempotent")
    func lifecycle() async throws {
        let simulator = AsanaSimulator(seed: TestSeeds.organization(), configuration: .init(), logger: .init(label: "t"))
        #expect(simulator.baseURL == "")
        let port = try await simulator.start()
        #expect(port > 0)
        #expect(simulator.baseURL == "http://127.0.0.1:\(port)/api/1.0")
        await #expect(throws: AsanaSimulatorError.alreadyStarted) { try await simulator.start() }
        await simulator.stop()
        await simulator.stop()
    }

    @Test("binding a port in use fails with notListening")
    func portInUse() async throws {
        try await withSimulator { client in
            let port = try #require(Int(client.simulator.baseURL.split(separator: ":").last?.split(separator: "/").first ?? ""))
            let second = AsanaSimulator(seed: TestSeeds.organization(), configuration: .init(port: port), logger: .init(label: "t"))
            await #expect(throws: AsanaSimulatorError.self) { try await second.start() }
            await second.stop()
        }
    }
}
