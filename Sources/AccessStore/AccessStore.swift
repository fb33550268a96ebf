import Foundation
import GRDB

/// The server's SQLite store: sealed credentials, workspace snapshots (users, teams, team
/// memberships), sync runs and the audit log.
///
/// Layout follows GRDB's `AppDatabase` pattern (swift-style.md §1.7): one value owning a
/// `DatabaseWriter` and the `DatabaseMigrator`. A file store is a `DatabasePool` in WAL mode
/// (concurrent readers, one writer); tests use an in-memory `DatabaseQueue`.
///
/// Every connection runs `PRAGMA secure_delete = ON` (freed pages are zeroed, so old sealed
/// secrets do not linger); the writer waits up to ``busyTimeoutSeconds`` for a lock before failing.
/// Dates are stored as INTEGER Unix milliseconds; values read back have millisecond precision.
///
/// Methods are synchronous and thread-safe: call them from any thread or task.
/// SQLite failures surface as GRDB's `DatabaseError`; everything else as ``AccessStoreError``.
public struct AccessStore: Sendable {
    /// How long the writer connection waits for another's lock before failing with `SQLITE_BUSY`.
    /// (`DatabasePool` readers rarely wait in WAL mode; GRDB gives them its own 10 s timeout.)
    public static let busyTimeoutSeconds: Double = 5

    /// The writer (and reader) of the database. Internal: SQL stays behind this type.
    let dbWriter: any DatabaseWriter
    /// The key that seals and opens credentials. It never enters the database.
    let masterKey: MasterKey
    /// The database file path, or nil in memory.
    let path: String?

    /// Wraps `dbWriter` and migrates it to the current schema.
    /// - Throws: ``AccessStoreError/databaseTooNew(path:)`` when the file holds migrations this build does not know;
    ///   ``AccessStoreError/masterKeyMismatch(path:)`` when the database was first used with another master key.
    init(dbWriter: any DatabaseWriter, masterKey: MasterKey, path: String?) throws {
        self.dbWriter = dbWriter
        self.masterKey = masterKey
        self.path = path
        let migrator = Migrations.migrator
        if try dbWriter.read({ try migrator.hasBeenSuperseded($0) }) {
            throw AccessStoreError.databaseTooNew(path: path ?? ":memory:")
        }
        try migrator.migrate(dbWriter)
        try MasterKeyCheck.verify(dbWriter, key: masterKey, path: path)
    }

    /// Opens (creating if needed) the store at `path`, a file in a directory of its own
    /// (SQLite puts `-wal` and `-shm` files next to it).
    ///
    /// A missing directory is created with mode 0700; the database file (and its `-wal`/`-shm`
    /// companions, which SQLite creates with the file's mode) is set to mode 0600.
    /// - Throws: ``AccessStoreError/fileSystem(path:message:)``, ``AccessStoreError/databaseTooNew(path:)``,
    ///   GRDB's `DatabaseError` when the file is not a database.
    public static func open(path: String, masterKey: MasterKey) throws -> AccessStore {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw AccessStoreError.fileSystem(path: directory, message: "cannot create directory (\(error.localizedDescription))")
            }
        }
        try FileModes.restrictToOwner(path, create: true)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileModes.restrictToOwner(path + suffix, create: false)
        }
        let pool = try DatabasePool(path: path, configuration: makeConfiguration())
        return try AccessStore(dbWriter: pool, masterKey: masterKey, path: path)
    }

    /// A fresh store in memory (a `DatabaseQueue`), for tests and demos. Gone when the value is released.
    public static func inMemory(masterKey: MasterKey) throws -> AccessStore {
        let queue = try DatabaseQueue(configuration: makeConfiguration())
        return try AccessStore(dbWriter: queue, masterKey: masterKey, path: nil)
    }

    /// The GRDB configuration of every store: foreign keys on (GRDB's default), `secure_delete`,
    /// busy timeout. Setup closures already in `base` run first.
    static func makeConfiguration(_ base: Configuration = Configuration()) -> Configuration {
        var config = base
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeoutSeconds)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return config
    }

    /// Checkpoints the WAL into the main file (truncating it) when this is a file store.
    /// Safe to call at any time; a no-op in memory.
    public func checkpoint() throws {
        guard path != nil else { return }
        try dbWriter.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    /// Closes the database connections. Any later call on this store (or a copy of it) throws.
    public func close() throws {
        try dbWriter.close()
    }
}
