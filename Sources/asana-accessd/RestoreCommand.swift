import AccessService
import AccessStore
import ArgumentParser
import Foundation

/// `asana-accessd restore --from FILE`: replaces the database by a backup, after checking it, with the server stopped.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the database by a backup made with `asana-accessd backup`, after checking it; the server must be stopped.",
        discussion: """
            Takes the data directory's lock first, so it refuses at once (exit 1, naming the pid) while `serve` runs. \
            Checks a copy of the backup before anything is replaced: PRAGMA integrity_check, a schema this build knows \
            (an older one is migrated; a newer one refused), that the master key (--master-key, default \
            <data-dir>/master.key) opens it, and that its audit chain verifies. Then the current database is kept as \
            asana-access.sqlite.before-restore-<UTC time>, its -wal and -shm are removed, and the checked copy takes \
            its name in one rename; the restored log ends with a `restore` event (principal local:<user>) naming the backup's \
            last event and the replaced database's. Any failure leaves the current database as it was. The data directory must exist \
            and hold the master key the backup was made under; it need not hold a database.
            """)

    @OptionGroup var data: DataOptions
    @Option(help: ArgumentHelp("The backup file to restore.", valueName: "file"), completion: .file())
    var from: String

    func run() async throws {
        try data.location.refusePostgres("restore")
        let lock = try data.lockDataDirectory(purpose: "restore")
        defer { lock.release() }
        let key = try data.loadExistingKey()
        let outcome = try await StoreRestore.restore(from: from, databasePath: data.databasePath, masterKey: key,
                                                     principal: AccessService.localPrincipal())
        let restored = outcome.restored
        print("checked \(from): integrity ok, schema \(restored.schemaVersion), master key \(restored.masterKeyFingerprint) opens it, audit chain intact (\(restored.auditEventCount) events, last \(restored.lastAuditEventId))")
        if let previous = outcome.previousDatabase {
            print("the database it replaced is kept as \(previous): delete it once the restored server runs as it should")
        }
        print("restored \(data.databasePath) (\(restored.bytes) bytes); start the server")
    }
}
