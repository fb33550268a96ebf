#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB

/// Online backups of a store's database with SQLite's backup API (through GRDB's `backup(to:)`).
///
/// Copying `asana-access.sqlite` alone loses what is still in its `-wal` file (committed transactions not
/// yet checkpointed). The backup API reads the database as one connection sees it, WAL included, in a
/// single read transaction: the copy is the state of the last transaction committed when it started,
/// whatever the server writes meanwhile. It needs no lock on the data directory, so it runs next to `serve`.
public enum StoreBackup {
    /// How long the backup's reader waits for a lock (only a checkpoint or a crash recovery holds one long).
    static let busyTimeoutSeconds: Double = 10

    /// Copies the database at `databasePath` into a new file `destination` (mode 0600), then checks the copy.
    ///
    /// The copy is written to a hidden partial file next to `destination` and linked to its name only when
    /// complete, checked and synced to disk: an error, Ctrl-C or kill leaves no file at `destination`.
    /// The copy is checked with `PRAGMA integrity_check`, and `masterKey` must open it (its key check):
    /// the summary names that key's fingerprint, the key to keep with the backup.
    /// - Parameters:
    ///   - replace: replace an existing `destination` (`--force`); otherwise it is refused.
    /// - Returns: what the backup holds, read from the finished file.
    /// - Throws: ``BackupError/destinationExists(path:)``; ``BackupError/masterKeyMismatch(path:keyFingerprint:)``;
    ///   ``BackupError/integrityFailed(path:findings:)``; ``AccessStoreError/databaseMissing(path:)`` when there
    ///   is no database; ``AccessStoreError/fileSystem(path:message:)``; GRDB's `DatabaseError` when SQLite fails.
    public static func backup(databasePath: String, masterKey: MasterKey, to destination: String, replace: Bool) throws -> BackupSummary {
        guard let status = try FileModes.status(databasePath), status.isRegularFile, status.size > 0 else {
            throw AccessStoreError.databaseMissing(path: databasePath)
        }
        let dataDirectory = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        if isInside(destination, directory: dataDirectory) {
            throw BackupError.destinationInDataDirectory(path: destination, directory: dataDirectory)
        }
        if !replace, try FileModes.status(destination) != nil || isSymbolicLink(destination) {
            throw BackupError.destinationExists(path: destination)
        }
        let partial = try PartialFile(next: destination, tag: "backup")
        defer { partial.remove() }
        try copyDatabase(from: databasePath, to: partial.path)
        let summary = try inspect(partial.path, reportingAs: destination, masterKey: masterKey)
        let sealing = try DatabaseQueue(path: partial.path)
        try sealing.write { try BackupSeal.seal($0, masterKey: masterKey) }
        try sealing.close()
        try partial.publish(as: destination, replace: replace)
        return BackupSummary(path: destination, bytes: try FileModes.status(destination)?.size ?? summary.bytes, schemaVersion: summary.schemaVersion,
                             auditEventCount: summary.auditEventCount, lastAuditEventId: summary.lastAuditEventId,
                             masterKeyFingerprint: summary.masterKeyFingerprint)
    }

    /// Copies the database at `source` (opened read-only; its WAL included) into the empty file `destination`
    /// with the backup API in one step (one read transaction, so one committed state), then switches the copy to
    /// rollback-journal mode, so that it is one self-contained file (the store turns WAL back on when it opens it).
    /// - Throws: ``BackupError/notADatabase(path:message:)`` when SQLite cannot read `source`;
    ///   ``AccessStoreError/storeRetired(path:movedTo:at:)`` when `migrate-store` moved it to PostgreSQL.
    static func copyDatabase(from source: String, to destination: String) throws {
        var readOnly = Configuration()
        readOnly.readonly = true
        readOnly.busyMode = .timeout(busyTimeoutSeconds)
        do {
            let reader = try DatabaseQueue(path: source, configuration: readOnly)
            defer { try? reader.close() }
            // Reading the schema first makes SQLite parse the header: a file that is no database fails here.
            try reader.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
                // A store moved to PostgreSQL is backed up there; a copy of this one could only bring back a second store.
                try StoreRetirement.refuse(db, path: source)
            }
            let writer = try DatabaseQueue(path: destination, configuration: Configuration())
            defer { try? writer.close() }
            try reader.backup(to: writer)
            try writer.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
        } catch let error as DatabaseError where [ResultCode.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw BackupError.notADatabase(path: source, message: error.message ?? "\(error.resultCode)")
        }
    }

    /// Reads and checks the complete copy at `path`: integrity, a known schema, the key check under `masterKey`.
    /// Does not change the file. `reportingAs` is the name errors and the summary use.
    /// - Throws: ``BackupError`` naming the first check that failed.
    static func inspect(_ path: String, reportingAs name: String, masterKey: MasterKey) throws -> BackupSummary {
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw BackupError.notADatabase(path: name, message: error.message ?? "\(error.resultCode)")
        }
        defer { try? queue.close() }
        let migrator = Migrations.migrator(masterKey: masterKey)
        do {
            return try queue.read { db in
                let findings = try String.fetchAll(db, sql: "PRAGMA integrity_check(10)")
                guard findings == ["ok"] else { throw BackupError.integrityFailed(path: name, findings: findings) }
                guard try db.tableExists("grdb_migrations"), !(try migrator.appliedMigrations(db).isEmpty) else {
                    throw BackupError.notAStore(path: name)
                }
                if try migrator.hasBeenSuperseded(db) { throw BackupError.schemaTooNew(path: name) }
                if try db.tableExists("masterKeyCheck"), try MasterKeyCheck.opens(db, key: masterKey) == false {
                    throw BackupError.masterKeyMismatch(path: name, keyFingerprint: masterKey.fingerprint)
                }
                return try summary(db, name: name, bytes: try FileModes.status(path)?.size ?? 0, masterKey: masterKey)
            }
        } catch let error as DatabaseError where [ResultCode.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw BackupError.integrityFailed(path: name, findings: [error.message ?? "\(error.resultCode)"])
        }
    }

    /// The summary of the database `db` (whose schema and key were checked), named `name`, `bytes` long.
    static func summary(_ db: Database, name: String, bytes: Int, masterKey: MasterKey) throws -> BackupSummary {
        let schema = try Migrations.migrator(masterKey: masterKey).appliedMigrations(db).last ?? ""
        let hasLog = try db.tableExists("auditEvent")
        let count = hasLog ? try Int.fetchOne(db, sql: "SELECT count(*) FROM auditEvent") ?? 0 : 0
        let lastId = hasLog ? try Int64.fetchOne(db, sql: "SELECT max(id) FROM auditEvent") ?? 0 : 0
        return BackupSummary(path: name, bytes: bytes, schemaVersion: schema, auditEventCount: count,
                             lastAuditEventId: lastId, masterKeyFingerprint: masterKey.fingerprint)
    }

    /// Whether `path` (resolved: its directory through symbolic links, and the file itself when it is a link)
    /// is `directory` or lies under it.
    static func isInside(_ path: String, directory: String) -> Bool {
        func resolved(_ path: String) -> String? {
            guard let pointer = realpath(path, nil) else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        guard let root = resolved(directory) else { return false }
        let url = URL(fileURLWithPath: path)
        let candidates = [resolved(path), resolved(url.deletingLastPathComponent().path).map { "\($0)/\(url.lastPathComponent)" }]
        return candidates.compactMap { $0 }.contains { $0 == root || $0.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }
}

/// A hidden file (mode 0600) next to its final name, `.<name>.<tag>-<pid>-<random>`, given that name only when
/// complete (``publish(as:replace:)``); otherwise removed with its SQLite companions by ``remove()``.
struct PartialFile {
    let path: String
    private let directory: String

    /// Creates the empty file exclusively.
    /// - Throws: ``AccessStoreError/fileSystem(path:message:)``.
    init(next finalPath: String, tag: String) throws {
        let url = URL(fileURLWithPath: finalPath)
        directory = url.deletingLastPathComponent().path
        path = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw AccessStoreError.fileSystem(path: path, message: FileModes.lastError()) }
        defer { _ = close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw AccessStoreError.fileSystem(path: path, message: FileModes.lastError()) }
    }

    /// Syncs the file, gives it the name `finalPath` and syncs the directory. Without `replace`, an existing
    /// `finalPath` is refused (`link` fails with `EEXIST`: no race with a file created meanwhile).
    /// - Throws: ``BackupError/destinationExists(path:)``; ``AccessStoreError/fileSystem(path:message:)``.
    func publish(as finalPath: String, replace: Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AccessStoreError.fileSystem(path: path, message: FileModes.lastError()) }
        let synced = fsync(fd) == 0
        _ = close(fd)
        guard synced else { throw AccessStoreError.fileSystem(path: path, message: FileModes.lastError()) }
        if replace {
            guard rename(path, finalPath) == 0 else { throw AccessStoreError.fileSystem(path: finalPath, message: FileModes.lastError()) }
        } else {
            guard link(path, finalPath) == 0 else {
                if errno == EEXIST { throw BackupError.destinationExists(path: finalPath) }
                throw AccessStoreError.fileSystem(path: finalPath, message: FileModes.lastError())
            }
        }
        Self.syncDirectory(directory)
    }

    /// Removes the file (if still under its partial name) and any `-journal`, `-wal`, `-shm` beside it.
    func remove() {
        for suffix in ["", "-journal", "-wal", "-shm"] { _ = unlink(path + suffix) }
    }

    /// `fsync` on a directory, so that a rename or link in it survives a power loss. Best effort.
    static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }
}
