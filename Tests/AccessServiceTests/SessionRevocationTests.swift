import AccessProtocol
@testable import AccessService
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging
import Synchronization
import Testing
import TestSupport

/// A service over an in-memory store whose Asana is unreachable (these tests never call it), and its method table.
private func serviceWithoutAsana(now: @escaping @Sendable () -> Date = { Date() }) throws -> (AccessStore, RPCMethodTable) {
    let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
    let runtime = ServiceRuntime(configuration: .init(asanaBaseURL: "http://127.0.0.1:9"), logger: Logger(label: "test"))
    return (store, runtime.makeService(store: store, now: now).methodTable())
}

/// A revoked token ends the sessions that authenticated with it, at their next call (issue 10, item 3).
@Suite("Revocation ends live sessions")
struct SessionRevocationTests {
    private func call(_ table: RPCMethodTable, _ session: RPCSession, _ method: String, _ params: JSONValue? = nil) async -> RPCResponse.Outcome? {
        let context = RPCRequestContext(connectionID: 1, session: session, logger: Logger(label: "test"), sendNotification: { _ in })
        return await table.answer(RPCRequest(id: .integer(1), method: method, params: params), context: context)?.outcome
    }

    private func errorName(_ outcome: RPCResponse.Outcome?) -> String? {
        if case .error(let error)? = outcome { return error.name }
        return nil
    }

    @Test("an admin whose token is revoked cannot mint another one on the same connection; it is unauthenticated from then on")
    func revokedAdmin() async throws {
        let (store, table) = try serviceWithoutAsana()
        let (adminToken, _) = try await store.createAPIToken(name: "ops-admin", role: .admin, at: Date())
        let (otherToken, _) = try await store.createAPIToken(name: "second-admin", role: .admin, at: Date())

        let kept = RPCSession(certificateCommonName: nil, identity: nil)
        let revoker = RPCSession(certificateCommonName: nil, identity: nil)
        #expect(errorName(await call(table, kept, "authenticate", .object(["token": .string(adminToken)]))) == nil)
        #expect(errorName(await call(table, revoker, "authenticate", .object(["token": .string(otherToken)]))) == nil)
        #expect(errorName(await call(table, kept, "listTokens")) == nil)

        #expect(errorName(await call(table, revoker, "revokeToken", .object(["name": .string("ops-admin")]))) == nil)

        // The next call on the kept connection, whatever it is, is refused and ends the identity...
        let refused = await call(table, kept, "createToken", .object(["name": .string("backdoor"), "role": .string("admin")]))
        guard case .error(let error)? = refused else {
            Issue.record("createToken ran with a revoked token: \(String(describing: refused))")
            return
        }
        #expect(error.code == -32005)
        #expect(error.name == "auth.token_revoked")
        #expect(error.data?["token"] == .string("ops-admin"))
        #expect(try await store.apiTokens().contains { $0.name == "backdoor" } == false)
        #expect(kept.identity == nil)
        // ...and the calls after it find the connection unauthenticated.
        #expect(errorName(await call(table, kept, "listTokens")) == "auth.required")
        // The revoker's own session is untouched.
        #expect(errorName(await call(table, revoker, "listTokens")) == nil)
        // The kept connection may authenticate again with a valid token.
        #expect(errorName(await call(table, kept, "authenticate", .object(["token": .string(otherToken)]))) == nil)
        #expect(kept.identity?.principal == "token:second-admin")
    }

    @Test("a ping on a revoked session is refused once, then answers as unauthenticated")
    func revokedPing() async throws {
        let (store, table) = try serviceWithoutAsana()
        let (readerToken, _) = try await store.createAPIToken(name: "ci-reader", role: .reader, at: Date())
        let session = RPCSession(certificateCommonName: nil, identity: nil)
        #expect(errorName(await call(table, session, "authenticate", .object(["token": .string(readerToken)]))) == nil)
        let admin = RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "cert:dev-admin", role: "admin"))
        #expect(errorName(await call(table, admin, "revokeToken", .object(["name": .string("ci-reader")]))) == nil)
        #expect(errorName(await call(table, session, "ping")) == "auth.token_revoked")
        #expect(errorName(await call(table, session, "ping")) == nil)
    }
}

@Suite("Expiry ends live sessions")
struct SessionExpiryTests {
    @Test("a session authenticated before its token expired is refused with auth.token_expired at its first call after, then is unauthenticated")
    func expired() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = Mutex(start)
        let (store, table) = try serviceWithoutAsana(now: { clock.withLock { $0 } })
        let (token, _) = try await store.createAPIToken(name: "short-lived", role: .reader, at: start, expiresAt: start.addingTimeInterval(3600))
        let session = RPCSession(certificateCommonName: nil, identity: nil)
        let context = RPCRequestContext(connectionID: 1, session: session, logger: Logger(label: "test"), sendNotification: { _ in })
        func call(_ method: String, _ params: JSONValue? = nil) async -> RPCError? {
            if case .error(let error)? = await table.answer(RPCRequest(id: .integer(1), method: method, params: params), context: context)?.outcome { return error }
            return nil
        }
        #expect(await call("authenticate", .object(["token": .string(token)])) == nil)
        clock.withLock { $0 = start.addingTimeInterval(3599) }
        #expect(await call("listSyncRuns", .object(["workspace": .string("1000")]))?.name != "auth.token_expired")
        clock.withLock { $0 = start.addingTimeInterval(3600) }
        let ended = await call("listSyncRuns", .object(["workspace": .string("1000")]))
        #expect(ended?.code == -32006)
        #expect(ended?.name == "auth.token_expired")
        #expect(ended?.data?["expiredAt"] == .string("2027-01-15T09:00:00.000Z"))
        #expect(await call("listSyncRuns", .object(["workspace": .string("1000")]))?.name == "auth.required")
    }
}

/// Two servers on one PostgreSQL store: a token revoked through one ends the sessions that authenticated with it on
/// the other within about a second (``RevocationWatcher``).
@Suite("Revocation across servers on a shared store", .enabled(if: TestPostgres.server != nil, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct SharedStoreRevocationTests {
    @Test("revoked through server A, the token's open session on server B is refused within seconds")
    func revokedElsewhere() async throws {
        let location = try await TestPostgres.freshDatabase()
        let key = MasterKey.generate()
        let storeA = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        let storeB = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        let runtime = ServiceRuntime(configuration: .init(asanaBaseURL: "http://127.0.0.1:9"), logger: Logger(label: "test"))
        let serviceA = runtime.makeService(store: storeA)
        let serviceB = runtime.makeService(store: storeB)
        let watcher = Task { try await RevocationWatcher(service: serviceB).run() }
        defer { watcher.cancel() }
        let (token, _) = try await storeA.createAPIToken(name: "ops", role: .operator, at: Date())
        let (admin, _) = try await storeA.createAPIToken(name: "admin", role: .admin, at: Date())

        func call(_ table: RPCMethodTable, _ session: RPCSession, _ method: String, _ params: JSONValue? = nil) async -> RPCResponse.Outcome? {
            let context = RPCRequestContext(connectionID: 1, session: session, logger: Logger(label: "test"), sendNotification: { _ in })
            return await table.answer(RPCRequest(id: .integer(1), method: method, params: params), context: context)?.outcome
        }
        func errorName(_ outcome: RPCResponse.Outcome?) -> String? {
            if case .error(let error)? = outcome { return error.name }
            return nil
        }
        let tableA = serviceA.methodTable()
        let tableB = serviceB.methodTable()
        let onB = RPCSession(certificateCommonName: nil, identity: nil)
        let onA = RPCSession(certificateCommonName: nil, identity: nil)
        #expect(errorName(await call(tableB, onB, "authenticate", .object(["token": .string(token)]))) == nil)
        #expect(errorName(await call(tableB, onB, "listUsers", .object(["workspace": .string("1000")]))) != "auth.token_revoked")
        #expect(errorName(await call(tableA, onA, "authenticate", .object(["token": .string(admin)]))) == nil)
        #expect(errorName(await call(tableA, onA, "revokeToken", .object(["name": .string("ops")]))) == nil)

        let started = ContinuousClock.now
        let refused = await eventually(within: .seconds(30), every: .milliseconds(50)) {
            errorName(await call(tableB, onB, "ping")) == "auth.token_revoked"
        }
        #expect(refused, "the session on B kept the revoked token's identity")
        #expect(ContinuousClock.now - started < .seconds(10), "took \(ContinuousClock.now - started)")
        await storeA.close()
        await storeB.close()
    }
}
