import AccessStore
import ArgumentParser
import Foundation

/// `asana-accessd init`: creates the data directory, the master key (0600) and the database — the only
/// command that creates any of them.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the data directory, the master key and the database.",
        discussion: """
            Run once. On an existing store it changes nothing. It refuses a master key whose database is \
            missing or empty (the database was deleted, or --data-dir is wrong: restore it from a backup), \
            unless --new-database, and a database whose master key is missing (restore the key). \
            With --database (a PostgreSQL URL), it creates the master key in the data directory when there is none \
            and the store's tables in that database; copy the key file to every other server on it.
            """)

    @OptionGroup var data: DataOptions

    @Flag(name: .customLong("new-database"), help: "Create a new, empty database for an existing master key whose database is missing or empty (starts over: every credential, token and audit event is gone).")
    var newDatabase = false

    func run() async throws {
        if let database = try data.location.postgresLocation() {
            try await initPostgres(database)
            return
        }
        try FileManager.default.createDirectory(atPath: data.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let lock = try data.lockDataDirectory(purpose: "init")
        defer { lock.release() }
        let keyPath = data.resolvedMasterKeyPath
        let keyExists = FileManager.default.fileExists(atPath: keyPath)
        let databaseSize = (try? FileManager.default.attributesOfItem(atPath: data.databasePath)[.size] as? NSNumber)?.intValue

        if keyExists {
            let key = try MasterKey.load(from: keyPath)
            do {
                _ = try SQLiteAccessStore.open(path: data.databasePath, masterKey: key, mode: .existing)
                print("master key \(keyPath) already exists; left as it is")
                print("database \(data.databasePath) is ready")
                return
            } catch AccessStoreError.databaseMissing, AccessStoreError.databaseEmpty {
                guard newDatabase else {
                    let state = databaseSize == nil ? "is missing" : "is empty"
                    throw CommandFailure("the master key \(keyPath) exists but the database \(data.databasePath) \(state): it was deleted or --data-dir is wrong. Restore the database from a backup (copy the backup's asana-access.sqlite to \(data.databasePath) while no server runs; it needs this master key, or the retired one it was made with), or check --data-dir. To start over with a new, empty database under this key, run `asana-accessd init --new-database`.")
                }
                if let databaseSize, databaseSize > 0 {
                    throw CommandFailure("\(data.databasePath) is not an initialised database: move it away first, then run `asana-accessd init --new-database`")
                }
                _ = try SQLiteAccessStore.open(path: data.databasePath, masterKey: key, mode: .create)
                print("master key \(keyPath) already exists; left as it is")
                print("created a new, empty database \(data.databasePath) (--new-database)")
                return
            }
        }
        if databaseSize != nil {
            throw CommandFailure("the database \(data.databasePath) exists but its master key \(keyPath) is missing: restore the key file from your backup (or point --master-key at it); init does not make a new key for an existing database, which could not open its credentials")
        }
        let key = try MasterKey.create(at: keyPath)
        _ = try SQLiteAccessStore.open(path: data.databasePath, masterKey: key, mode: .create)
        print("created master key \(keyPath) (mode 0600); keep a copy: without it stored credentials cannot be opened")
        print("database \(data.databasePath) is ready")
    }

    /// `init --database URL`: the master key (created when missing), then the schema and key check in PostgreSQL.
    private func initPostgres(_ database: PostgresLocation) async throws {
        guard !newDatabase else {
            throw CommandFailure("--new-database is for the SQLite store; to start a PostgreSQL store over, create an empty database and point --database at it")
        }
        try FileManager.default.createDirectory(atPath: data.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keyPath = data.resolvedMasterKeyPath
        let created = !FileManager.default.fileExists(atPath: keyPath)
        let key = created ? try MasterKey.create(at: keyPath) : try MasterKey.load(from: keyPath)
        let store = try await PostgresAccessStore.connect(database, masterKey: key, mode: .create)
        await store.close()
        if created {
            print("created master key \(keyPath) (mode 0600); keep a copy, and give every server on this database the same file")
        } else {
            print("master key \(keyPath) already exists; left as it is")
        }
        print("database \(database.redacted) is ready")
    }
}
