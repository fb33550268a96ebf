import AccessProtocol
import AccessService
@testable import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging
import Testing

/// Issue 10: a full disk reaches the client as `storage.full` (1070), not "Internal error";
/// `createToken` takes `expiresIn` / `expiresAt`, and an expired token fails `authenticate`.
@Suite("Storage errors and token expiry through the method table")
struct StorageAndTokenExpiryTests {
    let store: SQLiteAccessStore
    let table: RPCMethodTable
    let directory: String

    init() throws {
        directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("storage-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SQLiteAccessStore.open(path: (directory as NSString).appendingPathComponent("access.sqlite"), masterKey: MasterKey.generate(), mode: .create)
        table = ServiceRuntime(configuration: .init(asanaBaseURL: "http://127.0.0.1:9"), logger: Logger(label: "test")).makeService(store: store).methodTable()
    }

    func call(_ method: String, _ params: [String: JSONValue] = [:], session: RPCSession? = nil) async throws -> (result: JSONValue?, error: RPCError?) {
        let context = RPCRequestContext(
            connectionID: 1, session: session ?? RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "cert:admin", role: "admin")),
            logger: Logger(label: "test"), sendNotification: { _ in })
        let response = try #require(await table.answer(RPCRequest(id: .integer(1), method: method, params: .object(params)), context: context))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let line = try JSONDecoder().decode(JSONValue.self, from: Data(try response.jsonText(encoder: encoder).utf8))
        if case .error(let error) = response.outcome { return (nil, error) }
        return (line["result"], nil)
    }

    @Test("a write on a full database answers 1070 storage.full, commits nothing, and names no path")
    func fullDiskIsNamed() async throws {
        defer { try? store.close(); try? FileManager.default.removeItem(atPath: directory) }
        #expect(try await call("createToken", ["name": .string("before"), "role": .string("reader")]).error == nil)
        try await store.dbWriter.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        // Fill the last free pages, then the next write fails whatever it is.
        var answer: (result: JSONValue?, error: RPCError?) = (nil, nil)
        var failing = -1
        for index in 0..<500 {
            failing = index
            answer = try await call("putOAuthClient", ["clientId": .string("app-\(index)"), "clientSecret": .string(String(repeating: "s", count: 500))])
            if answer.error != nil { break }
        }
        let error = try #require(answer.error)
        #expect(error.code == 1070)
        #expect(error.name == "storage.full")
        #expect(error.message == "The disk holding the database is full; nothing was committed; free space and retry")
        #expect(!error.description.contains(directory))
        #expect(failing > 0)
        // The failed transaction left nothing: the app is not stored (or, if only its audit event failed,
        // that event is not in the log and the chain still verifies).
        let stored = try await store.oauthClientSummaries().map(\.clientId)
        let audited = try await store.auditEvents(limit: 1000).filter { $0.method == "putOAuthClient" }.count
        #expect(stored.count == failing || (stored.count == failing + 1 && audited == failing))
        #expect(try await store.verifyAuditChain().isIntact)
    }

    @Test("createToken with expiresIn or expiresAt returns summary.expiresAt; bad or conflicting values are -32602 naming the field")
    func createTokenExpiry() async throws {
        defer { try? store.close(); try? FileManager.default.removeItem(atPath: directory) }
        let before = Date()
        let created = try await call("createToken", ["name": .string("ci-90d"), "role": .string("reader"), "expiresIn": .string("90d")])
        let expiresText = try #require(created.result?["summary"]?["expiresAt"]?.stringValue)
        let expires = try #require(try? Date(expiresText, strategy: .iso8601))
        #expect(abs(expires.timeIntervalSince(before.addingTimeInterval(90 * 86400))) < 60)

        let at = try await call("createToken", ["name": .string("ci-at"), "role": .string("reader"), "expiresAt": .string("2099-01-01T00:00:00Z")])
        #expect(at.error?.data?["field"] == .string("expiresAt"))  // more than 3650 days away
        let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(7200))
        let ok = try await call("createToken", ["name": .string("ci-at"), "role": .string("reader"), "expiresAt": .string(soon)])
        #expect(ok.result?["summary"]?["expiresAt"]?.stringValue == soon)
        let never = try await call("createToken", ["name": .string("ci-never"), "role": .string("reader")])
        #expect(never.result?["summary"]?["expiresAt"] == JSONValue.null)

        for (params, field) in [(["expiresIn": JSONValue.string("90x")], "expiresIn"), (["expiresIn": .string("0d")], "expiresIn"),
                                (["expiresAt": .string("tomorrow")], "expiresAt"), (["expiresIn": .string("1d"), "expiresAt": .string(soon)], "expiresAt"),
                                (["expiresAt": .string("2000-01-01T00:00:00Z")], "expiresAt")] {
            var members: [String: JSONValue] = ["name": .string("bad"), "role": .string("reader")]
            members.merge(params) { $1 }
            let refused = try await call("createToken", members)
            #expect(refused.error?.code == -32602, "\(params)")
            #expect(refused.error?.data?["field"] == .string(field), "\(params)")
        }
        #expect(try await store.apiTokens().map(\.name) == ["ci-90d", "ci-at", "ci-never"])
    }

    @Test("authenticate with an expired token fails like a wrong one")
    func expiredTokenFails() async throws {
        defer { try? store.close(); try? FileManager.default.removeItem(atPath: directory) }
        let now = Date()
        let (expired, _) = try await store.createAPIToken(name: "old", role: .admin, at: now.addingTimeInterval(-7200), expiresAt: now.addingTimeInterval(-3600))
        let (valid, _) = try await store.createAPIToken(name: "new", role: .reader, at: now, expiresAt: now.addingTimeInterval(3600))
        let session = RPCSession(certificateCommonName: nil, identity: nil)
        let refused = try await call("authenticate", ["token": .string(expired)], session: session)
        #expect(refused.error?.code == -32003)
        #expect(refused.error?.name == "auth.failed")
        #expect(session.identity == nil)
        let accepted = try await call("authenticate", ["token": .string(valid)], session: session)
        #expect(accepted.result?["principal"] == .string("token:new"))
    }
}
