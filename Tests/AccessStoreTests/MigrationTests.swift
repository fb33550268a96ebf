import Foundation
import GRDB
import Testing
@testable import AccessStore

@Suite("Migrations")
struct MigrationTests {
    @Test("an empty database migrates to v1 with every table and index")
    func migratesEmptyDatabase() throws {
        let store = try makeStore()
        let (applied, tables, indexes) = try store.dbWriter.read { db in
            (
                try Migrations.migrator.appliedIdentifiers(db),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name"),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            )
        }
        #expect(applied == ["v1"])
        #expect(tables == ["auditEvent", "credential", "syncRun", "team", "teamMembership", "workspace", "workspaceUser"])
        #expect(indexes == ["syncRun_byStatus", "syncRun_byWorkspace", "teamMembership_byUser", "workspaceUser_byEmail", "workspaceUser_byName"])
        #expect(try store.workspace(gid: "1000") == nil)
        #expect(try store.credentialSummaries().isEmpty)
    }

    @Test("opening again does not re-run migrations and keeps data")
    func reopenKeepsData() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("db/access.sqlite")
        let store = try AccessStore.open(path: path, masterKey: key)
        try store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try store.close()

        let again = try AccessStore.open(path: path, masterKey: key)
        defer { try? again.close() }
        #expect(try again.workspace(gid: "1000")?.name == "Acme Corp")
        #expect(try again.listUsers(UserQuery(workspaceGid: "1000")).users.count == 4)
        #expect(try again.dbWriter.read { try Migrations.migrator.appliedIdentifiers($0) } == ["v1"])
    }

    @Test("a database migrated by a newer version is refused")
    func newerDatabaseRefused() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("access.sqlite")
        let store = try AccessStore.open(path: path, masterKey: key)
        try store.dbWriter.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-future')") }
        try store.close()
        #expect(throws: AccessStoreError.databaseTooNew(path: path)) {
            try AccessStore.open(path: path, masterKey: key)
        }
    }

    @Test("a file that is not a database fails to open")
    func notADatabase() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("access.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) {
            try AccessStore.open(path: path, masterKey: MasterKey.generate())
        }
    }
}
