import AccessStore
import ArgumentParser
import Foundation
import Logging
import ServerConfiguration

/// `--data-dir` and `--master-key` of the administration commands (`serve` reads them with its other settings,
/// through ``ServerSettings``; the environment variables are the same).
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Directory of the database and master key (env ASANA_ACCESSD_DATA).", valueName: "dir"),
            completion: .directory)
    var dataDirectory: String = ProcessInfo.processInfo.environment[ServerSettings.dataDirectory.environment] ?? ServerSettings.dataDirectory.defaultValue

    @Option(name: .customLong("master-key"), help: ArgumentHelp("Master key file; default <data-dir>/master.key (env ASANA_ACCESSD_MASTER_KEY).", valueName: "file"),
            completion: .file())
    var masterKeyPath: String?

    @Option(name: .customLong("database"), help: ArgumentHelp("PostgreSQL URL of a store shared by several servers (env ASANA_ACCESSD_DATABASE_URL); unset: SQLite in the data directory.", valueName: "url"))
    var databaseURL: String? = ProcessInfo.processInfo.environment[ServerSettings.databaseURL.environment].flatMap { $0.isEmpty ? nil : $0 }

    var resolvedMasterKeyPath: String {
        masterKeyPath ?? ProcessInfo.processInfo.environment[ServerSettings.masterKey.environment] ?? DataLocation.defaultMasterKey(in: dataDirectory)
    }

    var location: DataLocation { DataLocation(dataDirectory: dataDirectory, masterKeyPath: resolvedMasterKeyPath, databaseURL: databaseURL) }
    var databasePath: String { location.databasePath }
    func openStore(readingRetired: Bool = false) async throws -> any AccessStore { try await location.openStore(readingRetired: readingRetired) }
    func openSQLiteStore(for command: String) throws -> SQLiteAccessStore { try location.openSQLiteStore(for: command) }
    func openStoreForWriting(purpose: String) throws -> (store: SQLiteAccessStore, lock: DataDirectoryLock) { try location.openStoreForWriting(purpose: purpose) }
    func lockDataDirectory(purpose: String) throws -> DataDirectoryLock { try location.lockDataDirectory(purpose: purpose) }
    func requireDataDirectory() throws { try location.requireDataDirectory() }
    func loadExistingKey() throws -> MasterKey { try location.loadExistingKey() }
}

/// Where the server keeps its state: `<data-dir>/master.key` (32 bytes, mode 0600),
/// `<data-dir>/asana-access.sqlite` (GRDB, WAL) and `<data-dir>/asana-accessd.lock` (the lock that
/// keeps one server or writing command at a time). The directory is created with mode 0700, by `init` only.
///
/// With a database URL (`--database`, `database.url`), the store is PostgreSQL, shared by several servers: the data
/// directory then holds only the master key (every server needs the same key file) and takes no lock.
struct DataLocation {
    let dataDirectory: String
    let resolvedMasterKeyPath: String
    /// The PostgreSQL URL, nil for SQLite in the data directory.
    let databaseURL: String?

    init(dataDirectory: String, masterKeyPath: String?, databaseURL: String? = nil) {
        self.dataDirectory = dataDirectory
        self.resolvedMasterKeyPath = masterKeyPath ?? Self.defaultMasterKey(in: dataDirectory)
        self.databaseURL = databaseURL
    }

    /// The PostgreSQL location of ``databaseURL``, nil for SQLite.
    /// - Throws: ``CommandFailure`` naming what is wrong with the URL (never its password).
    func postgresLocation() throws -> PostgresLocation? {
        guard let databaseURL else { return nil }
        do {
            return try PostgresLocation(databaseURL)
        } catch {
            throw CommandFailure("--database (ASANA_ACCESSD_DATABASE_URL): \(error)")
        }
    }

    /// Opens the store: SQLite in the data directory, or PostgreSQL when a database URL is set (connecting,
    /// migrating its schema and checking the master key). Nothing is created in the data directory.
    /// - Throws: what ``openSQLiteStore(for:)`` and ``connectPostgres(_:logger:)`` throw.
    /// - Parameter readingRetired: a SQLite store `migrate-store` retired is opened too (for commands that only read).
    func openStore(logger: Logger = Logger(label: "asana-accessd.store"), readingRetired: Bool = false) async throws -> any AccessStore {
        if let database = try postgresLocation() { return try await connectPostgres(database, logger: logger) }
        return try openSQLite(readingRetired: readingRetired)
    }

    /// The SQLite store, for a command that works on its file (backup, restore, rotate-key).
    /// - Throws: ``CommandFailure`` when a database URL is set, saying what to use instead; what ``openSQLite()`` throws.
    func openSQLiteStore(for command: String) throws -> SQLiteAccessStore {
        try refusePostgres(command)
        return try openSQLite()
    }

    /// Refuses `command` on a PostgreSQL store.
    func refusePostgres(_ command: String) throws {
        guard databaseURL == nil else {
            if command == "rotate-key" {
                throw CommandFailure("`rotate-key` works on the SQLite store in the data directory only: the master key of a PostgreSQL store (--database, ASANA_ACCESSD_DATABASE_URL) cannot be rotated yet")
            }
            throw CommandFailure("`\(command)` works on the SQLite store in the data directory; with --database (ASANA_ACCESSD_DATABASE_URL) the store is PostgreSQL: use PostgreSQL's own tools (pg_dump, pg_basebackup, or your provider's point-in-time recovery) instead")
        }
    }

    /// Connects to the PostgreSQL store with the data directory's master key.
    /// - Throws: ``CommandFailure`` when the key file is missing (saying that every server needs the same one);
    ///   `AccessStoreError.storageUnavailable` (the URL without its password), `.masterKeyMismatch`, `.databaseTooNew`.
    func connectPostgres(_ database: PostgresLocation, logger: Logger) async throws -> PostgresAccessStore {
        let key: MasterKey
        do {
            key = try MasterKey.load(from: resolvedMasterKeyPath)
        } catch AccessStoreError.masterKeyMissing(let path) {
            throw CommandFailure("no master key at \(path): every server on the PostgreSQL store \(database.redacted) needs the key file the store was created with; copy it from the first server (mode 0600, owned by the service's user), or, for a new store, run `asana-accessd init --database URL` once")
        }
        return try await PostgresAccessStore.connect(database, masterKey: key, logger: logger)
    }

    static func defaultMasterKey(in dataDirectory: String) -> String { (dataDirectory as NSString).appendingPathComponent("master.key") }

    var databasePath: String { (dataDirectory as NSString).appendingPathComponent("asana-access.sqlite") }

    /// Opens the existing store: nothing is created (only `init` creates a data directory, key or database).
    /// - Throws: ``CommandFailure`` when the data directory, the key or the database is missing (saying
    ///   what to do); `AccessStoreError.databaseEmpty`, `.masterKeyPermissions`, `.masterKeyMismatch`, ….
    func openSQLite(readingRetired: Bool = false) throws -> SQLiteAccessStore {
        try requireDataDirectory()
        return try SQLiteAccessStore.open(path: databasePath, masterKey: try loadExistingKey(), mode: .existing, readingRetired: readingRetired)
    }

    /// Loads the master key, which must exist (nothing is created).
    /// - Throws: ``CommandFailure`` when the key file is missing (saying what to do); `AccessStoreError.masterKeyPermissions`, `.masterKeyInvalid`.
    func loadExistingKey() throws -> MasterKey {
        do {
            return try MasterKey.load(from: resolvedMasterKeyPath)
        } catch AccessStoreError.masterKeyMissing(let path) {
            if FileManager.default.fileExists(atPath: databasePath) {
                throw CommandFailure("the database \(databasePath) exists but its master key \(path) is missing: restore the key file from your backup (or point --master-key / ASANA_ACCESSD_MASTER_KEY at it); without it the stored credentials cannot be opened, and no new key is made for an existing database")
            }
            throw CommandFailure("no store in \(dataDirectory): no master key at \(path) and no database. Check --data-dir (or ASANA_ACCESSD_DATA); create a new store with `asana-accessd init --data-dir \(dataDirectory)`, or, to restore a backup, copy the master key it was made under to \(path) (mode 0600)")
        }
    }

    /// Takes the data directory's lock (see `DataDirectoryLock`) for a command that writes, then opens the
    /// existing store. Keep the lock alive until the command has finished.
    /// - Throws: `AccessStoreError.dataDirectoryLocked` (naming the holder's pid) at once when a server or
    ///   another writing command holds it; what ``openSQLite()`` throws.
    func openStoreForWriting(purpose: String) throws -> (store: SQLiteAccessStore, lock: DataDirectoryLock) {
        try refusePostgres(purpose)
        let lock = try lockDataDirectory(purpose: purpose)
        return (try openSQLite(), lock)
    }

    /// Takes the data directory's lock; the directory must exist.
    func lockDataDirectory(purpose: String) throws -> DataDirectoryLock {
        try requireDataDirectory()
        return try DataDirectoryLock.acquire(directory: dataDirectory, purpose: purpose)
    }

    /// Refuses a data directory that does not exist (a typo must not become a new, empty store).
    func requireDataDirectory() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataDirectory, isDirectory: &isDirectory) else {
            throw CommandFailure("there is no data directory \(dataDirectory): check --data-dir (or ASANA_ACCESSD_DATA); only `asana-accessd init --data-dir \(dataDirectory)` creates a new store")
        }
        guard isDirectory.boolValue else {
            throw CommandFailure("the data directory \(dataDirectory) is not a directory: check --data-dir (or ASANA_ACCESSD_DATA)")
        }
    }
}
