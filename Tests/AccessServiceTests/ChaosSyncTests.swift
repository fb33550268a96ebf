import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import LineRPC
import TestSupport
import Testing

/// Large syncs through an unreliable Asana: the snapshot must still equal Asana's data exactly.
@Suite("Sync under random faults")
struct ChaosSyncTests {
    @Test("10,000 people in 200 teams, 5% of reads failing at random (429, 5xx, reset): the snapshot equals the dataset exactly")
    func tenThousandPeopleWithRandomFaults() async throws {
        let harness = try await ServiceHarness.start(users: 10_000, teams: 200, requestsPerMinute: 100_000)
        defer { Task { await harness.stop() } }
        harness.simulator.injectRandomFaults(RandomFaultPlan(probability: 0.05, seed: 20261129))
        let result = try await harness.service.sync(workspace: harness.workspace, principal: "chaos")
        let faults = harness.simulator.injectedFaultCount
        #expect(faults >= 10, "the plan really injected faults (\(faults))")
        #expect(result.status == .succeeded)
        #expect(result.skipped.isEmpty)
        #expect(result.apiCalls > faults)
        // The run records the calls and the 429s the client saw, as the answer does.
        let run = try #require(try await harness.store.syncRun(id: result.runId))
        #expect(run.apiCalls == result.apiCalls)
        #expect(run.rateLimited == result.rateLimited)
        #expect(result.rateLimited > 0, "the plan's 429s were seen")
        harness.simulator.clearFaults()

        let state = harness.simulator.state()
        let memberships = state.workspaceMemberships.filter { $0.workspace == harness.workspace }
        let active = Dictionary(memberships.filter(\.isActive).map { ($0.user, $0) }, uniquingKeysWith: { first, _ in first })
        let users = Dictionary(uniqueKeysWithValues: state.users.map { ($0.gid, $0) })
        let teamNames = Dictionary(uniqueKeysWithValues: state.teams.map { ($0.gid, $0.name) })
        let teamsByUser = Dictionary(grouping: state.teamMemberships, by: \.user)
        #expect(active.count >= 9_000)
        #expect(result.users == active.count)
        #expect(result.teams == 200)
        #expect(result.teamMemberships == state.teamMemberships.filter { active[$0.user] != nil }.count)

        let stored = try await harness.allUsers(pageSize: 1000)
        #expect(stored.count == active.count)
        var mismatches: [String] = []
        for person in stored {
            guard let membership = active[person.gid], let user = users[person.gid] else {
                mismatches.append("\(person.gid) is stored but not an active member")
                continue
            }
            let expectedTeams = (teamsByUser[person.gid] ?? []).map {
                Person.Team(gid: $0.team, name: teamNames[$0.team] ?? "", isAdmin: $0.isAdmin, isGuest: $0.isGuest, isLimitedAccess: $0.isLimitedAccess)
            }
            if person.name != user.name || person.email != user.email || person.isActive != true || person.isAdmin != membership.isAdmin
                || person.isGuest != membership.isGuest || person.isViewOnly != membership.isViewOnly
                || Set(person.teams) != Set(expectedTeams) {
                mismatches.append(person.gid)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) people differ from Asana, e.g. \(mismatches.prefix(5))")
    }
}
