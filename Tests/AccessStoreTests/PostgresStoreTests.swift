import AccessProtocol
import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import AccessStore

extension Result where Failure == any Error {
    /// The outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// What is particular to the PostgreSQL store: its URL, its migrations, its master key check.
@Suite("PostgreSQL store", .closesStores, .enabled(if: postgresConfigured, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct PostgresStoreTests {
    @Test("a second connect to a migrated database migrates nothing and keeps the rows")
    func reconnect() async throws {
        let key = MasterKey.generate()
        let location = try await TestPostgres.freshDatabase()
        let first = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        try await first.putCredential(workspaceGid: "1", purpose: .sync, kind: .pat, secret: "2/abc", at: T.t0)
        await first.close()
        let second = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        defer { Task { await second.close() } }
        #expect(try await second.openCredential(workspaceGid: "1", purpose: .sync)?.secret == "2/abc")
        let migrations = try await TestPostgres.withAdminConnection(location) { connection, logger in
            try await connection.query("SELECT id FROM schema_migration ORDER BY id", logger: logger).collect().map { try $0.get("id", as: String.self) }
        }
        #expect(migrations == PostgresMigrations.all.map(\.id))
    }

    @Test("a database without a store is refused unless creating: a typo or an empty restore never becomes a second, empty store")
    func emptyDatabaseRefused() async throws {
        let location = try await TestPostgres.freshDatabase()
        await #expect(throws: AccessStoreError.databaseEmpty(path: location.redacted)) {
            _ = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate())
        }
        let tables = try await TestPostgres.integer(location, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        #expect(tables == 0, "the refused connect created tables")
        #expect("\(AccessStoreError.databaseEmpty(path: location.redacted))".contains("asana-accessd init --database"))
        let created = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate(), mode: .create)
        await created.close()
    }

    @Test("another master key is refused before anything is written")
    func masterKeyMismatch() async throws {
        let location = try await TestPostgres.freshDatabase()
        let first = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate(), mode: .create)
        await first.close()
        await #expect(throws: AccessStoreError.masterKeyMismatch(path: location.redacted)) {
            _ = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate(), mode: .create)
        }
    }

    @Test("a database with a migration this build does not know is refused")
    func tooNew() async throws {
        let location = try await TestPostgres.freshDatabase()
        let first = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate(), mode: .create)
        await first.close()
        try await TestPostgres.withAdminConnection(location) { connection, logger in
            try await connection.query("INSERT INTO schema_migration (id, applied_at) VALUES ('v999-future', 0)", logger: logger)
        }
        await #expect(throws: AccessStoreError.databaseTooNew(path: location.redacted)) {
            _ = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate(), mode: .create)
        }
    }

    @Test("an unreachable server is storageUnavailable naming the URL without its password")
    func unreachable() async throws {
        let server = try #require(TestPostgres.server)
        var location = server.with(database: "nothing")
        location.port = 1
        location.password = "hunter2-secret"
        do {
            _ = try await PostgresAccessStore.connect(location, masterKey: MasterKey.generate(), mode: .create)
            Issue.record("connected to port 1")
        } catch let error as AccessStoreError {
            guard case .storageUnavailable(let path, _) = error else { Issue.record("got \(error)"); return }
            #expect(path == location.redacted)
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test("sealed rows hold no plaintext, and one flipped byte of a sealed credential is credentialTampered")
    func sealedAtRest() async throws {
        let (store, _, location) = try await twoReplicas()
        let secret = "2/1234567890/abcdefghijklmnop"
        try await store.putCredential(workspaceGid: "1000", purpose: .provision, kind: .pat, secret: secret, at: T.t0)
        let (token, _) = try await store.createAPIToken(name: "ci", role: .operator, at: T.t0)
        try await store.putOAuthClient(clientId: "app", secret: "client-secret-xyz", at: T.t0)
        let dump = try await TestPostgres.withAdminConnection(location) { connection, logger in
            var text = ""
            for table in ["credential", "api_token", "oauth_client"] {
                for row in try await connection.query(PostgresQuery(unsafeSQL: "SELECT row_to_json(t)::text AS j FROM \(table) t"), logger: logger).collect() {
                    text += try row.get("j", as: String.self)
                }
            }
            return text
        }
        #expect(dump.contains("1000"))
        for plaintext in [secret, String(token.dropFirst(21)), "client-secret-xyz"] {
            #expect(!dump.contains(plaintext))
        }
        try await TestPostgres.withAdminConnection(location) { connection, logger in
            try await connection.query("UPDATE credential SET sealed = overlay(sealed placing '\\xff'::bytea from 20 for 1)", logger: logger)
        }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .provision)) {
            _ = try await store.openCredential(workspaceGid: "1000", purpose: .provision)
        }
    }

    @Test("what one replica writes the other reads: a credential, a token and its revocation, a pending authorization taken once")
    func sharedBetweenReplicas() async throws {
        let (first, second, _) = try await twoReplicas()
        try await first.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "2/abc", at: T.t0)
        #expect(try await second.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "2/abc")
        let (token, _) = try await first.createAPIToken(name: "ci", role: .admin, at: T.t0)
        #expect(try await second.verifyAPIToken(token, at: T.at(minutes: 1))?.role == .admin)
        #expect(try await second.revokeAPIToken(name: "ci", at: T.at(minutes: 2)))
        #expect(try await first.verifyAPIToken(token, at: T.at(minutes: 3)) == nil)
        let flow = OAuthFlow(state: "s1", workspace: "1000", purpose: .sync, clientId: "app", redirectUri: "http://127.0.0.1/cb",
                             scopes: ["users:read"], codeVerifier: "v1", principal: "ops", createdAt: T.t0, expiresAt: T.at(minutes: 10))
        try await first.insertOAuthFlow(flow)
        async let a = first.takeOAuthFlow(state: "s1", at: T.at(minutes: 1))
        async let b = second.takeOAuthFlow(state: "s1", at: T.at(minutes: 1))
        let taken = [try await a, try await b].compactMap { $0 }
        #expect(taken.map(\.codeVerifier) == ["v1"])
    }

    @Test("the same token name created on two replicas at once: one wins, the other is apiTokenNameTaken")
    func tokenNameRace() async throws {
        let (first, second, _) = try await twoReplicas()
        for round in 0..<10 {
            let name = "race-\(round)"
            async let a = Result(catching: { try await first.createAPIToken(name: name, role: .reader, at: T.t0) })
            async let b = Result(catching: { try await second.createAPIToken(name: name, role: .reader, at: T.t0) })
            let results = [await a, await b]
            #expect(results.filter { if case .success = $0 { true } else { false } }.count == 1)
            for case .failure(let error) in results {
                #expect(error as? AccessStoreError == .apiTokenNameTaken(name: name))
            }
        }
        #expect(try await first.apiTokens().count == 10)
    }

    @Test("TLS: verify-full with the server's CA connects encrypted; verify-full against the system's roots is refused, naming the URL; require encrypts without verifying")
    func tls() async throws {
        guard let ca = TestPostgres.certificateAuthority else {
            #expect(!TestPostgres.isRequired, "ASANA_ACCESS_TEST_POSTGRES_CA is not set: scripts/test.sh sets it to the throwaway cluster's CA")
            return
        }
        let opened = try #require(OpenedStores.current)
        var location = try await TestPostgres.freshDatabase()
        location.tlsMode = .verifyFull
        location.trustRootsPath = ca
        let key = MasterKey.generate()
        let store = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        opened.add(store)
        let encrypted = try await store.database.read { connection in
            try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: store.logger).collect().first?.get("ssl", as: Bool.self)
        }
        #expect(encrypted == true)

        location.trustRootsPath = nil
        do {
            _ = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
            Issue.record("verify-full accepted a certificate from a CA outside the system's roots")
        } catch let error as AccessStoreError {
            guard case .storageUnavailable(let path, _) = error else { Issue.record("got \(error)"); return }
            #expect(path == location.redacted)
        }

        location.tlsMode = .require
        let unverified = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        opened.add(unverified)
        let alsoEncrypted = try await unverified.database.read { connection in
            try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: unverified.logger).collect().first?.get("ssl", as: Bool.self)
        }
        #expect(alsoEncrypted == true)
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
        // A password holding `%` (percent-encoded as %25) keeps it.
        #expect(try PostgresLocation("postgres://u:a%25b@h/db", environment: [:]).password == "a%b")
    }

    @Test("a malformed URL is refused with what is wrong", arguments: [
        ("mysql://u@h/db", "must start with postgres://"),
        ("postgres://h/db", "names no user"),
        ("postgres://u@h", "names no database"),
        ("postgres://u@h/db?sslmode=maybe", "sslmode must be one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://u@h/db?connect_timeout=3", "unknown parameter connect_timeout"),
        ("postgres://u@h/db?sslmode=disable&sslmode=require", "gives sslmode twice"),
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
