import Testing

@testable import AsanaAPI

@Suite("Endpoints")
struct EndpointTests {
    @Test("me() is GET /users/me")
    func me() async throws {
        let transport = FakeTransport([
            .data(#"{"gid":"1","resource_type":"user","name":"Ada Admin","email":"ada.admin@acme.example","photo":null,"workspaces":[{"gid":"1000","name":"Acme"}]}"#)
        ])
        let user = try await makeClient(transport).me()
        #expect(user == AsanaUser(gid: "1", name: "Ada Admin", email: "ada.admin@acme.example"))
        #expect(transport.urls == ["\(asanaBase)/users/me"])
        #expect(transport.requests.first?.method == "GET")
    }

    @Test("workspace(gid:) asks for name, is_organization and email_domains")
    func workspace() async throws {
        let transport = FakeTransport([
            .data(#"{"gid":"1000","resource_type":"workspace","name":"Acme Corp","is_organization":true,"email_domains":["acme.example"]}"#)
        ])
        let workspace = try await makeClient(transport).workspace(gid: "1000")
        #expect(
            workspace
                == AsanaWorkspace(gid: "1000", name: "Acme Corp", isOrganization: true, emailDomains: ["acme.example"]))
        #expect(transport.urls == ["\(asanaBase)/workspaces/1000?opt_fields=name,is_organization,email_domains"])
    }

    @Test("workspaces() is paginated with the same fields")
    func workspaces() async throws {
        let transport = FakeTransport([
            .page([#"{"gid":"1000","name":"Acme Corp","is_organization":true,"email_domains":["acme.example"]}"#], next: nil)
        ])
        let list = try await makeClient(transport).workspaces()
        #expect(list.map(\.gid) == ["1000"])
        #expect(transport.urls == ["\(asanaBase)/workspaces?limit=100&opt_fields=name,is_organization,email_domains"])
    }

    @Test("workspaceMemberships(workspace:) asks for the user and all flags")
    func workspaceMemberships() async throws {
        let transport = FakeTransport([
            .page(
                [
                    #"{"gid":"5","resource_type":"workspace_membership","user":{"gid":"7","name":"Ada","email":"ada@acme.example"},"is_active":true,"is_admin":true,"is_guest":false,"is_view_only":false}"#,
                    #"{"gid":"6","user":{"gid":"8","name":"Gus","email":null},"is_active":false,"is_admin":false,"is_guest":true,"is_view_only":true}"#,
                ], next: nil)
        ])
        let list = try await makeClient(transport).workspaceMemberships(workspace: "1000")
        #expect(
            list == [
                AsanaWorkspaceMembership(
                    gid: "5", user: AsanaUser(gid: "7", name: "Ada", email: "ada@acme.example"), isActive: true,
                    isAdmin: true, isGuest: false, isViewOnly: false),
                AsanaWorkspaceMembership(
                    gid: "6", user: AsanaUser(gid: "8", name: "Gus"), isActive: false, isAdmin: false, isGuest: true,
                    isViewOnly: true),
            ])
        #expect(
            transport.urls == [
                "\(asanaBase)/workspaces/1000/workspace_memberships?limit=100&opt_fields=user,user.name,user.email,is_active,is_admin,is_guest,is_view_only"
            ])
    }

    @Test("workspaceMembership(workspace:user:) adds a percent-encoded user= filter")
    func workspaceMembershipByEmail() async throws {
        let transport = FakeTransport([.page([], next: nil)])
        let list = try await makeClient(transport).workspaceMembership(workspace: "1000", user: "a+b@x.example")
        #expect(list.isEmpty)
        #expect(
            transport.urls == [
                "\(asanaBase)/workspaces/1000/workspace_memberships?limit=100&opt_fields=user,user.name,user.email,is_active,is_admin,is_guest,is_view_only&user=a%2Bb%40x.example"
            ])
    }

    @Test("non-ASCII and reserved characters are percent-encoded as UTF-8")
    func unicodeEncoding() async throws {
        let transport = FakeTransport([.page([], next: nil), .page([], next: nil)])
        let client = makeClient(transport)
        _ = try await client.workspaceMembership(workspace: "1000", user: "zoë&x=1@x.example")
        _ = try await client.teams(workspace: "12/34?x")
        #expect(transport.urls[0].hasSuffix("&user=zo%C3%AB%26x%3D1%40x.example"))
        #expect(transport.urls[1] == "\(asanaBase)/workspaces/12%2F34%3Fx/teams?limit=100&opt_fields=name")
    }

    @Test("teams(workspace:) and teamMemberships(team:) use the documented paths and fields")
    func teamsAndMemberships() async throws {
        let transport = FakeTransport([
            .page([#"{"gid":"42","resource_type":"team","name":"Engineering"}"#], next: nil),
            .page(
                [
                    #"{"gid":"9","resource_type":"team_membership","user":{"gid":"7","name":"Ada","email":"ada@acme.example"},"team":{"gid":"42","name":"Engineering"},"is_admin":true,"is_guest":false,"is_limited_access":false}"#
                ], next: nil),
        ])
        let client = makeClient(transport)
        let teams = try await client.teams(workspace: "1000")
        let members = try await client.teamMemberships(team: "42")
        #expect(teams == [AsanaTeam(gid: "42", name: "Engineering")])
        #expect(
            members == [
                AsanaTeamMembership(
                    gid: "9", user: AsanaUser(gid: "7", name: "Ada", email: "ada@acme.example"),
                    team: AsanaTeam(gid: "42", name: "Engineering"), isAdmin: true, isGuest: false,
                    isLimitedAccess: false)
            ])
        #expect(
            transport.urls == [
                "\(asanaBase)/workspaces/1000/teams?limit=100&opt_fields=name",
                "\(asanaBase)/teams/42/team_memberships?limit=100&opt_fields=user,user.name,user.email,team,team.name,is_admin,is_guest,is_limited_access",
            ])
    }

    @Test("membership writes POST {\"data\":{\"user\":…}} as JSON to the documented paths")
    func writes() async throws {
        let transport = FakeTransport([
            .data(#"{"gid":"77","resource_type":"user","name":"a+b","email":"a+b@x.example"}"#),
            .data("{}"),
            .data(#"{"gid":"9","resource_type":"team_membership","user":{"gid":"77","name":"a+b"},"team":{"gid":"42","name":"Design"},"is_admin":false,"is_guest":false,"is_limited_access":false}"#),
            .data("{}"),
        ])
        let client = makeClient(transport)

        let added = try await client.addUser("a+b@x.example", toWorkspace: "1000")
        try await client.removeUser("a+b@x.example", fromWorkspace: "1000")
        let membership = try await client.addUser("77", toTeam: "42")
        try await client.removeUser("me", fromTeam: "42")

        #expect(added == AsanaUser(gid: "77", name: "a+b", email: "a+b@x.example"))
        #expect(membership.gid == "9")
        #expect(membership.team == AsanaTeam(gid: "42", name: "Design"))
        #expect(membership.isLimitedAccess == false)
        let requests = transport.requests
        #expect(
            requests.map(\.url) == [
                "\(asanaBase)/workspaces/1000/addUser", "\(asanaBase)/workspaces/1000/removeUser",
                "\(asanaBase)/teams/42/addUser", "\(asanaBase)/teams/42/removeUser",
            ])
        #expect(requests.allSatisfy { $0.method == "POST" && $0.header("Content-Type") == "application/json" })
        let bodies = requests.map { String(decoding: $0.body ?? [], as: UTF8.self) }
        #expect(
            bodies == [
                #"{"data":{"user":"a+b@x.example"}}"#, #"{"data":{"user":"a+b@x.example"}}"#,
                #"{"data":{"user":"77"}}"#, #"{"data":{"user":"me"}}"#,
            ])
    }

    @Test("a JSON special character in the user is escaped in the body, not percent-encoded")
    func bodyEscaping() async throws {
        let transport = FakeTransport([.data("{}")])
        try await makeClient(transport).removeUser(#"we"ird/name@x.example"#, fromTeam: "42")
        #expect(transport.requests.first?.body == Array(#"{"data":{"user":"we\"ird/name@x.example"}}"#.utf8))
    }

    @Test("removeUser accepts any 2xx body, even an empty one")
    func removeUserLenient() async throws {
        let transport = FakeTransport([.response(AsanaHTTPResponse(status: 204))])
        try await makeClient(transport).removeUser("7", fromWorkspace: "1000")
        #expect(transport.requests.count == 1)
    }

    @Test("empty or dot ids and empty users are refused before anything is sent")
    func badInput() async throws {
        let transport = FakeTransport([])
        let client = makeClient(transport)
        await #expect(throws: AsanaAPIError.badRequest(message: "workspace gid must be a non-empty Asana id")) {
            _ = try await client.workspace(gid: "")
        }
        await #expect(throws: AsanaAPIError.badRequest(message: "team gid must be a non-empty Asana id")) {
            _ = try await client.teamMemberships(team: "..")
        }
        await #expect(throws: AsanaAPIError.badRequest(message: "workspace gid must be a non-empty Asana id")) {
            _ = try await client.users(workspace: "")
        }
        await #expect(throws: AsanaAPIError.self) { try await client.removeUser("", fromWorkspace: "1000") }
        await #expect(throws: AsanaAPIError.self) { _ = try await client.addUser("", toTeam: "42") }
        await #expect(throws: AsanaAPIError.self) {
            _ = try await client.workspaceMembership(workspace: "1000", user: "")
        }
        #expect(transport.requests.isEmpty)
        #expect(client.requestCount == 0)
    }
}
