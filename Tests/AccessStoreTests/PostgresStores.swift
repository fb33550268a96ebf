import Foundation
import Synchronization
import Testing
import TestSupport
@testable import AccessStore

/// The stores a test case opened on PostgreSQL, closed when it ends (``ClosesStores``): each holds a
/// connection pool that would otherwise keep its connections (and the server's connection slots) open.
final class OpenedStores: Sendable {
    @TaskLocal static var current: OpenedStores?

    private let stores = Mutex<[PostgresAccessStore]>([])

    func add(_ store: PostgresAccessStore) {
        stores.withLock { $0.append(store) }
    }

    func closeAll() async {
        for store in stores.withLock({ $0 }) { await store.close() }
    }
}

/// A suite trait: every test case of the suite closes the PostgreSQL stores it opened with ``makePostgresStore(masterKey:)``.
struct ClosesStores: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        let opened = OpenedStores()
        do {
            try await OpenedStores.$current.withValue(opened) { try await function() }
        } catch {
            await opened.closeAll()
            throw error
        }
        await opened.closeAll()
    }
}

extension Trait where Self == ClosesStores {
    /// Closes the PostgreSQL stores each test case opens.
    static var closesStores: ClosesStores { ClosesStores() }
}

/// A PostgreSQL store on a database of its own (``TestPostgres/freshDatabase()``), closed when the test case ends.
/// - Throws: ``TestPostgresError/noServer`` without `ASANA_ACCESS_TEST_POSTGRES_URL`; a test outside a suite with
///   ``ClosesStores`` fails.
func makePostgresStore(masterKey: MasterKey = MasterKey.generate()) async throws -> PostgresAccessStore {
    let opened = try #require(OpenedStores.current, "the suite needs the .closesStores trait")
    let store = try await PostgresAccessStore.connect(try await TestPostgres.freshDatabase(), masterKey: masterKey, mode: .create)
    opened.add(store)
    return store
}

/// Two stores on one fresh database under one master key: what two servers sharing it see (closed by the
/// `.closesStores` trait).
func twoReplicas() async throws -> (PostgresAccessStore, PostgresAccessStore, PostgresLocation) {
    let opened = try #require(OpenedStores.current, "the suite needs the .closesStores trait")
    let key = MasterKey.generate()
    let location = try await TestPostgres.freshDatabase()
    let first = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
    let second = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
    opened.add(first)
    opened.add(second)
    return (first, second, location)
}

/// Whether the PostgreSQL cases run (a server is configured); see ``TestPostgres``.
var postgresConfigured: Bool { TestPostgres.server != nil }

@Suite("PostgreSQL for the tests")
struct PostgresForTestsTests {
    @Test("a PostgreSQL server is configured whenever the test command asks for one")
    func configuredWhenRequired() {
        if TestPostgres.isRequired {
            #expect(TestPostgres.server != nil, "\(TestPostgres.requireVariable)=1 but \(TestPostgres.urlVariable) is not set")
        }
    }
}
