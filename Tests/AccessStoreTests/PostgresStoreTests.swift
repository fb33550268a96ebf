import AccessProtocol
import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import AccessStore

/// What is particular to the PostgreSQL store: its URL, its migrations, its master key check.
@Suite("PostgreSQL store", .closesStores, .enabled(if: postgresConfigured, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct PostgresStoreTests {
    @Test("a second connect to a migrated database migrates nothing and keeps the rows")
    func reconnect() async throws {
        let key = MasterKey.generate()
        let location = try await TestPostgres.freshDatabase()
        let first = try await PostgresAccessStore.connect(location, masterKey: key)
        try await first.putCredential(workspaceGid: "1", purpose: .sync, kind: .pat, secret: "2/abc", at: T.t0)
        await first.close()
        let second = try await PostgresAccessStore.connect(location, masterKey: key)
        defer { Task { await second.close() } }
        #expect(try await second.openCredential(workspaceGid: "1", purpose: .sync)?.secret == "2/abc")
        let migrations = try await TestPostgres.withAdminConnection(location) { connection, logger in
            try await connection.query("SELECT id FROM schema_migration ORDER BY id", logger: logger).collect().map { try $0.get("id", as: String.self) }
        }
        #expect(migrations == PostgresMigrations.all.map(\.id))
    }

    @Test("another master key is refused before anything is written")
    func masterKeyMismatch() async throws {
        let location = try await TestPostgres.freshDatabase()
        let first = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate())
        await first.close()
        await #expect(throws: AccessStoreError.masterKeyMismatch(path: location.redacted)) {
            _ = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate())
        }
    }

    @Test("a database with a migration this build does not know is refused")
    func tooNew() async throws {
        let location = try await TestPostgres.freshDatabase()
        let first = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate())
        await first.close()
        try await TestPostgres.withAdminConnection(location) { connection, logger in
            try await connection.query("INSERT INTO schema_migration (id, applied_at) VALUES ('v999-future', 0)", logger: logger)
        }
        await #expect(throws: AccessStoreError.databaseTooNew(path: location.redacted)) {
            _ = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate())
        }
    }

    @Test("an unreachable server is storageUnavailable naming the URL without its password")
    func unreachable() async throws {
        let server = try #require(TestPostgres.server)
        var location = server.with(database: "nothing")
        location.port = 1
        location.password = "hunter2-secret"
        do {
            _ = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate())
            Issue.record("connected to port 1")
        } catch let error as AccessStoreError {
            guard case .storageUnavailable(let path, _) = error else { Issue.record("got \(error)"); return }
            #expect(path == location.redacted)
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test("the URL: defaults, percent-decoding, sslmode, and a redacted form without the password")
    func location() throws {
        let location = try PostgresLocation("postgresql://svc%40acme:p%3Ass@db.example:6432/asana%20access?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(location.username == "svc@acme")
        #expect(location.password == "p:ss")
        #expect(location.host == "db.example")
        #expect(location.port == 6432)
        #expect(location.database == "asana access")
        #expect(location.tlsMode == .verifyFull)
        #expect(location.trustRootsPath == "/etc/ca.pem")
        #expect(location.redacted == "postgres://svc%40acme:***@db.example:6432/asana%20access?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        let plain = try PostgresLocation("postgres://u@[::1]/db", environment: ["PGPASSWORD": "from-env"])
        #expect(plain.host == "::1" && plain.port == 5432 && plain.tlsMode == .prefer && plain.password == "from-env")
        #expect(plain.redacted == "postgres://u:***@[::1]:5432/db?sslmode=prefer")
    }

    @Test("a malformed URL is refused with what is wrong", arguments: [
        ("mysql://u@h/db", "must start with postgres://"),
        ("postgres://h/db", "names no user"),
        ("postgres://u@h", "names no database"),
        ("postgres://u@h/db?sslmode=maybe", "sslmode must be one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://u@h/db?connect_timeout=3", "unknown parameter connect_timeout"),
    ])
    func badLocation(text: String, message: String) {
        #expect(throws: AccessStoreError.self) { try PostgresLocation(text, environment: [:]) }
        do {
            _ = try PostgresLocation(text, environment: [:])
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
