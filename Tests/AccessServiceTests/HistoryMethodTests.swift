import AccessProtocol
@testable import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import LineRPC
import Logging
import TestSupport
import Testing

/// What the simulator says of a present person: workspace membership flags and team gids.
private struct Facts: Equatable {
    var flags: [Bool?]
    var teams: Set<String>
}

@Suite("listUsers asOf and listAccessChanges against the simulator")
struct HistoryMethodTests {
    /// The present people of the workspace as the simulator holds them now.
    private func simulatorPicture(_ harness: ServiceHarness) -> [String: Facts] {
        let state = harness.simulator.state()
        let teamsByUser = Dictionary(grouping: state.teamMemberships, by: \.user)
        var picture: [String: Facts] = [:]
        for membership in state.workspaceMemberships where membership.workspace == harness.workspace && membership.isActive {
            picture[membership.user] = Facts(
                flags: [true, membership.isAdmin, membership.isGuest, membership.isViewOnly],
                teams: Set((teamsByUser[membership.user] ?? []).map(\.team)))
        }
        return picture
    }

    private func listing(_ harness: ServiceHarness, asOf: PointInTime, admin: Bool? = nil, team: String? = nil) async throws -> (ListUsers.Result, [String: Facts]) {
        var params = ListUsers.Params(workspace: harness.workspace, admin: admin, team: team, asOf: asOf, limit: 17)
        var picture: [String: Facts] = [:]
        var first: ListUsers.Result?
        while true {
            let page = try await harness.service.listUsers(params)
            first = first ?? page
            for person in page.users {
                #expect(picture[person.gid] == nil, "\(person.gid) twice")
                picture[person.gid] = Facts(flags: [person.isActive, person.isAdmin, person.isGuest, person.isViewOnly], teams: Set(person.teams.map(\.gid)))
            }
            guard let next = page.nextCursor else { break }
            params.cursor = next
        }
        return (try #require(first), picture)
    }

    private func allChanges(_ harness: ServiceHarness, since: PointInTime, until: PointInTime? = nil, person: String? = nil,
                            kinds: [AccessChange.Kind]? = nil) async throws -> [AccessChange] {
        var params = ListAccessChanges.Params(workspace: harness.workspace, since: since, until: until, person: person, kinds: kinds, limit: 5)
        var changes: [AccessChange] = []
        while true {
            let page = try await harness.service.listAccessChanges(params)
            changes += page.changes
            guard let next = page.nextCursor else { return changes }
            params.cursor = next
        }
    }

    @Test("after changes in Asana and syncs at known times, the picture as of each run and between runs is the simulator's then; the changes between two runs are exactly the differences")
    func pastPicturesAndChangesMatchTheSimulator() async throws {
        let clock = ShiftedClock()
        let harness = try await ServiceHarness.start(users: 80, teams: 3, serviceNow: clock.now)
        defer { Task { await harness.stop() } }
        let admin = AsanaClientFactory(
            configuration: AsanaClientConfiguration(baseURL: harness.simulator.baseURL),
            transport: HTTPClientAsanaTransport(timeout: .seconds(5)), logger: Logger(label: "test.admin")
        ).client(token: SimulatorSeed.demoAdminToken)

        // Before any sync: no picture.
        let early = PointInTime.time(JSONEncoder.protocolTimestamp(clock.now()))
        await #expect(throws: RPCError.self) { _ = try await listing(harness, asOf: early) }
        do {
            _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, asOf: .time("2020-01-01")))
        } catch let error as RPCError {
            #expect(error.kind == .workspaceNotSynced, "no snapshot at all yet")
        }

        /// Times as stored and answered: whole milliseconds.
        func stored(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000) }
        var runs: [(run: Sync.Result, picture: [String: Facts])] = []
        let first = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        runs.append((first, simulatorPicture(harness)))

        // Between syncs, Asana changes: two people leave, one joins with a team, one leaves a team, one joins another.
        // Not the two people whose tokens the harness uses (gids 1001 and 1002).
        let present = runs[0].picture.keys.sorted().filter { !["1001", "1002"].contains($0) }
        let teams = harness.seed.teams.map(\.gid)
        clock.advance(by: 3600)
        try await admin.removeUser(present[0], fromWorkspace: harness.workspace)
        try await admin.removeUser(present[1], fromWorkspace: harness.workspace)
        let newcomer = try await admin.addUser("history.newcomer@acme.example", toWorkspace: harness.workspace)
        _ = try await admin.addUser(newcomer.gid, toTeam: teams[0])
        let leaver = try #require(present.dropFirst(2).first { !(runs[0].picture[$0]!.teams.isEmpty) })
        let leftTeam = try #require(runs[0].picture[leaver]!.teams.sorted().first)
        try await admin.removeUser(leaver, fromTeam: leftTeam)
        let joiner = try #require(present.dropFirst(2).first { $0 != leaver && !runs[0].picture[$0]!.teams.contains(teams[1]) })
        _ = try await admin.addUser(joiner, toTeam: teams[1])
        let second = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        runs.append((second, simulatorPicture(harness)))

        // Then one comes back, and a provision through this server adds someone.
        clock.advance(by: 3600)
        _ = try await admin.addUser(present[0], toWorkspace: harness.workspace)
        let provisioned = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "history.provisioned@acme.example", action: .add), principal: "okta-bot")
        let provisionedGid = try #require(provisioned.user.gid)
        clock.advance(by: 600)
        let third = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        runs.append((third, simulatorPicture(harness)))
        #expect(runs[0].picture != runs[1].picture && runs[1].picture != runs[2].picture)

        for (index, entry) in runs.enumerated() {
            // As the run left it (by id), and half an hour later (by time): the same picture.
            let later = JSONEncoder.protocolTimestamp(entry.run.finishedAt.addingTimeInterval(index < 2 ? 1800 : 60))
            for asOf in [PointInTime.run(entry.run.runId), .time(later)] {
                let (answer, picture) = try await listing(harness, asOf: asOf)
                #expect(picture == entry.picture, "run \(index + 1) as of \(asOf)")
                #expect(answer.asOf?.syncRunId == entry.run.runId)
                #expect(answer.syncedAt == stored(entry.run.finishedAt))
                #expect(answer.asOf?.historyFrom == stored(first.finishedAt))
                // Filters apply to the past picture.
                let (_, admins) = try await listing(harness, asOf: asOf, admin: true)
                #expect(Set(admins.keys) == Set(entry.picture.filter { $0.value.flags[1] == true }.keys))
                let (_, members) = try await listing(harness, asOf: asOf, team: teams[1])
                #expect(Set(members.keys) == Set(entry.picture.filter { $0.value.teams.contains(teams[1]) }.keys))
            }
        }

        // The changes run 2 saw: exactly the differences between the pictures of runs 1 and 2.
        let seen = try await allChanges(harness, since: .run(first.runId), until: .run(second.runId))
        #expect(seen.allSatisfy { $0.syncRunId == second.runId && $0.observedAt == stored(second.finishedAt) && $0.notBefore == stored(first.finishedAt) })
        let described = Set(seen.map { "\($0.kind.rawValue) \($0.person.gid) \($0.team?.gid ?? "")" })
        var expected: Set<String> = [
            "left \(present[0]) ", "left \(present[1]) ", "joined \(newcomer.gid) ", "teamJoined \(newcomer.gid) \(teams[0])",
            "teamLeft \(leaver) \(leftTeam)", "teamJoined \(joiner) \(teams[1])",
        ]
        for gone in [present[0], present[1]] {
            for team in runs[0].picture[gone]!.teams { expected.insert("teamLeft \(gone) \(team)") }
        }
        #expect(described == expected)
        #expect(seen.count == expected.count)

        // Run 3: the return (seen by the sync) and the provision (with its principal, before the sync).
        let third3 = try await allChanges(harness, since: .run(second.runId))
        let provision = third3.filter { $0.person.gid == provisionedGid }
        // Joined by the provision (flags it could not know unknown), then the sync learned the flags.
        #expect(provision.map(\.kind) == [.joined, .flagsBecameKnown])
        #expect(provision.first?.provision?.principal == "okta-bot")
        #expect(provision.first?.provision?.callId.isEmpty == false)
        #expect(provision.first?.syncRunId == nil)
        #expect(provision.last?.syncRunId == third.runId)
        #expect(provision.last?.provision == nil)
        #expect(third3.contains { $0.kind == .returned && $0.person.gid == present[0] && $0.syncRunId == third.runId })
        // By person (email), by kind, and a date window.
        #expect(try await allChanges(harness, since: .run(first.runId), person: "history.newcomer@acme.example").map(\.kind) == [.joined, .teamJoined])
        #expect(Set(try await allChanges(harness, since: .run(first.runId), kinds: [.left]).map(\.person.gid)) == [present[0], present[1]])
        let day = String(JSONEncoder.protocolTimestamp(first.finishedAt).prefix(10))
        #expect(try await allChanges(harness, since: .time(day), until: .time(day)).count
                == (try await allChanges(harness, since: .time(day + "T00:00:00Z")).filter { JSONEncoder.protocolTimestamp($0.observedAt).hasPrefix(day) }.count))
    }

    @Test("params errors: asOf with changedSince, a bad moment, an empty window, empty kinds, an unknown person")
    func paramErrors() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 1)
        defer { Task { await harness.stop() } }
        let run = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        func error(_ body: () async throws -> Void) async -> RPCError? {
            do { try await body() } catch let error as RPCError { return error } catch { Issue.record("\(error)") }
            return nil
        }
        let both = await error { _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, changedSince: .run(run.runId), asOf: .run(run.runId))) }
        #expect(both?.kind == .rpcInvalidParams)
        #expect(both?.data?["field"] == "asOf")
        let badTime = await error { _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, asOf: .time("yesterday"))) }
        #expect(badTime?.message.contains("\"asOf\" must be an ISO 8601 date-time") == true)
        let beforeFirst = await error { _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, asOf: .time("2020-01-01"))) }
        #expect(beforeFirst?.kind == .historyBeforeFirstSync)
        #expect(beforeFirst?.code == 1031)
        let empty = await error { _ = try await harness.service.listAccessChanges(ListAccessChanges.Params(workspace: harness.workspace, since: .run(run.runId), until: .run(run.runId))) }
        #expect(empty?.data?["field"] == "until")
        let noKinds = await error { _ = try await harness.service.listAccessChanges(ListAccessChanges.Params(workspace: harness.workspace, since: .time("2020-01-01"), kinds: [])) }
        #expect(noKinds?.data?["field"] == "kinds")
        let nobody = await error { _ = try await harness.service.listAccessChanges(ListAccessChanges.Params(workspace: harness.workspace, since: .time("2020-01-01"), person: "nobody@acme.example")) }
        #expect(nobody?.data?["field"] == "person")
        let unknownRun = await error { _ = try await harness.service.listAccessChanges(ListAccessChanges.Params(workspace: harness.workspace, since: .run(999))) }
        #expect(unknownRun?.kind == .syncRunNotFound)
        // A moment after now shows now, and says so.
        let future = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, asOf: .time("2999-12-31")))
        #expect(abs(try #require(future.asOf?.time).timeIntervalSinceNow) < 60)
        #expect(future.asOf?.syncRunId == run.runId)
        // A failed run left no picture.
        harness.simulator.injectFaults([.status(400, times: 1, pathPrefix: "/workspaces/\(harness.workspace)")])
        let failed = await error { _ = try await harness.service.sync(workspace: harness.workspace, principal: nil) }
        #expect(failed != nil)
        harness.simulator.clearFaults()
        let failedRun = try #require(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first)
        #expect(failedRun.status == .failed)
        let noPicture = await error { _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, asOf: .run(failedRun.id))) }
        #expect(noPicture?.data?["field"] == "asOf")
        #expect(noPicture?.message.contains("which failed") == true)
    }

    @Test("history older than the retention is pruned beside the server; asking for it is 1032 history.pruned")
    func retention() async throws {
        let clock = ShiftedClock()
        let harness = try await ServiceHarness.start(users: 20, teams: 1, serviceNow: clock.now)
        defer { Task { await harness.stop() } }
        let first = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        clock.advance(by: 10 * 86_400)
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        await HistoryPruner(service: harness.service, configuration: .init(retention: .seconds(5 * 86_400))).prune()
        let keptFrom = clock.now().addingTimeInterval(-5 * 86_400)
        for call in [
            { _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, asOf: .run(first.runId))) },
            { _ = try await harness.service.listAccessChanges(ListAccessChanges.Params(workspace: harness.workspace, since: .run(first.runId))) },
            { _ = try await harness.service.exportAccessReview(.init(workspace: harness.workspace, asOf: .run(first.runId), format: .csv), principal: nil) },
        ] as [() async throws -> Void] {
            do {
                try await call()
                Issue.record("a moment before the kept history was answered")
            } catch let error as RPCError {
                #expect(error.kind == .historyPruned)
                #expect(error.code == 1032)
                let kept = try #require(error.data?["keptFrom"]?.stringValue.flatMap(ISO8601Time.parseDateTime))
                #expect(abs(kept.timeIntervalSince(keptFrom)) < 60)
            }
        }
        // The current picture and a moment inside the retention still answer.
        let now = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, asOf: .time(JSONEncoder.protocolTimestamp(clock.now()))))
        #expect(now.users.count == (try await harness.allUsers()).count)
    }
}
