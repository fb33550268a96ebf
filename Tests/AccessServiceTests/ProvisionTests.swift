import AccessService
import AccessStore
import AsanaSimulator
import Foundation
import LineRPC
import Testing

@Suite("provision against the simulator")
struct ProvisionTests {
    @Test("add a new person to the workspace and a team by name; the snapshot shows them at once; a repeat changes nothing")
    func addNewPerson() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        let team = harness.seed.teams[0]
        let email = "new.joiner@acme.example"

        let result = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: email, action: .add, teams: [team.name]), principal: "tester")
        #expect(result.targets.map(\.type) == ["workspace", "team"])
        #expect(result.targets.map(\.outcome) == [.invited, .added], "a new email is invited")
        #expect(result.targets[1].gid == team.gid)
        #expect(result.targets[0].calls == [#"POST /workspaces/\#(harness.workspace)/addUser {"user":"new.joiner@acme.example"}"#])
        let gid = try #require(result.user.gid)

        let state = harness.simulator.state()
        #expect(state.workspaceMemberships.contains { $0.user == gid && $0.isActive })
        #expect(state.teamMemberships.contains { $0.user == gid && $0.team == team.gid })

        let listed = try harness.service.listUsers(ListUsersParams(workspace: harness.workspace, query: "new.joiner")).users
        #expect(listed.map(\.gid) == [gid])
        #expect(listed.first?.isActive == true)
        #expect(listed.first?.teams.map(\.gid) == [team.gid])

        let again = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: email, action: .add, teams: [team.gid]), principal: "tester")
        #expect(again.targets.map(\.outcome) == [.alreadyMember, .alreadyMember])

        let sync = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(sync.added == 0, "the provision already put the person in the snapshot")
        #expect(try harness.allUsers().contains { $0.gid == gid })
    }

    @Test("remove takes a person out of the workspace; they are kept as departed; removing again reports notMember")
    func removePerson() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        let state = harness.simulator.state()
        // Not an admin, and not the owner of a token the harness uses.
        let spared = Set(state.workspaceMemberships.filter(\.isAdmin).map(\.user)).union(state.tokens.map(\.user))
        let victim = try #require(state.users.first { user in
            !spared.contains(user.gid) && user.email != nil && state.teamMemberships.contains { $0.user == user.gid }
        })
        let result = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: try #require(victim.email), action: .remove), principal: "tester")
        #expect(result.targets.map(\.outcome) == [.removed])
        #expect(result.user.gid == victim.gid)
        #expect(!harness.simulator.state().workspaceMemberships.contains { $0.user == victim.gid && $0.isActive })

        let departed = try harness.allUsers(includeDeparted: true).first { $0.gid == victim.gid }
        #expect(departed?.departedAt != nil)
        #expect(departed?.teams.isEmpty == true)
        #expect(try !harness.allUsers().contains { $0.gid == victim.gid })

        let again = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: try #require(victim.email), action: .remove), principal: "tester")
        #expect(again.targets.map(\.outcome) == [.notMember])

        let sync = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(try harness.allUsers(includeDeparted: true).first { $0.gid == victim.gid }?.departedAt != nil)
        #expect(sync.added == 0)
    }

    @Test("remove with teams leaves the workspace membership alone")
    func removeFromTeamOnly() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let state = harness.simulator.state()
        let membership = try #require(state.teamMemberships.first)
        let email = try #require(state.users.first { $0.gid == membership.user }?.email)
        let result = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: email, action: .remove, teams: [membership.team]), principal: nil)
        #expect(result.targets.map(\.type) == ["team"])
        #expect(result.targets.map(\.outcome) == [.removed])
        let after = harness.simulator.state()
        #expect(!after.teamMemberships.contains { $0.user == membership.user && $0.team == membership.team })
        #expect(after.workspaceMemberships.contains { $0.user == membership.user && $0.isActive })
    }

    @Test("a non-admin provisioning credential: Asana's 403 is reported on the target, nothing else happens")
    func nonAdmin() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        try harness.store.putCredential(workspaceGid: harness.workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoMemberToken, at: Date())
        let result = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: "x.y@acme.example", action: .add), principal: nil)
        #expect(result.targets.map(\.outcome) == [.failed])
        #expect(result.targets.first?.error?.name == "upstream.forbidden")
        #expect(!harness.simulator.state().users.contains { $0.email == "x.y@acme.example" })
    }

    @Test("unknown team, bad email and a missing credential are refused before any change")
    func refusals() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let before = harness.simulator.state()
        await #expect(throws: RPCError.self) {
            try await harness.provisionOne(ProvisionParams(workspace: harness.workspace, email: "a@acme.example", action: .add, teams: ["Nope"]), principal: nil)
        }
        await #expect(throws: RPCError.self) {
            try await harness.provisionOne(ProvisionParams(workspace: harness.workspace, email: "not-an-email", action: .add), principal: nil)
        }
        await #expect(throws: RPCError.self) {
            try await harness.provisionOne(ProvisionParams(workspace: "999", email: "a@acme.example", action: .add), principal: nil)
        }
        #expect(harness.simulator.state() == before)
    }

    @Test("every provision leaves an audit event with the principal and the outcome")
    func audited() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        _ = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: "audit.me@acme.example", action: .add), principal: "auditor-test")
        let events = try harness.store.auditEvents(limit: 10)
        let event = try #require(events.first { $0.method == "provision" })
        #expect(event.principal == "auditor-test")
        #expect(event.outcome == "ok")
        #expect(event.params.contains("audit.me@acme.example"))
        #expect(event.result.contains("\"invited\""))
        #expect(!event.params.contains(SimulatorSeed.demoAdminToken))
    }

    @Test("dryRun reads live state, lists the exact calls, and changes nothing")
    func dryRun() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let before = harness.simulator.state()
        let team = harness.seed.teams[0]
        let plan = try await harness.provisionOne(
            ProvisionParams(workspace: harness.workspace, email: "planned.person@acme.example", action: .add, teams: [team.name], dryRun: true), principal: nil)
        #expect(plan.dryRun)
        #expect(plan.targets.map(\.outcome) == [.invited, .added])
        #expect(plan.targets.map(\.calls) == [
            [#"POST /workspaces/\#(harness.workspace)/addUser {"user":"planned.person@acme.example"}"#],
            [#"POST /teams/\#(team.gid)/addUser {"user":"planned.person@acme.example"}"#],
        ])
        #expect(harness.simulator.state() == before)
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("POST") })
        #expect(try harness.store.auditEvents(limit: 5).first?.method == "provision.dryRun")
    }

    @Test("the provisioning credential's own user is never removed from the workspace")
    func selfRemoval() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let state = harness.simulator.state()
        let ownerGid = try #require(state.tokens.first { $0.token == SimulatorSeed.demoAdminToken }?.user)
        let ownerEmail = try #require(state.users.first { $0.gid == ownerGid }?.email)
        let result = try await harness.provisionOne(ProvisionParams(workspace: harness.workspace, email: ownerEmail, action: .remove), principal: nil)
        #expect(result.targets.map(\.outcome) == [.failed])
        #expect(result.targets.first?.error?.name == "provision.self_removal")
        #expect(harness.simulator.state().workspaceMemberships.contains { $0.user == ownerGid && $0.isActive })
    }

    @Test("a bulk call: each person gets a result in order, a failure for one never stops the others, and the results match Asana")
    func bulkWithFailures() async throws {
        let harness = try await ServiceHarness.start(users: 80, teams: 3)
        defer { Task { await harness.stop() } }
        let team = harness.seed.teams[0]
        let joiners = (0..<30).map { ProvisionRequest(email: "bulk.\($0)@acme.example", action: .add, teams: [team.gid]) }
        // Every write to the team fails twice with a 500 that outlasts nothing: POSTs are never retried blindly.
        harness.simulator.injectFaults([.status(500, times: 3, pathPrefix: "/teams/\(team.gid)/addUser", method: "POST")])
        let answer = try await harness.provisionMany(ProvisionParams(workspace: harness.workspace, users: joiners), principal: "bulk")
        #expect(answer.results.map(\.user.email) == joiners.map(\.email))
        let failedTeamAdds = answer.results.filter { $0.targets.last?.outcome == .failed }
        #expect(failedTeamAdds.count == 3)
        #expect(failedTeamAdds.allSatisfy { $0.targets.last?.error?.name == "upstream.unavailable" })
        let state = harness.simulator.state()
        for result in answer.results {
            let gid = try #require(result.user.gid)
            #expect(result.targets.first?.outcome == .invited)
            #expect(state.workspaceMemberships.contains { $0.user == gid && $0.isActive })
            let inTeam = state.teamMemberships.contains { $0.user == gid && $0.team == team.gid }
            #expect(inTeam == (result.targets.last?.outcome == .added), "\(result.user.email): result and Asana disagree")
        }
    }

    @Test("bulk params are validated: not both shapes, 1 to 100 people, each email named by index")
    func bulkValidation() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let tooMany = (0...ProvisionParams.maximumUsers).map { ProvisionRequest(email: "p\($0)@acme.example", action: .add) }
        do {
            _ = try await harness.service.provision(ProvisionParams(workspace: harness.workspace, users: tooMany), principal: nil)
            Issue.record("101 people accepted")
        } catch let error as RPCError {
            #expect(error.data?["field"] == .string("users"))
        }
        do {
            _ = try await harness.service.provision(ProvisionParams(workspace: harness.workspace, users: [
                ProvisionRequest(email: "ok@acme.example", action: .add), ProvisionRequest(email: "broken", action: .add),
            ]), principal: nil)
            Issue.record("a bad email accepted")
        } catch let error as RPCError {
            #expect(error.data?["field"] == .string("users[1].email"))
        }
        do {
            _ = try await harness.service.provision(ProvisionParams(workspace: harness.workspace, email: "ok@acme.example", action: .remove, teams: []), principal: nil)
            Issue.record("remove with an empty teams list accepted: it would have removed the person from the workspace")
        } catch let error as RPCError {
            #expect(error.data?["field"] == .string("teams"))
        }
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("POST") })
    }
}
