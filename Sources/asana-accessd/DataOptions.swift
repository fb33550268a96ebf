import AccessStore
import ArgumentParser
import Foundation
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

    var resolvedMasterKeyPath: String {
        masterKeyPath ?? ProcessInfo.processInfo.environment[ServerSettings.masterKey.environment] ?? DataLocation.defaultMasterKey(in: dataDirectory)
    }

    var location: DataLocation { DataLocation(dataDirectory: dataDirectory, masterKeyPath: resolvedMasterKeyPath) }
    var databasePath: String { location.databasePath }
    func openStore() throws -> SQLiteAccessStore { try location.openStore() }
    func openStoreForWriting(purpose: String) throws -> (store: SQLiteAccessStore, lock: DataDirectoryLock) { try location.openStoreForWriting(purpose: purpose) }
    func lockDataDirectory(purpose: String) throws -> DataDirectoryLock { try location.lockDataDirectory(purpose: purpose) }
    func requireDataDirectory() throws { try location.requireDataDirectory() }
    func loadExistingKey() throws -> MasterKey { try location.loadExistingKey() }
}

/// Where the server keeps its state: `<data-dir>/master.key` (32 bytes, mode 0600),
/// `<data-dir>/asana-access.sqlite` (GRDB, WAL) and `<data-dir>/asana-accessd.lock` (the lock that
/// keeps one server or writing command at a time). The directory is created with mode 0700, by `init` only.
struct DataLocation {
    let dataDirectory: String
    let resolvedMasterKeyPath: String

    init(dataDirectory: String, masterKeyPath: String?) {
        self.dataDirectory = dataDirectory
        self.resolvedMasterKeyPath = masterKeyPath ?? Self.defaultMasterKey(in: dataDirectory)
    }

    static func defaultMasterKey(in dataDirectory: String) -> String { (dataDirectory as NSString).appendingPathComponent("master.key") }

    var databasePath: String { (dataDirectory as NSString).appendingPathComponent("asana-access.sqlite") }

    /// Opens the existing store: nothing is created (only `init` creates a data directory, key or database).
    /// - Throws: ``CommandFailure`` when the data directory, the key or the database is missing (saying
    ///   what to do); `AccessStoreError.databaseEmpty`, `.masterKeyPermissions`, `.masterKeyMismatch`, ….
    func openStore() throws -> SQLiteAccessStore {
        try requireDataDirectory()
        return try SQLiteAccessStore.open(path: databasePath, masterKey: try loadExistingKey(), mode: .existing)
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
    ///   another writing command holds it; what ``openStore()`` throws.
    func openStoreForWriting(purpose: String) throws -> (store: SQLiteAccessStore, lock: DataDirectoryLock) {
        let lock = try lockDataDirectory(purpose: purpose)
        return (try openStore(), lock)
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
