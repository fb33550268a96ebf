import AccessProtocol
import Foundation
import GRDB
import Testing
@testable import AccessStore

@Suite("Migrations")
struct MigrationTests {
    /// Every migration of this build, in order (a new one is added here, and nowhere else in the tests).
    static let ordered = ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8-token-expiry-keyed-audit", "v9-provision-intents", "v10-history",
                          "v11-leases", "v12-schedules", "v13-retirement", "v14-listing-indexes", "v15-team-listing",
                          "v16-search-index", "v17-team-names", "v18-listing-rank", "v19-search-trigrams"]
    static var allIdentifiers: Set<String> { Set(ordered) }

    @Test("an empty database migrates to the latest version with every table and index")
    func migratesEmptyDatabase() async throws {
        let store = try makeStore()
        let (applied, tables, indexes) = try await store.dbWriter.read { db in
            (
                try Migrations.migrator(masterKey: MasterKey.generate()).appliedIdentifiers(db),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name"),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            )
        }
        #expect(applied == MigrationTests.allIdentifiers)
        #expect(tables == ["accessChange", "apiToken", "auditEvent", "auditHead", "credential", "idempotencyRecord", "lease", "listingRankState", "masterKeyCheck", "oauthClient", "oauthFlow", "provisionIntent", "searchTrigram", "storeRetirement", "syncRun", "team", "teamInterval", "teamMembership", "teamMembershipInterval", "workspace", "workspaceSchedule", "workspaceUser", "workspaceUserInterval", "workspaceUserSearch", "workspaceUserSearch_config", "workspaceUserSearch_content", "workspaceUserSearch_data", "workspaceUserSearch_docsize", "workspaceUserSearch_idx"])
        #expect(indexes == ["accessChange_byTime", "accessChange_byUser", "auditEvent_byAt", "auditEvent_byMethod", "auditEvent_byPrincipal", "idempotencyRecord_byExpiry", "oauthFlow_byExpiry", "provisionIntent_byCall", "provisionIntent_open", "syncRun_byStatus", "syncRun_byWorkspace", "teamMembershipInterval_byTeam", "teamMembership_byMemberName", "teamMembership_byUser", "workspaceUserInterval_byName", "workspaceUser_admins", "workspaceUser_byEmail", "workspaceUser_byName", "workspaceUser_byRank", "workspaceUser_flagsUnknown", "workspaceUser_guests", "workspaceUser_inactive"])
        #expect(try await store.workspace(gid: "1000") == nil)
        #expect(try await store.credentialSummaries().isEmpty)
        #expect(try await store.apiTokens().isEmpty)
    }

    @Test("opening again does not re-run migrations and keeps data")
    func reopenKeepsData() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("db/access.sqlite")
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try store.close()

        let again = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer { try? again.close() }
        #expect(try await again.workspace(gid: "1000")?.name == "Acme Corp")
        #expect(try await again.listUsers(UserQuery(workspaceGid: "1000")).users.count == 4)
        #expect(try await again.dbWriter.read { try Migrations.migrator(masterKey: MasterKey.generate()).appliedIdentifiers($0) } == MigrationTests.allIdentifiers)
    }

    @Test("a database migrated by a newer version is refused")
    func newerDatabaseRefused() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("access.sqlite")
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        try await store.dbWriter.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-future')") }
        try store.close()
        #expect(throws: AccessStoreError.databaseTooNew(path: path)) {
            try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        }
    }

    @Test("a file that is not a database fails to open")
    func notADatabase() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("access.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) {
            try SQLiteAccessStore.open(path: path, masterKey: MasterKey.generate(), mode: .create)
        }
    }

    @Test("v2 creates apiToken with its columns (v8 adds expiresAt), a role CHECK and a unique name")
    func apiTokenSchema() async throws {
        let store = try makeStore()
        let columns = try await store.dbWriter.read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(apiToken)").map { row in
                "\(row["name"] as String) \(row["type"] as String)\(row["notnull"] as Int == 1 ? " NOT NULL" : "")\(row["pk"] as Int == 1 ? " PK" : "")"
            }
        }
        #expect(columns == [
            "id TEXT PK", "name TEXT NOT NULL", "role TEXT NOT NULL", "secretHash BLOB NOT NULL",
            "createdAt INTEGER NOT NULL", "lastUsedAt INTEGER", "revokedAt INTEGER",
            "expiresAt INTEGER",  // v8
        ])
        try await store.dbWriter.write { db in
            try db.execute(sql: "INSERT INTO apiToken (id, name, role, secretHash, createdAt) VALUES ('00', 'n', 'admin', x'00', 0)")
        }
        for sql in [
            "INSERT INTO apiToken (id, name, role, secretHash, createdAt) VALUES ('01', 'm', 'root', x'00', 0)",
            "INSERT INTO apiToken (id, name, role, secretHash, createdAt) VALUES ('02', 'n', 'reader', x'00', 0)",
            "INSERT INTO apiToken (id, name, role, secretHash, createdAt) VALUES ('00', 'o', 'reader', x'00', 0)",
            "INSERT INTO apiToken (id, name, role, createdAt) VALUES ('03', 'p', 'reader', 0)",
        ] {
            await #expect(throws: DatabaseError.self) {
                try await store.dbWriter.write { try $0.execute(sql: sql) }
            }
        }
    }

    @Test("a database at v1 migrates to v2 and keeps its credentials readable")
    func v1ToV2() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("access.sqlite")

        // A store as the v1 release left it: schema v1, one sealed credential, a workspace.
        let pool = try DatabasePool(path: path, configuration: SQLiteAccessStore.makeConfiguration())
        try Migrations.migrator(masterKey: MasterKey.generate()).migrate(pool, upTo: "v1")
        let sealed = try CredentialSealer(masterKey: key)
            .seal("2/1200000000000/v1-era-pat", workspaceGid: "1000", purpose: .provision, kind: .pat, keyVersion: 1)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO credential (workspaceGid, purpose, kind, sealed, keyVersion, fingerprint, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: ["1000", "provision", "pat", sealed, 1, CredentialSealer.fingerprint(of: "2/1200000000000/v1-era-pat"),
                            1_700_000_000_000, 1_700_000_000_000])
            try db.execute(sql: "INSERT INTO workspace (gid, name, isOrganization) VALUES ('1000', 'Acme Corp', 1)")
        }
        let before = try await pool.read { db in
            (try Migrations.migrator(masterKey: MasterKey.generate()).appliedIdentifiers(db), try db.tableExists("apiToken"))
        }
        #expect(before.0 == ["v1"])
        #expect(before.1 == false)
        try pool.close()

        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer { try? store.close() }
        #expect(try await store.dbWriter.read { try Migrations.migrator(masterKey: MasterKey.generate()).appliedIdentifiers($0) } == MigrationTests.allIdentifiers)
        let opened = try #require(try await store.openCredential(workspaceGid: "1000", purpose: .provision))
        #expect(opened.kind == .pat)
        #expect(opened.secret == "2/1200000000000/v1-era-pat")
        #expect(try await store.credentialSummaries() == [
            CredentialSummary(workspaceGid: "1000", purpose: .provision, kind: .pat,
                              fingerprint: CredentialSealer.fingerprint(of: "2/1200000000000/v1-era-pat"),
                              createdAt: T.t0, updatedAt: T.t0),
        ])
        #expect(try await store.workspace(gid: "1000")?.name == "Acme Corp")
        #expect(try await store.apiTokens().isEmpty)
        let (token, _) = try await store.createAPIToken(name: "first-after-upgrade", role: .admin, at: T.t0)
        #expect(try await store.verifyAPIToken(token, at: T.t0)?.role == .admin)
    }
}
