import Foundation
import GRDB

/// The server's store in SQLite: sealed credentials, workspace snapshots (users, teams, team
/// memberships), sync runs and the audit log. It implements every requirement of ``AccessStore``.
///
/// Layout follows GRDB's `AppDatabase` pattern (swift-style.md §1.7): one value owning a
/// `DatabaseWriter` and the `DatabaseMigrator`. A file store is a `DatabasePool` in WAL mode
/// (concurrent readers, one writer); tests use an in-memory `DatabaseQueue`.
///
/// Every connection runs `PRAGMA secure_delete = ON` (freed pages are zeroed, so old sealed
/// secrets do not linger); the writer waits up to ``busyTimeoutSeconds`` for a lock before failing.
/// Dates are stored as INTEGER Unix milliseconds; values read back have millisecond precision.
///
/// Methods that touch the database are `async`: the calling task is suspended while GRDB's queue runs
/// the transaction, and the transaction runs to its end even when the task is cancelled meanwhile.
/// Call them from any task. Opening (``open(path:masterKey:mode:)``, ``inMemory(masterKey:)``) and
/// ``close()`` stay synchronous: they run once, before anything is served or after it all stopped.
/// SQLite failures surface as GRDB's `DatabaseError`; everything else as ``AccessStoreError``.
public struct SQLiteAccessStore: AccessStore {
    /// How long the writer connection waits for another's lock before failing with `SQLITE_BUSY`.
    /// (`DatabasePool` readers rarely wait in WAL mode; GRDB gives them its own 10 s timeout.)
    public static let busyTimeoutSeconds: Double = 5

    /// How much of the database each SQLite connection keeps in memory, in KiB: 32 MiB (`PRAGMA cache_size`,
    /// https://www.sqlite.org/pragma.html#pragma_cache_size). A server has one writer connection and at most five
    /// readers (GRDB's `maximumReaderCount`); a connection's cache grows only as it reads, up to this.
    ///
    /// SQLite's default, 2 MiB, holds a few percent of a store of 100,000 people (about 140 MB): a `listUsers` query
    /// answered from the text index, whose matches are scattered over the table, then read most of its pages from
    /// the operating system again at every call. At 100,000 people, SQLite alone: a last name's page (2,440 matches)
    /// 5.4 -> 3.4 ms; plain pages unchanged (Benchmarks/RESULTS.md, session 10).
    public static let pageCacheKiB = 32 * 1024

    /// The writer (and reader) of the database, mapping storage failures to ``AccessStoreError``.
    /// Internal: SQL stays behind this type.
    let dbWriter: StoreDatabase
    /// The key that seals and opens credentials. It never enters the database.
    let masterKey: MasterKey
    /// The database file path, or nil in memory.
    let path: String?

    /// Wraps `writer` and migrates it to the current schema.
    /// - Throws: ``AccessStoreError/databaseTooNew(path:)`` when the file holds migrations this build does not know;
    ///   ``AccessStoreError/masterKeyMismatch(path:)`` when the database was first used with another master key;
    ///   ``AccessStoreError/storageFull(path:)`` / ``AccessStoreError/storageUnavailable(path:message:)``.
    init(writer: any DatabaseWriter, masterKey: MasterKey, path: String?) throws {
        self.dbWriter = StoreDatabase(writer: writer, path: path ?? ":memory:")
        self.masterKey = masterKey
        self.path = path
        let migrator = Migrations.migrator(masterKey: masterKey)
        let database = dbWriter
        if try database.read({ try migrator.hasBeenSuperseded($0) }) {
            throw AccessStoreError.databaseTooNew(path: path ?? ":memory:")
        }
        // The key check comes first on a database that has one, so a wrong key never migrates
        // (migration v8 re-MACs the audit chain with a key derived from the master key); a new
        // database gets its check once migrated.
        let hasKeyCheck = try database.read { try $0.tableExists("masterKeyCheck") }
        if hasKeyCheck { try MasterKeyCheck.verify(database, key: masterKey, path: path) }
        try database.mapStorageErrors { try migrator.migrate(writer) }
        if !hasKeyCheck { try MasterKeyCheck.verify(database, key: masterKey, path: path) }
    }

    /// How ``open(path:masterKey:mode:)`` treats a missing database.
    public enum OpenMode: Sendable, Equatable {
        /// The database must exist and hold a schema (only `asana-accessd init` creates one):
        /// a missing file throws ``AccessStoreError/databaseMissing(path:)``, an empty one
        /// (0 bytes, or no migration ever applied) ``AccessStoreError/databaseEmpty(path:)``; nothing is created.
        case existing
        /// Creates the directory (mode 0700) and the database when missing; an existing file is opened as it is.
        case create
    }

    /// Opens the store at `path`, a file in a directory of its own (SQLite puts `-wal` and `-shm` files next to it).
    ///
    /// With ``OpenMode/create``, a missing directory is created with mode 0700 and a missing database
    /// file is created; with ``OpenMode/existing`` (the default) nothing is created. The database file
    /// (and its `-wal`/`-shm` companions, which SQLite creates with the file's mode) is set to mode 0600.
    /// - Throws: ``AccessStoreError/databaseMissing(path:)``, ``AccessStoreError/databaseEmpty(path:)`` (mode `existing`),
    ///   ``AccessStoreError/fileSystem(path:message:)``, ``AccessStoreError/databaseTooNew(path:)``,
    ///   ``AccessStoreError/masterKeyMismatch(path:)``, ``AccessStoreError/storeRetired(path:movedTo:at:)`` when
    ///   `migrate-store` moved it to PostgreSQL, GRDB's `DatabaseError` when the file is not a database.
    /// - Parameter readingRetired: open a store `migrate-store` retired anyway, for commands that only read it
    ///   (`audit verify`, `head`, `export`: an auditor still reads the log that ends with the move).
    public static func open(path: String, masterKey: MasterKey, mode: OpenMode = .existing, readingRetired: Bool = false) throws -> SQLiteAccessStore {
        switch mode {
        case .create:
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
        case .existing:
            guard let status = try FileModes.status(path) else { throw AccessStoreError.databaseMissing(path: path) }
            guard status.isRegularFile else { throw AccessStoreError.fileSystem(path: path, message: "not a regular file") }
            // SQLite would treat a 0-byte file as a new database and write a schema into it.
            guard status.size > 0 else { throw AccessStoreError.databaseEmpty(path: path) }
            try FileModes.restrictToOwner(path, create: false)
        }
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileModes.restrictToOwner(path + suffix, create: false)
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: makeConfiguration())
        } catch let error as DatabaseError {
            throw StoreDatabase.storageError(error, path: path) ?? error
        }
        if mode == .existing {
            let initialised = try StoreDatabase(writer: pool, path: path).read { db in
                try db.tableExists("grdb_migrations")
                    && (try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0) > 0
            }
            guard initialised else {
                try? pool.close()
                throw AccessStoreError.databaseEmpty(path: path)
            }
        }
        let store = try SQLiteAccessStore(writer: pool, masterKey: masterKey, path: path)
        if !readingRetired {
            do {
                try store.dbWriter.read { try StoreRetirement.refuse($0, path: path) }
            } catch {
                try? pool.close()
                throw error
            }
        }
        return store
    }

    /// A fresh store in memory (a `DatabaseQueue`), for tests and demos. Gone when the value is released.
    public static func inMemory(masterKey: MasterKey) throws -> SQLiteAccessStore {
        let queue = try DatabaseQueue(configuration: makeConfiguration())
        return try SQLiteAccessStore(writer: queue, masterKey: masterKey, path: nil)
    }

    /// The GRDB configuration of every store: foreign keys on (GRDB's default), `secure_delete`, the page cache
    /// (``pageCacheKiB``), busy timeout, the `searchKey` SQL function (``SearchKey``) and the `searchTrigrams`
    /// aggregate (``SearchTrigrams``). Setup closures already in `base` run first.
    static func makeConfiguration(_ base: Configuration = Configuration()) -> Configuration {
        var config = base
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeoutSeconds)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA cache_size = -\(pageCacheKiB)")
            try SearchKey.install(in: db)
            try SearchTrigrams.install(in: db)
        }
        return config
    }

    /// Checkpoints the WAL into the main file (truncating it) when this is a file store.
    /// Safe to call at any time; a no-op in memory.
    public func checkpoint() async throws {
        guard path != nil else { return }
        try await dbWriter.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    /// Closes the database connections. Any later call on this store (or a copy of it) throws.
    /// Synchronous, so that a `defer` can close a store; call it once nothing uses the store any more.
    public func close() throws {
        try dbWriter.close()
    }
}
