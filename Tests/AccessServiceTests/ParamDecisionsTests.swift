import AccessProtocol
@testable import AccessService
import Foundation
import LineRPC
import Logging
import TestSupport
import Testing

/// The edge cases of params protocol.md §3 and §5 decide, through the method table as a client reaches them.
@Suite("Params: documented edge cases")
struct ParamDecisionsTests {
    func call(_ harness: ServiceHarness, _ method: String, _ params: JSONValue) async -> RPCResponse.Outcome? {
        let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "test:admin", role: "admin")),
                                        logger: Logger(label: "test"), sendNotification: { _ in })
        return await harness.service.methodTable().answer(RPCRequest(id: .integer(1), method: method, params: params), context: context)?.outcome
    }

    @Test("an integer param takes any JSON number with an integral value (2, 2.0, 2e0) and refuses 2.5")
    func integralNumbers() async throws {
        let harness = try await ServiceHarness.start(users: 12, teams: 1)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        for limit in [JSONValue.integer(2), .double(2.0)] {
            guard case .result(let page)? = await call(harness, "listUsers", ["workspace": .string(harness.workspace), "limit": limit]) else {
                Issue.record("limit \(limit) refused"); continue
            }
            let decoded = try JSONValue(encoding: page).decoded(as: ListUsers.Result.self)
            #expect(decoded.users.count == 2)
        }
        guard case .error(let error)? = await call(harness, "listUsers", ["workspace": .string(harness.workspace), "limit": .double(2.5)]) else {
            Issue.record("limit 2.5 accepted"); return
        }
        #expect(error.kind == .rpcInvalidParams)
        #expect(error.data?["field"] == "limit")
    }

    @Test("query: surrounding white space ignored, blank means no filter; fields: [] answers gids only")
    func queryAndFields() async throws {
        let harness = try await ServiceHarness.start(users: 12, teams: 1)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        let everyone = try await harness.service.listUsers(.init(workspace: harness.workspace, limit: 1000)).users
        #expect(try await harness.service.listUsers(.init(workspace: harness.workspace, query: " \t ", limit: 1000)).users == everyone)
        let someone = try #require(everyone.first { $0.name != nil })
        let name = try #require(someone.name)
        #expect(try await harness.service.listUsers(.init(workspace: harness.workspace, query: "  \(name)  ", limit: 1000)).users.map(\.gid).contains(someone.gid))
        let bare = try await harness.service.listUsers(.init(workspace: harness.workspace, fields: [], limit: 1000)).users
        #expect(bare.map(\.gid) == everyone.map(\.gid))
        let encoded = try JSONValue(encoding: bare[0])
        #expect(encoded == ["gid": .string(bare[0].gid)])
    }

    @Test("changedSince and listAuditEvents' since take a bare date: the start of that day, UTC")
    func bareDates() async throws {
        let harness = try await ServiceHarness.start(users: 12, teams: 1)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        let page = try await harness.service.listUsers(.init(workspace: harness.workspace, changedSince: .time("2025-01-31")))
        #expect(page.changedSince == JSONDecoder.parseProtocolTimestamp("2025-01-31T00:00:00Z"))
        #expect(!page.users.isEmpty, "everyone was added after that day began")
        let events = try await harness.service.listAuditEvents(.init(since: "2025-01-31"))
        #expect(!events.items.isEmpty)
        for text in ["2025-1-31", "2025-01-32", "2025-02-29", "31.01.2025", "2025-01-31T25:00:00Z", "2025-01-31T09:60:00Z",
                     "2025-01-31T09:00:00", "2025-01-31T09:00:00+24:00", "2025-01-31 09:00:00Z", " 2025-01-31"] {
            #expect(AccessService.parseTimeOrDate(text) == nil, "\(text)")
        }
        let t = JSONDecoder.parseProtocolTimestamp("2025-01-31T07:30:00.250Z")
        for text in ["2025-01-31T07:30:00.250Z", "2025-01-31T09:30:00.25+02:00", "2025-01-31t07:30:00.250z", "2025-01-31T02:00:00.250-05:30"] {
            #expect(AccessService.parseTimeOrDate(text) == t, "\(text)")
        }
        #expect(AccessService.parseTimeOrDate("2024-02-29") == JSONDecoder.parseProtocolTimestamp("2024-02-29T00:00:00Z"))
    }
}
