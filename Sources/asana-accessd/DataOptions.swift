import AccessStore
import ArgumentParser
import Foundation

/// Where the server keeps its state: `<data-dir>/master.key` (32 bytes, mode 0600) and
/// `<data-dir>/asana-access.sqlite` (GRDB, WAL). The directory is created with mode 0700.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Directory of the database and master key (env ASANA_ACCESSD_DATA).", valueName: "dir"),
            completion: .directory)
    var dataDirectory: String = ProcessInfo.processInfo.environment["ASANA_ACCESSD_DATA"] ?? "var"

    @Option(name: .customLong("master-key"), help: ArgumentHelp("Master key file; default <data-dir>/master.key (env ASANA_ACCESSD_MASTER_KEY).", valueName: "file"),
            completion: .file())
    var masterKeyPath: String?

    var resolvedMasterKeyPath: String {
        masterKeyPath ?? ProcessInfo.processInfo.environment["ASANA_ACCESSD_MASTER_KEY"] ?? (dataDirectory as NSString).appendingPathComponent("master.key")
    }

    var databasePath: String { (dataDirectory as NSString).appendingPathComponent("asana-access.sqlite") }

    /// Opens the store with the existing master key.
    /// - Throws: `AccessStoreError.masterKeyMissing` (run `asana-accessd init`), `.masterKeyPermissions`, or a database error.
    func openStore() throws -> AccessStore {
        let key = try MasterKey.load(from: resolvedMasterKeyPath)
        return try AccessStore.open(path: databasePath, masterKey: key)
    }

    /// Creates the data directory and the master key if missing, then opens the store.
    func initializeStore() throws -> (store: AccessStore, createdKey: Bool) {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let existed = FileManager.default.fileExists(atPath: resolvedMasterKeyPath)
        let key = try MasterKey.loadOrCreate(at: resolvedMasterKeyPath)
        return (try AccessStore.open(path: databasePath, masterKey: key), !existed)
    }
}
