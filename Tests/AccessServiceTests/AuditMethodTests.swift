import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging
import Testing

/// `listAuditEvents` through the method table: filters, cursor paging, roles and params errors.
@Suite("listAuditEvents")
struct AuditMethodTests {
    let store: SQLiteAccessStore
    let table: RPCMethodTable

    init() throws {
        store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        table = ServiceRuntime(configuration: .init(asanaBaseURL: "http://127.0.0.1:9"), logger: Logger(label: "test")).makeService(store: store).methodTable()
    }

    /// Calls `method` as `principal` with `role`; the answer as it would go on the wire.
    func call(_ method: String, _ params: [String: JSONValue] = [:], role: String = "admin", principal: String = "cert:auditor") async throws -> (result: JSONValue?, error: RPCError?) {
        let context = RPCRequestContext(
            connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: principal, role: role)),
            logger: Logger(label: "test"), sendNotification: { _ in })
        let response = try #require(await table.answer(RPCRequest(id: .integer(7), method: method, params: .object(params)), context: context))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let line = try JSONDecoder().decode(JSONValue.self, from: Data(try response.jsonText(encoder: encoder).utf8))
        if case .error(let error) = response.outcome { return (nil, error) }
        return (line["result"], nil)
    }

    func ids(_ result: JSONValue?) -> [Int64] {
        guard case .array(let items)? = result?["items"] else { return [] }
        return items.compactMap { if case .integer(let id)? = $0["id"] { id } else { nil } }
    }

    /// Events 1–9: principals cn=a / cn=b / cn=c in turn, methods tokens.create / credentials.put in turn, one hour apart from 2025-01-01T00:00Z.
    func seed() async throws {
        let start = Date(timeIntervalSince1970: 1_735_689_600)   // 2025-01-01T00:00:00Z
        for index in 0..<9 {
            try await store.appendAuditEvent(AuditEventDraft(
                at: start.addingTimeInterval(Double(index) * 3600), principal: ["cn=a", "cn=b", "cn=c"][index % 3],
                method: index.isMultiple(of: 2) ? "tokens.create" : "credentials.put",
                params: "{\"n\":\(index)}", result: "{}", outcome: "ok"))
        }
    }

    @Test("filters by since, principal and method, newest first, with hashes in hex")
    func filters() async throws {
        try await seed()
        let all = try await call("listAuditEvents")
        #expect(ids(all.result) == [9, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect(all.result?["nextCursor"] == nil)
        let first = all.result?["items"].flatMap { if case .array(let items) = $0 { items.last } else { nil } }
        #expect(first?["prevHash"] == .string(String(repeating: "0", count: 64)))
        #expect(first?["hash"]?.stringValue?.count == 64)
        #expect(first?["at"] == .string("2025-01-01T00:00:00Z"))
        #expect(first?["params"] == .string("{\"n\":0}"))

        #expect(ids(try await call("listAuditEvents", ["since": .string("2025-01-01T06:00:00Z")]).result) == [9, 8, 7])
        #expect(ids(try await call("listAuditEvents", ["since": .string("2025-01-01T06:59:59.999+01:00")]).result) == [9, 8, 7])
        #expect(ids(try await call("listAuditEvents", ["principal": .string("cn=b")]).result) == [8, 5, 2])
        #expect(ids(try await call("listAuditEvents", ["method": .string("credentials.put")]).result) == [8, 6, 4, 2])
        #expect(ids(try await call("listAuditEvents", ["principal": .string("cn=b"), "method": .string("credentials.put"), "since": .string("2025-01-01T02:00:00Z")]).result) == [8])
    }

    @Test("cursor paging returns every event once; the last page has no nextCursor")
    func paging() async throws {
        try await seed()
        var seen: [Int64] = []
        var params: [String: JSONValue] = ["limit": .integer(4)]
        var pages = 0
        while true {
            let page = try await call("listAuditEvents", params)
            seen += ids(page.result)
            pages += 1
            guard let cursor = page.result?["nextCursor"]?.stringValue, pages < 10 else { break }
            params["cursor"] = .string(cursor)
        }
        #expect(seen == [9, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect(pages == 3)
    }

    @Test("mutating calls made through the table are listed with their principal")
    func auditedCalls() async throws {
        let created = try await call("createToken", ["name": .string("ci-reader"), "role": .string("reader")], principal: "cert:dev-admin")
        #expect(created.error == nil)
        let listed = try await call("listAuditEvents", ["principal": .string("cert:dev-admin"), "method": .string("createToken")])
        #expect(ids(listed.result) == [1])
        #expect(try await store.verifyAuditChain().isIntact)
    }

    @Test("admin only; bad since, limit, cursor, empty filters and the old `before` are -32602")
    func refusals() async throws {
        try await seed()
        for role in ["reader", "operator"] {
            #expect(try await call("listAuditEvents", role: role).error?.name == "auth.forbidden")
        }
        let bad: [([String: JSONValue], String)] = [
            (["since": .string("yesterday")], "since"),
            (["since": .string("2025-13-01")], "since"),
            (["since": .string("2025-01-31T25:00:00Z")], "since"),
            (["since": .integer(1_735_689_600)], "since"),
            (["limit": .integer(0)], "limit"),
            (["limit": .integer(1001)], "limit"),
            (["cursor": .string("not-a-cursor")], "cursor"),
            (["principal": .string("")], "principal"),
            (["method": .string("")], "method"),
            (["before": .integer(5)], "before"),
        ]
        for (params, field) in bad {
            let answer = try await call("listAuditEvents", params)
            #expect(answer.error?.code == -32602, "\(params)")
            #expect(answer.error?.data?["field"] == .string(field), "\(params)")
        }
    }
}
