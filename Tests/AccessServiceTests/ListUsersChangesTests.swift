import AccessProtocol
import AccessService
import AccessStore
import Foundation
import LineRPC
import TestSupport
import Testing

@Suite("listUsers changedSince, fields and team rights against the simulator")
struct ListUsersChangesTests {
    /// `listUsers` params from JSON members, as the RPC layer decodes them.
    private func params(_ members: [String: JSONValue]) throws -> ListUsers.Params {
        try JSONDecoder().decode(ListUsers.Params.self, from: JSONEncoder().encode(JSONValue.object(members)))
    }

    /// The answer as the wire carries it.
    private func wire(_ result: ListUsers.Result) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder.protocolEncoder().encode(result))
    }

    private func changes(_ harness: ServiceHarness, since: JSONValue) async throws -> [String: Person.Change] {
        let users = try await harness.service.listUsers(params(["workspace": .string(harness.workspace), "changedSince": since, "limit": .integer(1000)])).users
        return Dictionary(uniqueKeysWithValues: users.map { ($0.gid, $0.change ?? .updated) })
    }

    private func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let elements)? = value { return elements }
        return []
    }

    private func rpcError(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            Issue.record("not an RPCError: \(error)")
            return nil
        }
    }

    @Test("sync, provision a person, sync again: changedSince the first run is exactly that person, added; removed: departed")
    func changedSinceRun() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let first = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(try await changes(harness, since: .integer(first.runId)) == [:])

        let joined = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "changed.since@acme.example", action: .add, teams: [harness.seed.teams[0].gid]),
            principal: "tester")
        let gid = try #require(joined.user.gid)
        let second = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(try await changes(harness, since: .integer(first.runId)) == [gid: .added])
        #expect(try await changes(harness, since: .integer(second.runId)) == [:])

        // The same by time: the first run's finishedAt as an ISO 8601 string.
        // As a client receives it in the sync answer (the wire format rounds to the stored millisecond).
        let runTime = JSONEncoder.protocolTimestamp(first.finishedAt)
        #expect(try await changes(harness, since: .string(runTime)) == [gid: .added])
        let answer = try await harness.service.listUsers(params(["workspace": .string(harness.workspace), "changedSince": .integer(first.runId)]))
        #expect(answer.changedSince == (try await harness.store.syncRun(id: first.runId)?.finishedAt), "the run's finishedAt as stored (millisecond precision)")
        #expect(array(try wire(answer)["users"]).first?["change"] == .string("added"))

        _ = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "changed.since@acme.example", action: .remove), principal: "tester")
        let third = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(third.departed == 0, "the provision already marked them departed")
        #expect(try await changes(harness, since: .integer(second.runId)) == [gid: .departed])
        #expect(try await changes(harness, since: .integer(first.runId)) == [gid: .departed])
        #expect(try await changes(harness, since: .integer(third.runId)) == [:])
        // Without changedSince the departed person is not listed, and change is null.
        let plain = try await harness.service.listUsers(params(["workspace": .string(harness.workspace), "limit": .integer(1000)]))
        #expect(!plain.users.contains { $0.gid == gid })
        #expect(array(try wire(plain)["users"]).first?["change"] == .null)
        #expect(try wire(plain)["changedSince"] == nil)
    }

    @Test("changedSince errors: unknown run 1030, bad time -32602, neither string nor integer refused at decoding")
    func changedSinceErrors() async throws {
        let harness = try await ServiceHarness.start(users: 10, teams: 1)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        let unknown = await rpcError { _ = try await harness.service.listUsers(params(["workspace": .string(harness.workspace), "changedSince": .integer(999)])) }
        #expect(unknown?.code == 1030 && unknown?.name == "sync_run.not_found")
        let badTime = await rpcError { _ = try await harness.service.listUsers(params(["workspace": .string(harness.workspace), "changedSince": .string("yesterday")])) }
        #expect(badTime?.code == -32602 && badTime?.data?["field"] == .string("changedSince"))
        #expect(throws: DecodingError.self) { try params(["workspace": .string(harness.workspace), "changedSince": .bool(true)]) }
    }

    @Test("fields: gid plus the named members, null when unknown; an unknown name is -32602 naming it")
    func fieldSelection() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 2)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        let answer = try await harness.service.listUsers(params([
            "workspace": .string(harness.workspace), "fields": .array([.string("email"), .string("teams")]), "limit": .integer(5),
        ]))
        let users = array(try wire(answer)["users"])
        #expect(users.count == 5)
        for user in users {
            guard case .object(let members) = user else { Issue.record("not an object: \(user)"); continue }
            #expect(Set(members.keys) == ["gid", "email", "teams"])
        }
        let bad = await rpcError {
            _ = try await harness.service.listUsers(params(["workspace": .string(harness.workspace), "fields": .array([.string("email"), .string("salary")])]))
        }
        #expect(bad?.code == -32602 && bad?.data?["field"] == .string("fields[1]"))
        #expect(bad?.message.contains("salary") == true)
    }

    @Test("each user's teams carry the team rights Asana reported: isAdmin, isGuest, isLimitedAccess")
    func teamRights() async throws {
        let harness = try await ServiceHarness.start(users: 40, teams: 3)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        let state = harness.simulator.state()
        let users = try await harness.allUsers()
        var checked = 0
        for user in users {
            for team in user.teams {
                let membership = try #require(state.teamMemberships.first { $0.user == user.gid && $0.team == team.gid })
                #expect(team.isAdmin == membership.isAdmin && team.isGuest == membership.isGuest && team.isLimitedAccess == membership.isLimitedAccess)
                checked += 1
            }
        }
        #expect(checked > 0)
        let teams = array(try await wire(harness.service.listUsers(params(["workspace": .string(harness.workspace)])))["users"])
            .compactMap { array($0["teams"]).first }.first
        guard case .object(let members)? = teams else { Issue.record("no team"); return }
        #expect(Set(members.keys) == ["gid", "name", "isAdmin", "isGuest", "isLimitedAccess"])
    }
}
