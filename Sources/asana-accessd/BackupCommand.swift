import AccessStore
import ArgumentParser
import Foundation

/// `asana-accessd backup --output FILE`: an online, consistent copy of the database (WAL included) while
/// `serve` runs. It takes no lock on the data directory; it reads the database as one more reader.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database (WAL included) to a new file, while the server runs.",
        discussion: """
            Uses SQLite's online backup API: the copy is the database as of the last transaction committed when the \
            backup started, whatever the server commits meanwhile (copying asana-access.sqlite with cp misses what \
            is still in asana-access.sqlite-wal). The file is created with mode 0600 under a hidden name and given \
            its name only when complete and checked (PRAGMA integrity_check, and the master key opens it); an existing \
            file is refused unless --force. The backup does not contain the master key, and is useless without the key \
            it prints the fingerprint of: back the key up separately (and again after rotate-key). Restore with \
            `asana-accessd restore --from FILE`.
            """)

    @OptionGroup var data: DataOptions
    @Option(help: ArgumentHelp("The backup file to write (mode 0600); its directory must exist.", valueName: "file"), completion: .file())
    var output: String
    @Flag(help: "Replace --output if it exists.")
    var force = false

    func run() async throws {
        try data.location.refusePostgres("backup")
        try data.requireDataDirectory()
        let key = try data.loadExistingKey()
        let summary = try StoreBackup.backup(databasePath: data.databasePath, masterKey: key, to: output, replace: force)
        print("wrote \(summary.path): \(summary.bytes) bytes, schema \(summary.schemaVersion), \(summary.auditEventCount) audit events (last \(summary.lastAuditEventId)); integrity ok")
        print("it opens only with the master key \(summary.masterKeyFingerprint) (\(data.resolvedMasterKeyPath)): keep a copy of that key apart from the backup")
    }
}
