/// Why a backup could not be written, or a backup file is refused for a restore. Nothing was replaced in
/// either case: a backup's partial file is removed, and a restore leaves the current database as it was.
public enum BackupError: Error, Equatable, CustomStringConvertible {
    /// The backup's destination exists and `--force` was not given.
    case destinationExists(path: String)
    /// The file to restore from does not exist, is not a regular file, or is empty.
    case backupMissing(path: String)
    /// SQLite cannot read the file as a database (`SQLITE_NOTADB` and the like).
    case notADatabase(path: String, message: String)
    /// The file is an SQLite database but not an asana-access store (no migration was ever applied).
    case notAStore(path: String)
    /// `PRAGMA integrity_check` found damage; `findings` holds its first lines.
    case integrityFailed(path: String, findings: [String])
    /// The backup holds migrations this build does not know (made by a newer asana-accessd).
    case schemaTooNew(path: String)
    /// The master key in use does not open the backup (its key check was sealed under another key).
    case masterKeyMismatch(path: String, keyFingerprint: String)
    /// The backup's audit chain does not verify under the master key in use.
    case auditChainBroken(path: String, problem: String)
    /// The file has no seal (``BackupSeal``): it was not written by `asana-accessd backup`.
    case unsealed(path: String)
    /// The backup's seal does not match its contents: a table was changed after the backup was written.
    case sealMismatch(path: String)
    /// The backup's destination is inside the data directory, whose files belong to the store.
    case destinationInDataDirectory(path: String, directory: String)

    public var description: String {
        switch self {
        case .destinationExists(let path):
            return "\(path) exists: choose another --output, or pass --force to replace it"
        case .backupMissing(let path):
            return "no backup at \(path) (missing, not a regular file, or empty): check --from"
        case .notADatabase(let path, let message):
            return "\(path) is not a readable SQLite database (\(message)): nothing was restored"
        case .notAStore(let path):
            return "\(path) is an SQLite database but not an asana-access store (no schema): nothing was restored"
        case .integrityFailed(let path, let findings):
            return "\(path) is damaged (PRAGMA integrity_check: \(findings.joined(separator: "; "))): nothing was restored; use an older backup"
        case .schemaTooNew(let path):
            return "\(path) was written by a newer asana-accessd (its schema has migrations this build does not know): restore it with that version or newer"
        case .masterKeyMismatch(let path, let fingerprint):
            return "the master key \(fingerprint) does not open \(path): it was made under another key. Point --master-key (or ASANA_ACCESSD_MASTER_KEY) at the key kept with that backup; nothing was restored"
        case .auditChainBroken(let path, let problem):
            return "the audit chain of \(path) does not verify (\(problem)): the backup was altered, or made under another key; nothing was restored"
        case .unsealed(let path):
            return "\(path) has no backup seal: restore takes only files written by `asana-accessd backup`, whose seal (an HMAC under the master key) proves no row was added or changed since; nothing was restored"
        case .sealMismatch(let path):
            return "the seal of \(path) does not match its contents: rows were added, changed or removed after the backup was written; nothing was restored. Use another backup"
        case .destinationInDataDirectory(let path, let directory):
            return "\(path) is inside the data directory \(directory), whose files (the database, its WAL, the master key) belong to the store: write the backup somewhere else"
        }
    }
}
