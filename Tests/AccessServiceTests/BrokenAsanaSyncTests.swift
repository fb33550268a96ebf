import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import LineRPC
import Logging
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A port on 127.0.0.1 that nothing listens on (bound to find a free one, then closed): connecting is refused.
private func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { _ = close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard ok else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs `body` expecting an `RPCError`; returns it (or records an issue).
private func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected an RPC error, the call succeeded")
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("expected an RPC error, got \(error)")
        return nil
    }
}

@Suite("A broken Asana never holds a sync")
struct BrokenAsanaSyncTests {
    /// The harness's service, but talking to Asana through `configuration` (the simulator's base URL unless changed).
    private func service(_ harness: ServiceHarness, adjust: (inout AsanaClientConfiguration) -> Void) -> AccessService {
        var configuration = AsanaClientConfiguration(baseURL: harness.simulator.baseURL, backoffBase: .milliseconds(1), backoffCap: .milliseconds(5))
        adjust(&configuration)
        let asana = AsanaClientFactory(
            configuration: configuration, transport: HTTPClientAsanaTransport(timeout: configuration.requestTimeout, connectTimeout: configuration.connectTimeout),
            logger: Logger(label: "test.asana"))
        return AccessService(store: harness.store, asana: asana, logger: Logger(label: "test.service"))
    }

    @Test("Asana unreachable (connection refused): upstream.unavailable within 20 s, the run recorded failed, the workspace not left locked")
    func unreachable() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 2)
        defer { Task { await harness.stop() } }
        let port = try closedPort()
        // Production retry settings (5 attempts, 500 ms backoff, 30 s request timeout): the broken code took about 150 s.
        let service = self.service(harness) { configuration in
            configuration = AsanaClientConfiguration(baseURL: "http://127.0.0.1:\(port)/api/1.0")
        }
        for _ in 0..<2 {  // the second sync is not refused with sync.in_progress: the first one let go of the workspace
            let started = ContinuousClock.now
            let error = await rpcError { _ = try await service.sync(workspace: harness.workspace, principal: "tester") }
            #expect(error?.code == 1103)
            #expect(error?.name == "upstream.unavailable")
            #expect(error?.message.contains("could not connect") == true, "\(String(describing: error))")
            #expect(ContinuousClock.now - started < .seconds(20))
        }
        let runs = try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 10)
        #expect(runs.map(\.status) == [.failed, .failed])
        #expect(runs.allSatisfy { $0.error?.contains("upstream.unavailable") == true })
    }

    @Test("a people listing that hands out new offsets forever: upstream.malformed naming the listing and the bound; nothing committed; the workspace free again")
    func endlessListing() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 2)
        defer { Task { await harness.stop() } }
        let service = self.service(harness) { $0.maxListPages = 50 }
        let listing = "/workspaces/\(harness.workspace)/workspace_memberships"
        harness.simulator.injectFaults([.endlessPages(pathPrefix: listing)])

        let error = await rpcError { _ = try await service.sync(workspace: harness.workspace, principal: "tester") }
        #expect(error?.code == 1105)
        #expect(error?.name == "upstream.malformed")
        #expect(error?.message.contains("GET \(listing)?") == true, "\(String(describing: error))")
        #expect(error?.message.contains("50 pages") == true, "\(String(describing: error))")
        let pagesRead = harness.simulator.requestLog().filter { $0.hasPrefix("GET \(listing)?") }.count
        #expect(pagesRead == 50)
        let run = try #require(try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 1).first)
        #expect(run.status == .failed)
        #expect(run.error?.contains("upstream.malformed") == true)
        // Nothing was committed: the workspace still has no snapshot.
        let notSynced = await rpcError { _ = try await service.listUsers(ListUsers.Params(workspace: harness.workspace)) }
        #expect(notSynced?.name == "workspace.not_synced")

        harness.simulator.clearFaults()
        let healed = try await service.sync(workspace: harness.workspace, principal: "tester")
        #expect(healed.status == .succeeded)
        #expect(healed.users > 0)
    }

    @Test("a sync that outlives its deadline fails with sync.deadline_exceeded, records the reason, keeps the last snapshot and frees the workspace")
    func deadline() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 2)
        defer { Task { await harness.stop() } }
        var service = self.service(harness) { $0.requestTimeout = .seconds(120) }
        let first = try await service.sync(workspace: harness.workspace, principal: "tester")
        let before = try await harness.allUsers().map(\.gid)
        #expect(before.count == first.users)

        // Asana now takes a minute to answer the membership listing; the sync may take 1 s.
        harness.simulator.injectFaults([.latency(.seconds(60), times: 1, pathPrefix: "/workspaces/\(harness.workspace)/workspace_memberships")])
        service.syncDeadline = .seconds(1)
        let started = ContinuousClock.now
        let error = await rpcError { _ = try await service.sync(workspace: harness.workspace, principal: "tester") }
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(error?.code == 1021)
        #expect(error?.name == "sync.deadline_exceeded")
        #expect(error?.data?["deadlineSeconds"] == .integer(1))
        #expect(error?.data?["phase"] == .string("workspaceMemberships"))
        #expect(error?.data?["workspace"] == .string(harness.workspace))

        let runs = try await harness.store.syncRuns(workspaceGid: harness.workspace, limit: 2)
        #expect(runs.map(\.status) == [.failed, .succeeded])
        #expect(runs.first?.error?.contains("sync.deadline_exceeded") == true, "\(String(describing: runs.first?.error))")
        #expect(try await harness.allUsers().map(\.gid) == before, "the last snapshot stands")

        // Not left locked: the next sync runs (and, with Asana answering again, succeeds).
        service.syncDeadline = .seconds(600)
        let again = try await service.sync(workspace: harness.workspace, principal: "tester")
        #expect(again.status == .succeeded)
    }

    @Test("the default sync deadline is one hour")
    func defaultDeadline() {
        #expect(AccessService.defaultSyncDeadline == .seconds(3600))
    }
}
