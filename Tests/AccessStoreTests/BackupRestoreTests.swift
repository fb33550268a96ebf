import AccessProtocol
import Crypto
import Foundation
import GRDB
import Testing
@testable import AccessStore

/// `StoreBackup` and `StoreRestore` on file stores: an online copy with the WAL's transactions, and a restore
/// that checks everything before it replaces anything.
@Suite("Backup and restore")
struct BackupRestoreTests {
    /// A data directory with a store holding `events` audit events, left open (its WAL not checkpointed).
    struct Fixture {
        let directory: TempDirectory
        /// Where backups go: outside the data directory (a backup inside it is refused).
        let backups: TempDirectory
        let key: MasterKey
        let store: SQLiteAccessStore
        var database: String { directory.file("asana-access.sqlite") }

        init(events: Int) async throws {
            directory = try TempDirectory()
            backups = try TempDirectory()
            key = MasterKey.generate()
            store = try SQLiteAccessStore.open(path: directory.file("asana-access.sqlite"), masterKey: key, mode: .create)
            for index in 0..<events {
                _ = try await store.appendAuditEvent(AuditEventDraft(
                    at: T.at(minutes: index), principal: "cn=host", method: "provision", params: "{\"n\":\(index)}", result: "{}", outcome: "ok"))
            }
        }

        func cleanup() {
            try? store.close()
            directory.cleanup()
            backups.cleanup()
        }
    }

    static func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    static func auditCount(_ path: String, key: MasterKey) async throws -> Int {
        let store = try SQLiteAccessStore.open(path: path, masterKey: key)
        defer { try? store.close() }
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact, "\(String(describing: report.problem))")
        return report.checkedCount
    }

    @Test("a backup of an open store holds every committed event (those still in the WAL too), is 0600, opens with the key, and leaves no partial file")
    func backupIncludesWAL() async throws {
        let fixture = try await Fixture(events: 25)
        defer { fixture.cleanup() }
        #expect(FileManager.default.fileExists(atPath: fixture.database + "-wal"))
        let output = fixture.backups.file("backup.sqlite")
        let summary = try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: output, replace: false)
        #expect(summary.auditEventCount == 25)
        #expect(summary.lastAuditEventId == 25)
        #expect(summary.schemaVersion == MigrationTests.ordered.last)
        #expect(summary.masterKeyFingerprint == fixture.key.fingerprint)
        #expect(summary.bytes == (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int))
        #expect(try permissions(output) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: output + "-wal"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.hasPrefix(".") }.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.backups.path).filter { $0.hasPrefix(".") }.isEmpty)
        #expect(try await Self.auditCount(output, key: fixture.key) == 25)
    }

    @Test("an existing output is refused (unchanged) unless replace; a wrong key is refused and leaves no file")
    func backupRefusals() async throws {
        let fixture = try await Fixture(events: 3)
        defer { fixture.cleanup() }
        let output = fixture.backups.file("backup.sqlite")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: output))
        #expect(throws: BackupError.destinationExists(path: output)) {
            try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: output, replace: false)
        }
        #expect(try Self.contents(output) == Data("keep me".utf8))
        _ = try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: output, replace: true)
        #expect(try await Self.auditCount(output, key: fixture.key) == 3)

        let other = MasterKey.generate()
        let second = fixture.backups.file("second.sqlite")
        #expect(throws: BackupError.masterKeyMismatch(path: second, keyFingerprint: other.fingerprint)) {
            try StoreBackup.backup(databasePath: fixture.database, masterKey: other, to: second, replace: false)
        }
        #expect(!FileManager.default.fileExists(atPath: second))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.hasPrefix(".") }.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.backups.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test("restore replaces the database by the backup, keeps the one it replaced as .before-restore-<time>, and removes the stale WAL")
    func restoreReplaces() async throws {
        let fixture = try await Fixture(events: 5)
        defer { fixture.cleanup() }
        let backup = fixture.backups.file("backup.sqlite")
        _ = try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: backup, replace: false)
        for index in 0..<7 {
            _ = try await fixture.store.appendAuditEvent(AuditEventDraft(at: T.at(minutes: 100 + index), principal: "cn=later", method: "sync", params: "{}", result: "{}", outcome: "ok"))
        }
        try fixture.store.close()

        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let outcome = try await StoreRestore.restore(from: backup, databasePath: fixture.database, masterKey: fixture.key, principal: "local:tester", now: now)
        #expect(outcome.restored.auditEventCount == 5)
        #expect(outcome.previousDatabase == fixture.database + ".before-restore-20270115T080000Z")
        // The restored log: the backup's 5 events, then the restore itself, chained (auditCount verifies).
        #expect(try await Self.auditCount(fixture.database, key: fixture.key) == 6)
        let restored = try SQLiteAccessStore.open(path: fixture.database, masterKey: fixture.key)
        let last = try #require(try await restored.auditEvents(query: AuditQuery(limit: 1)).events.first)
        try restored.close()
        #expect(last.method == "restore")
        #expect(last.principal == "local:tester")
        let sha256 = SHA256.hash(data: try Self.contents(backup)).map { String(format: "%02x", $0) }.joined()
        #expect(last.params == #"{"from":"\#(backup)","sha256":"\#(sha256)"}"#)
        #expect(last.result == #"{"backupLastEventId":\#(outcome.restored.lastAuditEventId),"replacedLastEventId":\#(outcome.restored.lastAuditEventId + 7)}"#)
        #expect(try await Self.auditCount(outcome.previousDatabase!, key: fixture.key) == 12)
        #expect(try permissions(fixture.database) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.hasPrefix(".") }.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.backups.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    /// Runs a restore of `backup` that must fail with `expected`, then checks that the current database is byte for byte as before.
    static func expectRefused(_ fixture: Fixture, backup: String, key: MasterKey? = nil, _ expected: (BackupError) -> Bool) async throws {
        try fixture.store.close()
        let before = try contents(fixture.database)
        do {
            _ = try await StoreRestore.restore(from: backup, databasePath: fixture.database, masterKey: key ?? fixture.key, principal: "local:tester")
            Issue.record("restore of \(backup) succeeded")
        } catch let error as BackupError {
            #expect(expected(error), "\(error)")
        }
        #expect(try contents(fixture.database) == before)
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path)
        #expect(names.filter { $0.hasPrefix(".") || $0.contains("before-restore") }.isEmpty, "\(names)")
        #expect(try await auditCount(fixture.database, key: fixture.key) == 4)
    }

    @Test("restore refuses a damaged backup, leaving the current database as it was")
    func restoreRefusesDamaged() async throws {
        let fixture = try await Fixture(events: 4)
        defer { fixture.cleanup() }
        let backup = fixture.backups.file("backup.sqlite")
        _ = try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: backup, replace: false)
        // Overwrite a page in the middle with garbage (the header stays, so SQLite opens it and finds the damage).
        var bytes = try Self.contents(backup)
        let pageSize = 4096
        #expect(bytes.count >= 4 * pageSize)
        for offset in (2 * pageSize)..<(3 * pageSize) { bytes[offset] = UInt8(truncatingIfNeeded: offset * 7) }
        try bytes.write(to: URL(fileURLWithPath: backup))
        try await Self.expectRefused(fixture, backup: backup) {
            if case .integrityFailed = $0 { return true }
            if case .notADatabase = $0 { return true }
            return false
        }
    }

    @Test("restore refuses a file that is not a database, an empty one, and a missing one")
    func restoreRefusesNonDatabases() async throws {
        let fixture = try await Fixture(events: 4)
        defer { fixture.cleanup() }
        let text = fixture.backups.file("notes.txt")
        try Data(String(repeating: "not a database\n", count: 500).utf8).write(to: URL(fileURLWithPath: text))
        try await Self.expectRefused(fixture, backup: text) { if case .notADatabase = $0 { return true }; return false }
        let empty = fixture.backups.file("empty.sqlite")
        FileManager.default.createFile(atPath: empty, contents: Data())
        try await Self.expectRefused(fixture, backup: empty) { $0 == .backupMissing(path: empty) }
        let missing = fixture.backups.file("missing.sqlite")
        try await Self.expectRefused(fixture, backup: missing) { $0 == .backupMissing(path: missing) }
    }

    @Test("restore refuses a backup the master key does not open")
    func restoreRefusesWrongKey() async throws {
        let fixture = try await Fixture(events: 4)
        defer { fixture.cleanup() }
        let backup = fixture.backups.file("backup.sqlite")
        _ = try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: backup, replace: false)
        let other = MasterKey.generate()
        try await Self.expectRefused(fixture, backup: backup, key: other) { $0 == .masterKeyMismatch(path: backup, keyFingerprint: other.fingerprint) }
    }

    @Test("restore refuses a backup with a row planted or changed after it was written (its seal), and one whose audit chain was altered before it was sealed")
    func restoreRefusesTampering() async throws {
        let fixture = try await Fixture(events: 4)
        defer { fixture.cleanup() }
        let backup = fixture.backups.file("backup.sqlite")
        _ = try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: backup, replace: false)
        let pristine = try Self.contents(backup)

        // A planted admin token (what someone who may write to the backups' storage would add): the seal refuses it.
        let queue = try DatabaseQueue(path: backup)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO apiToken (id, name, role, secretHash, createdAt) VALUES ('00000000deadbeef', 'backup-job', 'admin', x'00', 1767225600000)")
        }
        try queue.close()
        try await Self.expectRefused(fixture, backup: backup) { $0 == .sealMismatch(path: backup) }

        // A changed audit row, and a file without a seal (a plain copy of a database): refused too.
        try pristine.write(to: URL(fileURLWithPath: backup))
        let edited = try DatabaseQueue(path: backup)
        try await edited.write { try $0.execute(sql: "UPDATE auditEvent SET principal = 'cn=someone-else' WHERE id = 2") }
        try edited.close()
        try await Self.expectRefused(fixture, backup: backup) { $0 == .sealMismatch(path: backup) }
        let unsealed = try DatabaseQueue(path: backup)
        try await unsealed.write { try $0.execute(sql: "DROP TABLE backupSeal") }
        try unsealed.close()
        try await Self.expectRefused(fixture, backup: backup) { $0 == .unsealed(path: backup) }

        // Sealed again under the right key after the edit (only a holder of the master key can): the audit chain still refuses it.
        let resealed = try DatabaseQueue(path: backup)
        try await resealed.write { try BackupSeal.seal($0, masterKey: fixture.key) }
        try resealed.close()
        try await Self.expectRefused(fixture, backup: backup) {
            guard case .auditChainBroken(_, let problem) = $0 else { return false }
            return problem.contains("at event 2")
        }
    }

    @Test("a backup into the data directory is refused, also through a symbolic link, and nothing there changes")
    func backupRefusesDataDirectory() async throws {
        let fixture = try await Fixture(events: 2)
        defer { fixture.cleanup() }
        let keyFile = fixture.directory.file("master.key")
        try Data(repeating: 7, count: 32).write(to: URL(fileURLWithPath: keyFile))
        let link = fixture.backups.file("into-data")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.directory.path)
        for output in [keyFile, fixture.database + "-wal", fixture.directory.file("new.sqlite"), link + "/master.key", link + "/other.sqlite"] {
            #expect(throws: BackupError.destinationInDataDirectory(path: output, directory: fixture.directory.path)) {
                try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: output, replace: true)
            }
        }
        #expect(try Self.contents(keyFile) == Data(repeating: 7, count: 32))
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("new.sqlite")))
    }

    @Test("restore refuses a backup from a newer build (unknown migrations)")
    func restoreRefusesNewerSchema() async throws {
        let fixture = try await Fixture(events: 4)
        defer { fixture.cleanup() }
        let backup = fixture.backups.file("backup.sqlite")
        _ = try StoreBackup.backup(databasePath: fixture.database, masterKey: fixture.key, to: backup, replace: false)
        let queue = try DatabaseQueue(path: backup)
        try await queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        try await Self.expectRefused(fixture, backup: backup) { $0 == .schemaTooNew(path: backup) }
    }
}
