import AsyncHTTPClient
import AccessProtocol
import AccessService
import AccessStore
import AsanaSimulator
import Foundation
import LineRPC
import Logging
import Synchronization
import TestSupport
import Testing

@Suite("sync and listUsers against the simulator")
struct SyncTests {
    @Test("a first sync stores exactly the simulator's people with their membership flags and teams")
    func firstSyncMatchesSimulator() async throws {
        let harness = try await ServiceHarness.start(users: 230, teams: 5)
        defer { Task { await harness.stop() } }
        let result = try await harness.service.sync(workspace: harness.workspace, principal: "tester")

        let state = harness.simulator.state()
        let active = state.workspaceMemberships.filter { $0.workspace == harness.workspace && $0.isActive }
        #expect(result.users == active.count)
        #expect(result.added == active.count)
        #expect(result.updated == 0)
        #expect(result.departed == 0)
        #expect(result.teams == state.teams.count)
        #expect(result.teamMemberships == state.teamMemberships.count)
        #expect(result.capabilities.membershipFlags)
        #expect(result.capabilities.teams)
        // One call per page, no /users listing (the memberships carry the people): the workspace, the membership
        // pages, the team pages and each team's membership pages.
        func pages(_ records: Int) -> Int { max(1, (records + 99) / 100) }
        let teamMembershipPages = state.teams.map { team in pages(state.teamMemberships.filter { $0.team == team.gid }.count) }.reduce(0, +)
        #expect(result.apiCalls == 1 + pages(state.workspaceMemberships.count) + pages(state.teams.count) + teamMembershipPages)
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("GET /users") })

        let stored = try await harness.allUsers()
        #expect(stored.count == active.count)
        #expect(Set(stored.map(\.gid)).count == stored.count, "no person twice across pages")
        let byGid = Dictionary(uniqueKeysWithValues: active.map { ($0.user, $0) })
        let teamsByUser = Dictionary(grouping: state.teamMemberships, by: \.user)
        for user in stored {
            let membership = try #require(byGid[user.gid])
            #expect(user.isActive == true)
            #expect(user.isAdmin == membership.isAdmin)
            #expect(user.isGuest == membership.isGuest)
            #expect(user.isViewOnly == membership.isViewOnly)
            #expect(Set(user.teams.map(\.gid)) == Set((teamsByUser[user.gid] ?? []).map(\.team)))
        }
        #expect(stored.contains { $0.isGuest == true }, "the seed has guests")
    }

    @Test("a second sync with no change in Asana reports no change")
    func idempotentSync() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let first = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        let second = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(second.users == first.users)
        #expect(second.added == 0)
        #expect(second.updated == 0)
        #expect(second.departed == 0)
        #expect(second.runId == first.runId + 1)
    }

    @Test("filters: admin, guest, team by name, query")
    func filters() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        let state = harness.simulator.state()
        let activeMemberships = state.workspaceMemberships.filter { $0.isActive }

        let admins = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, admin: true, limit: 1000)).users
        #expect(Set(admins.map(\.gid)) == Set(activeMemberships.filter(\.isAdmin).map(\.user)))
        let guests = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, guest: true, limit: 1000)).users
        #expect(Set(guests.map(\.gid)) == Set(activeMemberships.filter(\.isGuest).map(\.user)))

        let team = state.teams[1]
        let members = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, team: team.name, limit: 1000)).users
        #expect(Set(members.map(\.gid)) == Set(state.teamMemberships.filter { $0.team == team.gid }.map(\.user)))

        let someone = try #require(state.users.first { $0.gid == activeMemberships[5].user })
        let found = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, query: someone.name.uppercased(), limit: 10)).users
        #expect(found.map(\.gid).contains(someone.gid))
    }

    @Test("listUsers refuses a bad limit, an unknown team, a workspace never synced, a bad cursor and a bad query text")
    func listUsersErrors() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        await #expect(throws: RPCError.self) { try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace)) }
        do {
            _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace))
        } catch let error as RPCError {
            #expect(error.name == "workspace.not_synced")
        }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        for limit in [0, 1001] {
            do {
                _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, limit: limit))
                Issue.record("limit \(limit) accepted")
            } catch let error as RPCError {
                #expect(error.code == -32602)
                #expect(error.data?["field"] == .string("limit"))
            }
        }
        do {
            _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, team: "No Such Team"))
            Issue.record("unknown team accepted")
        } catch let error as RPCError {
            #expect(error.name == "team.not_found")
        }
        do {
            _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, cursor: "garbage"))
            Issue.record("bad cursor accepted")
        } catch let error as RPCError {
            #expect(error.data?["field"] == .string("cursor"))
        }
        for (text, reason) in [(String(repeating: "é", count: 257), "longer than 256 characters"), ("ad\0min", "U+0000")] {
            do {
                _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, query: text))
                Issue.record("query \(reason) accepted")
            } catch let error as RPCError {
                #expect(error.code == -32602 && error.data?["field"] == .string("query"), "\(error)")
                #expect(error.message.contains(reason), "\(error.message)")
            }
        }
    }

    @Test("sync without a credential names the fix")
    func missingCredential() async throws {
        let harness = try await ServiceHarness.start(storeCredentials: false)
        defer { Task { await harness.stop() } }
        do {
            _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
            Issue.record("sync without credential succeeded")
        } catch let error as RPCError {
            #expect(error.code == 1003)
            #expect(error.name == "credential.missing")
            #expect(error.message.contains("credentials put"))
        }
    }

    @Test("a transient 500 is retried; a persistent one fails the sync and keeps the last snapshot")
    func upstreamFailures() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        harness.simulator.injectFaults([.status(500, times: 2, pathPrefix: "/workspaces/\(harness.workspace)/workspace_memberships")])
        let first = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(first.apiCalls >= 2 + 3)

        harness.simulator.injectFaults([.status(503, times: 50, pathPrefix: "/workspaces/\(harness.workspace)/workspace_memberships")])
        do {
            _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
            Issue.record("sync succeeded through a persistent 503")
        } catch let error as RPCError {
            #expect(error.name == "upstream.unavailable")
        }
        harness.simulator.clearFaults()
        #expect(try await harness.allUsers().count == first.users, "the last good snapshot is intact")
        let run = try #require(try await harness.store.syncRun(id: first.runId + 1))
        #expect(run.status == .failed)
        #expect(run.error?.contains("unavailable") == true)
    }

    @Test("a token that may not read workspace memberships: the people come from /users, every flag unknown, nobody missing")
    func peopleFromUsersWhenMembershipsAreRefused() async throws {
        let harness = try await ServiceHarness.start(users: 230, teams: 3)
        defer { Task { await harness.stop() } }
        harness.simulator.injectFaults([.status(403, times: 1, pathPrefix: "/workspaces/\(harness.workspace)/workspace_memberships")])
        let result = try await harness.service.sync(workspace: harness.workspace, principal: nil)

        let state = harness.simulator.state()
        let active = Set(state.workspaceMemberships.filter { $0.workspace == harness.workspace && $0.isActive }.map(\.user))
        #expect(result.status == .succeeded)
        #expect(result.capabilities.membershipFlags == false)
        #expect(result.users == active.count)
        let stored = try await harness.allUsers()
        #expect(Set(stored.map(\.gid)) == active)
        #expect(stored.allSatisfy { $0.isActive == nil && $0.isAdmin == nil && $0.isGuest == nil && $0.isViewOnly == nil })
        let log = harness.simulator.requestLog()
        #expect(log.filter { $0.hasPrefix("GET /workspaces/\(harness.workspace)/workspace_memberships") }.count == 1)
        #expect(log.filter { $0.hasPrefix("GET /users?workspace=\(harness.workspace)") }.count == 3, "\(log)")
    }

    @Test("a sync's reads reach the governor's cap at Asana: 16 in flight, the membership pages beside 15 team listings")
    func readsReachTheGovernorCap() async throws {
        // Every call holds its slot for 1 s: the 5 membership pages take 5 s, and the 30 teams' listings (after the
        // workspace and the team listing, 2 s in) run 15 at a time beside them.
        let harness = try await ServiceHarness.start(users: 500, teams: 30, adjustSimulator: { $0.latency = .seconds(1) })
        defer { Task { await harness.stop() } }
        let result = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        #expect(result.status == .succeeded)
        let root = String(harness.simulator.baseURL.dropLast("/api/1.0".count))
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: root + "/-/sim/stats"), timeout: .seconds(10))
        let stats = try JSONDecoder().decode([String: Int].self, from: Data(try await response.body.collect(upTo: 1 << 16).readableBytesView))
        #expect(stats["peak_reads_in_flight"] == 16, "the governor's default cap (AsyncHTTPClient's default pool held 8)")
        #expect(stats["requests"] == result.apiCalls)
    }

    @Test("two syncs of one workspace never run at once")
    func noConcurrentSync() async throws {
        let harness = try await ServiceHarness.start(users: 400)
        defer { Task { await harness.stop() } }
        async let a = Result(catching: { try await harness.service.sync(workspace: harness.workspace, principal: "a") })
        async let b = Result(catching: { try await harness.service.sync(workspace: harness.workspace, principal: "b") })
        let results = await [a, b]
        let refused = results.compactMap { result -> RPCError? in
            if case .failure(let error as RPCError) = result { return error }
            return nil
        }
        let succeeded = results.filter { if case .success = $0 { true } else { false } }
        #expect(succeeded.count >= 1)
        #expect(refused.allSatisfy { $0.name == "sync.in_progress" })
        #expect(succeeded.count + refused.count == 2)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

@Suite("sync.progress")
struct SyncProgressTests {
    @Test("phases: each announced, then reporting what it read, in its own order; the people beside the teams; commit last")
    func progressSteps() async throws {
        let harness = try await ServiceHarness.start(users: 150, teams: 7)
        defer { Task { await harness.stop() } }
        let steps = Mutex<[Sync.Progress]>([])
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test") { step in
            steps.withLock { $0.append(step) }
        }
        let seen = steps.withLock { $0 }
        let state = harness.simulator.state()
        func notifications(of phase: String) -> [Sync.Progress] { seen.filter { $0.phase == phase } }
        func step(_ phase: String, _ done: Int, _ total: Int?) -> Sync.Progress {
            .init(workspace: harness.workspace, phase: phase, done: done, total: total)
        }
        #expect(seen.first == step("workspace", 0, 1))
        #expect(seen.last == step("commit", 0, 1))
        #expect(Set(seen.map(\.phase)) == ["workspace", "workspaceMemberships", "teams", "teamMemberships", "commit"], "no /users listing")
        let memberships = state.workspaceMemberships.count
        #expect(notifications(of: "workspaceMemberships") == [step("workspaceMemberships", 0, nil), step("workspaceMemberships", memberships, memberships)])
        #expect(notifications(of: "teams") == [step("teams", 0, nil), step("teams", 7, 7)])
        #expect(notifications(of: "teamMemberships") == [step("teamMemberships", 0, 7)] + (1...7).map { step("teamMemberships", $0, 7) })
        let teamsRead = try #require(seen.firstIndex(of: step("teams", 7, 7)))
        let teamMembershipsStart = try #require(seen.firstIndex(of: step("teamMemberships", 0, 7)))
        #expect(teamsRead < teamMembershipsStart)
    }

    @Test("a sync held by a 429 with Retry-After says so: one `waiting` notification with the seconds and the reason, before the listing it held is read")
    func waitingOnRateLimit() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 2)
        defer { Task { await harness.stop() } }
        harness.simulator.injectFaults([.status(429, retryAfter: 3, times: 1, pathPrefix: "/workspaces/\(harness.workspace)/workspace_memberships")])
        let steps = Mutex<[Sync.Progress]>([])
        let result = try await harness.service.sync(workspace: harness.workspace, principal: "test") { step in
            steps.withLock { $0.append(step) }
        }
        let seen = steps.withLock { $0 }
        #expect(result.status == .succeeded)
        #expect(result.rateLimited == 1)
        let waits = seen.filter { $0.phase == Sync.waitingPhase }
        // Told once (every request held by the pause waits, one notification), with what was left of the 3 s, rounded up.
        #expect(waits.count == 1, "\(waits)")
        let wait = try #require(waits.first)
        #expect(wait.workspace == harness.workspace)
        #expect(wait.waitReason == "rateLimited")
        #expect((2...3).contains(wait.waitSeconds ?? 0), "waitSeconds \(String(describing: wait.waitSeconds))")
        #expect(wait.done == 0 && wait.total == nil)
        let waiting = try #require(seen.firstIndex(of: wait))
        let membershipsRead = try #require(seen.lastIndex { $0.phase == "workspaceMemberships" })
        #expect(waiting < membershipsRead, "the wait comes before the memberships it held are read")
        #expect(seen.last?.phase == "commit")
        // On the wire: waitSeconds and waitReason in a waiting notification, absent from the others.
        let wire = try JSONValue(encoding: wait)
        #expect(wire["phase"] == "waiting" && wire["waitSeconds"] == .integer(Int64(wait.waitSeconds ?? 0)) && wire["waitReason"] == "rateLimited")
        let ordinary = try JSONValue(encoding: try #require(seen.last))
        #expect(ordinary["waitSeconds"] == nil && ordinary["waitReason"] == nil, "\(ordinary)")
    }

    @Test("without a 429 no `waiting` is told; a 429 whose Retry-After is too long fails the sync without waiting")
    func noWaitingWithoutRateLimit() async throws {
        let harness = try await ServiceHarness.start(users: 10, teams: 1)
        defer { Task { await harness.stop() } }
        let steps = Mutex<[Sync.Progress]>([])
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test") { step in steps.withLock { $0.append(step) } }
        #expect(!steps.withLock { $0 }.contains { $0.phase == Sync.waitingPhase })
        steps.withLock { $0.removeAll() }
        harness.simulator.injectFaults([.status(429, retryAfter: 3600, times: 1, pathPrefix: "/workspaces/\(harness.workspace)/workspace_memberships")])
        await #expect(throws: RPCError.self) {
            _ = try await harness.service.sync(workspace: harness.workspace, principal: "test") { step in steps.withLock { $0.append(step) } }
        }
        #expect(!steps.withLock { $0 }.contains { $0.phase == Sync.waitingPhase }, "a Retry-After past maxRetryAfter (120 s) is not waited")
    }

    @Test("every notification carries the id of its sync request, also when sync names the workspace by name")
    func progressCarriesTheRequestID() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 2)
        defer { Task { await harness.stop() } }
        let table = harness.service.methodTable()
        let seen = Mutex<[JSONValue]>([])
        let context = RPCRequestContext(
            connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "test:operator", role: "operator")),
            logger: Logger(label: "test"),
            sendNotification: { notification in
                let encoded = try? JSONValue(encoding: notification)
                seen.withLock { $0.append(encoded ?? .null) }
            })
        let name = try #require(harness.simulator.state().workspaces.first { $0.gid == harness.workspace }?.name)
        for (id, workspace) in [(RPCID.string("by-gid"), harness.workspace), (.integer(9_007_199_254_740_993), name)] {
            seen.withLock { $0.removeAll() }
            let response = await table.answer(RPCRequest(id: id, method: "sync", params: ["workspace": .string(workspace), "progress": true]),
                                              context: context)
            guard case .result? = response?.outcome else { Issue.record("sync failed: \(String(describing: response?.outcome))"); return }
            let notifications = seen.withLock { $0 }
            #expect(notifications.count == 9)  // workspace, memberships ×2, teams ×2, team memberships ×3 (2 teams), commit
            for notification in notifications {
                #expect(notification["method"] == "sync.progress")
                #expect(notification["params"]?["requestId"] == (try JSONValue(encoding: id)))
                #expect(notification["params"]?["workspace"] == .string(harness.workspace))
            }
        }
        #expect(try JSONValue(encoding: RPCID.integer(9_007_199_254_740_993)) == .integer(9_007_199_254_740_993), "a large integer id stays exact")
    }
}
