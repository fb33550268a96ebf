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
        #expect(result.apiCalls >= 3 + 1 + state.teams.count)  // users pages, memberships pages, teams, one listing per team

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

    @Test("listUsers refuses a bad limit, an unknown team and a workspace never synced")
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
        harness.simulator.injectFaults([.status(500, times: 2, pathPrefix: "/users")])
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
    @Test("phases come in order; listings report what they read; team memberships count teams up to the total")
    func progressSteps() async throws {
        let harness = try await ServiceHarness.start(users: 150, teams: 7)
        defer { Task { await harness.stop() } }
        let steps = Mutex<[Sync.Progress]>([])
        let result = try await harness.service.sync(workspace: harness.workspace, principal: "test") { step in
            steps.withLock { $0.append(step) }
        }
        let seen = steps.withLock { $0 }
        let state = harness.simulator.state()
        let expected: [Sync.Progress] = [
            .init(workspace: harness.workspace, phase: "workspace", done: 0, total: 1),
            .init(workspace: harness.workspace, phase: "users", done: 0, total: nil),
            .init(workspace: harness.workspace, phase: "users", done: result.users, total: result.users),
            .init(workspace: harness.workspace, phase: "workspaceMemberships", done: 0, total: nil),
            .init(workspace: harness.workspace, phase: "workspaceMemberships", done: state.workspaceMemberships.count, total: state.workspaceMemberships.count),
            .init(workspace: harness.workspace, phase: "teams", done: 0, total: nil),
            .init(workspace: harness.workspace, phase: "teams", done: 7, total: 7),
            .init(workspace: harness.workspace, phase: "teamMemberships", done: 0, total: 7),
        ] + (1...7).map { .init(workspace: harness.workspace, phase: "teamMemberships", done: $0, total: 7) } + [
            .init(workspace: harness.workspace, phase: "commit", done: 0, total: 1),
        ]
        #expect(seen == expected)
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
            #expect(notifications.count >= 10)
            for notification in notifications {
                #expect(notification["method"] == "sync.progress")
                #expect(notification["params"]?["requestId"] == (try JSONValue(encoding: id)))
                #expect(notification["params"]?["workspace"] == .string(harness.workspace))
            }
        }
        #expect(try JSONValue(encoding: RPCID.integer(9_007_199_254_740_993)) == .integer(9_007_199_254_740_993), "a large integer id stays exact")
    }
}
