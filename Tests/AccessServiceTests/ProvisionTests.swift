import AccessProtocol
@testable import AccessService
import AccessStore
import AsanaSimulator
import Foundation
import LineRPC
import TestSupport
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
            Provision.Params(workspace: harness.workspace, email: email, action: .add, teams: [team.name]), principal: "tester")
        #expect(result.targets.map(\.type) == [.workspace, .team])
        #expect(result.targets.map(\.outcome) == [.invited, .added], "a new email is invited")
        #expect(result.targets[1].gid == team.gid)
        #expect(result.targets[0].calls == [#"POST /workspaces/\#(harness.workspace)/addUser {"user":"new.joiner@acme.example"}"#])
        let gid = try #require(result.user.gid)

        let state = harness.simulator.state()
        #expect(state.workspaceMemberships.contains { $0.user == gid && $0.isActive })
        #expect(state.teamMemberships.contains { $0.user == gid && $0.team == team.gid })

        let listed = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, query: "new.joiner")).users
        #expect(listed.map(\.gid) == [gid])
        #expect(listed.first?.isActive == true)
        #expect(listed.first?.teams.map(\.gid) == [team.gid])

        let again = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: email, action: .add, teams: [team.gid]), principal: "tester")
        #expect(again.targets.map(\.outcome) == [.alreadyMember, .alreadyMember])

        let sync = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(sync.added == 0, "the provision already put the person in the snapshot")
        #expect(try await harness.allUsers().contains { $0.gid == gid })
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
        let victimTeams = Set(state.teamMemberships.filter { $0.user == victim.gid }.map(\.team))
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: try #require(victim.email), action: .remove), principal: "tester")
        #expect(result.targets.first?.type == .workspace)
        #expect(result.targets.map(\.outcome) == Array(repeating: .removed, count: 1 + victimTeams.count))
        #expect(Set(result.targets.dropFirst().map(\.gid)) == victimTeams, "the team memberships Asana dropped with the workspace are reported")
        #expect(result.targets.dropFirst().allSatisfy { $0.type == .team && $0.calls.isEmpty })
        #expect(result.user.gid == victim.gid)
        #expect(!harness.simulator.state().workspaceMemberships.contains { $0.user == victim.gid && $0.isActive })

        let departed = try await harness.allUsers(includeDeparted: true).first { $0.gid == victim.gid }
        #expect(departed?.departedAt != nil)
        #expect(departed?.teams.isEmpty == true)
        #expect(try await !harness.allUsers().contains { $0.gid == victim.gid })

        let again = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: try #require(victim.email), action: .remove), principal: "tester")
        #expect(again.targets.map(\.outcome) == [.notMember])

        let sync = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(try await harness.allUsers(includeDeparted: true).first { $0.gid == victim.gid }?.departedAt != nil)
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
            Provision.Params(workspace: harness.workspace, email: email, action: .remove, teams: [membership.team]), principal: nil)
        #expect(result.targets.map(\.type) == [.team])
        #expect(result.targets.map(\.outcome) == [.removed])
        let after = harness.simulator.state()
        #expect(!after.teamMemberships.contains { $0.user == membership.user && $0.team == membership.team })
        #expect(after.workspaceMemberships.contains { $0.user == membership.user && $0.isActive })
    }

    @Test("a non-admin provisioning credential: Asana's 403 is reported on the target as provision.not_admin, nothing else happens")
    func nonAdmin() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        try await harness.store.putCredential(workspaceGid: harness.workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoMemberToken, at: Date())
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "x.y@acme.example", action: .add), principal: nil)
        #expect(result.targets.map(\.outcome) == [.failed])
        let error = try #require(result.targets.first?.error)
        #expect(error.name == "provision.not_admin")
        #expect(error.code == 1041)
        #expect(error.data?["asanaMessage"] != nil)
        #expect(!harness.simulator.state().users.contains { $0.email == "x.y@acme.example" })
    }

    @Test("an email outside the organization's domains, sent with allowGuest where Asana allows no guests: provision.guest_not_allowed naming the domains")
    func guestRefused() async throws {
        let harness = try await ServiceHarness.start(adjustSeed: { seed in seed.workspaces[0].guestsAllowed = false })
        defer { Task { await harness.stop() } }
        let outsider = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "friend@partner.example", action: .add, allowGuest: true), principal: nil)
        #expect(outsider.targets.map(\.outcome) == [.failed])
        let error = try #require(outsider.targets.first?.error)
        #expect(error.name == "provision.guest_not_allowed")
        #expect(error.data?["emailDomains"] == .array(harness.seed.workspaces[0].emailDomains.map { .string($0) }))
        #expect(!harness.simulator.state().users.contains { $0.email == "friend@partner.example" })
        // A company address still joins.
        let insider = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "new.hire@\(harness.seed.workspaces[0].emailDomains[0])", action: .add), principal: nil)
        #expect(insider.targets.map(\.outcome) == [.invited])
    }

    @Test("a person deprovisioned so that Asana refuses to add them back: provision.not_readdable; an ordinary leaver is added back")
    func notReaddable() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let state = harness.simulator.state()
        let members = state.workspaceMemberships.filter { $0.isActive && !$0.isAdmin && !$0.isGuest && $0.workspace == harness.workspace }
        let blocked = try #require(state.users.first { $0.gid == members[3].user })
        let leaver = try #require(state.users.first { $0.gid == members[4].user })
        for person in [blocked, leaver] {
            let removed = try await harness.provisionOne(Provision.Params(workspace: harness.workspace, email: try #require(person.email), action: .remove), principal: nil)
            #expect(removed.targets.first?.outcome == .removed)
        }
        #expect(harness.simulator.markNotReaddable(userGid: blocked.gid, workspaceGid: harness.workspace))

        let refused = try await harness.provisionOne(Provision.Params(workspace: harness.workspace, email: try #require(blocked.email), action: .add), principal: nil)
        #expect(refused.targets.map(\.outcome) == [.failed])
        #expect(refused.targets.first?.error?.name == "provision.not_readdable")
        #expect(!harness.simulator.state().workspaceMemberships.contains { $0.user == blocked.gid && $0.isActive })

        let back = try await harness.provisionOne(Provision.Params(workspace: harness.workspace, email: try #require(leaver.email), action: .add), principal: nil)
        #expect(back.targets.map(\.outcome) == [.added])
    }

    @Test("unknown team, bad email and a missing credential are refused before any change")
    func refusals() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let before = harness.simulator.state()
        await #expect(throws: RPCError.self) {
            try await harness.provisionOne(Provision.Params(workspace: harness.workspace, email: "a@acme.example", action: .add, teams: ["Nope"]), principal: nil)
        }
        await #expect(throws: RPCError.self) {
            try await harness.provisionOne(Provision.Params(workspace: harness.workspace, email: "not-an-email", action: .add), principal: nil)
        }
        await #expect(throws: RPCError.self) {
            try await harness.provisionOne(Provision.Params(workspace: "999", email: "a@acme.example", action: .add), principal: nil)
        }
        #expect(harness.simulator.state() == before)
    }

    @Test("every provision leaves an audit event with the principal and the outcome")
    func audited() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        _ = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "audit.me@acme.example", action: .add), principal: "auditor-test")
        let events = try await harness.store.auditEvents(limit: 10)
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
            Provision.Params(workspace: harness.workspace, email: "planned.person@acme.example", action: .add, teams: [team.name], dryRun: true), principal: nil)
        #expect(plan.dryRun)
        #expect(plan.targets.map(\.outcome) == [.invited, .added])
        #expect(plan.targets.map(\.calls) == [
            [#"POST /workspaces/\#(harness.workspace)/addUser {"user":"planned.person@acme.example"}"#],
            [#"POST /teams/\#(team.gid)/addUser {"user":"planned.person@acme.example"}"#],
        ])
        #expect(harness.simulator.state() == before)
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("POST") })
        #expect(try await harness.store.auditEvents(limit: 5).first?.method == "provision.dryRun")
    }

    @Test("the provisioning credential's own user is never removed from the workspace")
    func selfRemoval() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let state = harness.simulator.state()
        let ownerGid = try #require(state.tokens.first { $0.token == SimulatorSeed.demoAdminToken }?.user)
        let ownerEmail = try #require(state.users.first { $0.gid == ownerGid }?.email)
        let result = try await harness.provisionOne(Provision.Params(workspace: harness.workspace, email: ownerEmail, action: .remove), principal: nil)
        #expect(result.targets.map(\.outcome) == [.failed])
        #expect(result.targets.first?.error?.name == "provision.self_removal")
        #expect(result.ok == false, "a failed target is no error answer: ok says so")
        #expect(result.outcomes == Provision.Outcomes(counting: result.targets) && result.outcomes.failed == 1 && result.outcomes.removed == 0)
        #expect(harness.simulator.state().workspaceMemberships.contains { $0.user == ownerGid && $0.isActive })
    }

    @Test("the snapshot keeps Asana's email, not the casing a provision was given, also after the next sync")
    func emailCasingFromAsana() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 2)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        let state = harness.simulator.state()
        let tokenUsers = Set(state.tokens.map(\.user))
        let member = try #require(state.workspaceMemberships.first { $0.isActive && !tokenUsers.contains($0.user) }?.user)
        let email = try #require(state.users.first { $0.gid == member }?.email)
        let shouted = email.uppercased()
        let removed = try await harness.provisionOne(Provision.Params(workspace: harness.workspace, email: shouted, action: .remove), principal: nil)
        #expect(removed.targets.first?.outcome == .removed)
        #expect(removed.user.email == email, "the answer names the person as Asana knows them")
        func stored() async throws -> String? {
            try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, includeDeparted: true, limit: 1000))
                .users.first { $0.gid == member }?.email
        }
        #expect(try await stored() == email)
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        #expect(try await stored() == email)
    }

    @Test("an idempotent answer stored before answers carried ok and outcomes is replayed with them, from its targets")
    func storedAnswerWithoutSummary() throws {
        let single = #"{"action":"add","dryRun":false,"targets":[{"calls":[],"gid":"1000","name":"Acme Corp","outcome":"alreadyMember","type":"workspace"},{"calls":[],"error":{"code":1101,"data":{"name":"upstream.forbidden"},"message":"no"},"gid":"2001","name":"Design","outcome":"failed","type":"team"}],"user":{"email":"a@acme.example"},"workspace":{"gid":"1000","isOrganization":true,"name":"Acme Corp"}}"#
        guard case .one(let one) = try AccessService.storedProvisionAnswer(single) else { Issue.record("not a single answer"); return }
        #expect(one.ok == false)
        #expect((one.outcomes.alreadyMember, one.outcomes.failed, one.outcomes.added) == (1, 1, 0))
        let bulk = #"{"dryRun":true,"results":[{"action":"add","targets":[{"calls":["POST /workspaces/1000/addUser {\"user\":\"b@acme.example\"}"],"gid":"1000","outcome":"invited","type":"workspace"}],"user":{"email":"b@acme.example"}}],"workspace":{"gid":"1000","isOrganization":true,"name":"Acme Corp"}}"#
        guard case .many(let many) = try AccessService.storedProvisionAnswer(bulk) else { Issue.record("not a bulk answer"); return }
        #expect(many.ok == true)
        #expect(many.outcomes.invited == 1)
        #expect(throws: DecodingError.self) { try AccessService.storedProvisionAnswer("[1]") }
    }

    @Test("a lost POST answer is retried only after re-reading Asana shows the write did not happen")
    func verifiedRetry() async throws {
        let harness = try await ServiceHarness.start(users: 60, teams: 2)
        defer { Task { await harness.stop() } }
        let team = harness.seed.teams[0]
        harness.simulator.injectFaults([.status(500, times: 2, pathPrefix: "/teams/\(team.gid)/addUser", method: "POST")])
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "retry.me@acme.example", action: .add, teams: [team.gid]), principal: nil)
        #expect(result.targets.map(\.outcome) == [.invited, .added])
        let gid = try #require(result.user.gid)
        #expect(harness.simulator.state().teamMemberships.filter { $0.user == gid && $0.team == team.gid }.count == 1)
        let posts = harness.simulator.requestLog().filter { $0.hasPrefix("POST /teams/\(team.gid)/addUser") }
        #expect(posts.count == 3, "two lost answers, each followed by a re-read, then the write that worked")
    }

    @Test("a bulk call of 500 people with injected failures: results in order, failures isolated, and every result matches Asana")
    func bulkWithFailures() async throws {
        // A budget above Asana's 1,500 a minute, so that this test measures results, not Retry-After waits.
        let harness = try await ServiceHarness.start(users: 80, teams: 3, requestsPerMinute: 100_000)
        defer { Task { await harness.stop() } }
        let team = harness.seed.teams[0]
        let joiners = (0..<500).map { Provision.Request(email: "bulk.\($0)@acme.example", action: .add, teams: $0 % 5 == 0 ? [team.gid] : nil) }
        // 30 failed team writes in a row: with 3 attempts per person, some team adds (at most 10) fail for good;
        // how many depends on how the 8 concurrent people interleave.
        harness.simulator.injectFaults([.status(500, times: 30, pathPrefix: "/teams/\(team.gid)/addUser", method: "POST")])
        let answer = try await harness.provisionMany(Provision.Params(workspace: harness.workspace, users: joiners), principal: "bulk")
        #expect(answer.results.map(\.user.email) == joiners.map(\.email))
        let failed = answer.results.filter { $0.targets.last?.outcome == .failed }
        #expect((1...10).contains(failed.count))
        #expect(failed.allSatisfy { $0.targets.last?.error?.name == "upstream.unavailable" && $0.targets.first?.outcome == .invited })
        #expect(failed.allSatisfy { $0.targets.last?.error?.data?["asanaPhrase"]?.stringValue?.isEmpty == false },
                "Asana's 500 phrase, its support handle, is kept with the failure (and so in the audit log)")
        let state = harness.simulator.state()
        let active = Set(state.workspaceMemberships.filter(\.isActive).map(\.user))
        let inTeam = Set(state.teamMemberships.filter { $0.team == team.gid }.map(\.user))
        for result in answer.results {
            let gid = try #require(result.user.gid, "\(result.user.email) has no gid")
            #expect(result.targets.first?.outcome == .invited)
            #expect(active.contains(gid))
            if result.targets.count == 2 {
                #expect(inTeam.contains(gid) == (result.targets[1].outcome == .added), "\(result.user.email): result and Asana disagree")
            } else {
                #expect(!inTeam.contains(gid))
            }
        }
    }

    @Test("an idempotency key replays the stored answer without calling Asana, also after a restart; other params conflict")
    func idempotency() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let directory = NSTemporaryDirectory() + "idem-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = MasterKey.generate()
        let path = directory + "/store.sqlite"
        func service() async throws -> AccessService {
            let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
            try await store.putCredential(workspaceGid: harness.workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoAdminToken, at: Date())
            return AccessService(store: store, asana: harness.service.asana, logger: harness.service.logger)
        }
        func params(_ email: String) throws -> Provision.Params {
            let data = #"{"workspace":"\#(harness.workspace)","email":"\#(email)","action":"add","idempotencyKey":"joiner-42"}"#
            return try JSONDecoder().decode(Provision.Params.self, from: Data(data.utf8))
        }
        func json(_ answer: Provision.Result) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(answer), as: UTF8.self)
        }
        let first = try await service().provision(try params("idem@acme.example"), principal: nil)
        let postsAfterFirst = harness.simulator.requestLog().filter { $0.hasPrefix("POST") }.count
        #expect(postsAfterFirst == 1)

        let restarted = try await service()  // a new store and service on the same file: as after a server restart
        let replay = try await restarted.provision(try params("idem@acme.example"), principal: nil)
        #expect(try json(replay) == json(first))
        #expect(harness.simulator.requestLog().filter { $0.hasPrefix("POST") }.count == postsAfterFirst, "a replay calls Asana for nothing")

        do {
            _ = try await restarted.provision(try params("someone.else@acme.example"), principal: nil)
            Issue.record("the same key with other params was accepted")
        } catch let error as RPCError {
            #expect(error.code == 1050)
            #expect(error.name == "idempotency.conflict")
        }
    }

    @Test("bulk params are validated: not both shapes, 1 to 500 people, each email named by index")
    func bulkValidation() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let tooMany = (0...Provision.maximumUsers).map { Provision.Request(email: "p\($0)@acme.example", action: .add) }
        do {
            _ = try await harness.service.provision(Provision.Params(workspace: harness.workspace, users: tooMany), principal: nil)
            Issue.record("more than the maximum accepted")
        } catch let error as RPCError {
            #expect(error.data?["field"] == .string("users"))
        }
        do {
            _ = try await harness.service.provision(Provision.Params(workspace: harness.workspace, users: [
                Provision.Request(email: "ok@acme.example", action: .add), Provision.Request(email: "broken", action: .add),
            ]), principal: nil)
            Issue.record("a bad email accepted")
        } catch let error as RPCError {
            #expect(error.data?["field"] == .string("users[1].email"))
        }
        do {
            _ = try await harness.service.provision(Provision.Params(workspace: harness.workspace, email: "ok@acme.example", action: .remove, teams: []), principal: nil)
            Issue.record("remove with an empty teams list accepted: it would have removed the person from the workspace")
        } catch let error as RPCError {
            #expect(error.data?["field"] == .string("teams"))
        }
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("POST") })
    }
}
