import AccessProtocol
import Foundation

/// Errors thrown by ``AccessStore`` and ``MasterKey``.
///
/// A full disk (`SQLITE_FULL`) surfaces as ``storageFull(path:)`` and other I/O failures
/// (`SQLITE_IOERR`, `SQLITE_CANTOPEN`, `SQLITE_READONLY`) as ``storageUnavailable(path:message:)``;
/// other SQLite failures (locked past the busy timeout, corrupt file) are not wrapped: they surface as GRDB's `DatabaseError`.
/// Every case's ``description`` is one sentence saying what happened and what to do.
public enum AccessStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No master key file at `path`.
    case masterKeyMissing(path: String)
    /// The master key file at `path` can be read by its group or by others (`mode & 0o077 != 0`).
    /// `mode` holds the permission bits (for example `0o644`).
    case masterKeyPermissions(path: String, mode: Int)
    /// The master key file at `path` is not a regular file of exactly 32 bytes.
    case masterKeyInvalid(path: String)
    /// ``MasterKey/create(at:)`` refuses to overwrite the existing file at `path`.
    case masterKeyExists(path: String)
    /// The database was first used with another master key (a wrong `--master-key`, or a key file replaced).
    case masterKeyMismatch(path: String)
    /// AES-GCM refused to open the credential of this row: the ciphertext, its nonce, tag or
    /// associated data (workspace, purpose, kind, key version) changed, or it was sealed under another master key.
    case credentialTampered(workspaceGid: String, purpose: CredentialPurpose)
    /// AES-GCM refused to open the stored client secret of the OAuth app `clientId` (altered, or another master key).
    case oauthClientTampered(clientId: String)
    /// A ``UserQuery/cursor`` that this store did not produce (not base64url JSON of a page key).
    case invalidCursor
    /// A ``UserQuery`` (or other listing request) outside its documented bounds; the text names the field.
    case invalidQuery(String)
    /// An argument outside its documented bounds (empty secret, empty gid, non-JSON audit text …).
    case invalidArgument(String)
    /// ``APITokenStore/createAPIToken(name:role:at:expiresAt:)`` with a name already used by a token, active or revoked.
    case apiTokenNameTaken(name: String)
    /// No sync run with this id.
    case syncRunNotFound(id: Int64)
    /// ``SyncRunStore/finishSyncRun(id:status:counts:apiCalls:rateLimited:error:at:)`` on a run that is no longer `running`.
    case syncRunAlreadyFinished(id: Int64)
    /// The database at `path` was migrated by a newer version of this software.
    case databaseTooNew(path: String)
    /// A file-system call failed on `path` (creating the key file or the database directory).
    case fileSystem(path: String, message: String)
    /// SQLite could not write because the disk (or the database's page limit) is full: the
    /// transaction was rolled back, nothing of it was committed. `path` is the database (`:memory:` in memory).
    case storageFull(path: String)
    /// SQLite failed to read or write the database file for a reason other than a full disk
    /// (`SQLITE_IOERR`, `SQLITE_CANTOPEN`, `SQLITE_READONLY`); nothing of the transaction was committed.
    case storageUnavailable(path: String, message: String)
    /// ``SQLiteAccessStore/open(path:masterKey:mode:)`` in ``SQLiteAccessStore/OpenMode/existing`` mode found no database file at `path`.
    case databaseMissing(path: String)
    /// The database file at `path` exists but is empty (0 bytes, or no schema): it was never
    /// initialised, or it was truncated or replaced. It is not re-created.
    case databaseEmpty(path: String)
    /// Another process holds the data directory's lock file `lockPath`; `holderPid` is the pid it
    /// wrote there (nil when unreadable).
    case dataDirectoryLocked(lockPath: String, holderPid: Int32?)
    /// `asana-accessd migrate-store` copied the SQLite store at `path` into the PostgreSQL database `movedTo` (its
    /// URL without the password) at `at`: the copy is the store now, and this one is not opened (``StoreRetirement``).
    case storeRetired(path: String, movedTo: String, at: Date)

    /// `true` for ``storageFull(path:)`` and ``storageUnavailable(path:message:)``: the database could
    /// not be written, whatever the call was about; callers that map other store errors to an answer
    /// about their arguments must let these through.
    public var isStorageFailure: Bool {
        switch self {
        case .storageFull, .storageUnavailable: return true
        default: return false
        }
    }

    /// One sentence: what happened and what to do.
    public var description: String {
        switch self {
        case .masterKeyMissing(let path):
            return "No master key at \(path): create one with `asana-accessd init` (it makes a 32-byte key file, mode 0600) or point the server at the right file."
        case .masterKeyPermissions(let path, let mode):
            return "The master key \(path) has mode \(String(mode, radix: 8)) and is readable by group or others: run `chmod 600 \(path)` and check who may have read it."
        case .masterKeyInvalid(let path):
            return "The master key \(path) is not a regular file of exactly 32 bytes: restore the right key file from backup."
        case .masterKeyExists(let path):
            return "A master key already exists at \(path); refusing to overwrite it (move it away first if you really mean to replace it)."
        case .masterKeyMismatch(let path):
            return "The database \(path) was first used with a different master key: this key cannot open its credentials. Point --master-key (or ASANA_ACCESSD_MASTER_KEY) at the key file that belongs to this database."
        case .credentialTampered(let workspaceGid, let purpose):
            return "The \(purpose.rawValue) credential of workspace \(workspaceGid) fails authentication: it was altered, or sealed under another master key; store the credential again."
        case .oauthClientTampered(let clientId):
            return "The stored client secret of OAuth app \(clientId) fails authentication: it was altered, or sealed under another master key; store it again with `asana-accessd oauth-client put`."
        case .invalidCursor:
            return "The page cursor is not one this server issued: start again without a cursor."
        case .invalidQuery(let text):
            return "Invalid query: \(text)."
        case .invalidArgument(let text):
            return "Invalid argument: \(text)."
        case .apiTokenNameTaken(let name):
            return "An API token named \(name) already exists (names stay taken after revocation): choose another name."
        case .syncRunNotFound(let id):
            return "There is no sync run with id \(id)."
        case .syncRunAlreadyFinished(let id):
            return "Sync run \(id) has already finished; start a new run."
        case .databaseTooNew(let path):
            return "The database \(path) was written by a newer version of asana-accessd: upgrade this server before opening it."
        case .fileSystem(let path, let message):
            return "File-system error on \(path): \(message)."
        case .storageFull(let path):
            return "The disk holding the database \(path) is full: nothing was committed; free space and retry."
        case .storageUnavailable(let path, let message) where PostgresLocation.isPostgresURL(path):
            return "The PostgreSQL database \(path) could not be reached or used (\(message)): nothing was committed; check that it runs and is reachable, and the URL's user, password, database and sslmode, then retry."
        case .storageUnavailable(let path, let message):
            return "The database \(path) could not be read or written (\(message)): nothing was committed; check the disk and the file's permissions, then retry."
        case .databaseMissing(let path):
            return "There is no database at \(path): only `asana-accessd init` creates one. Check --data-dir (or ASANA_ACCESSD_DATA); if the database was lost, restore it and its master key from a backup (copy the backup's asana-access.sqlite into the data directory while no server runs)."
        case .databaseEmpty(let path) where PostgresLocation.isPostgresURL(path):
            return "The PostgreSQL database \(path) holds no asana-access store: check the URL (the database name above all); only `asana-accessd init --database URL` (or `migrate-store`) creates a store, so that a mistyped or wrongly restored database never becomes a second, empty store."
        case .databaseEmpty(let path):
            return "The database \(path) is empty (never initialised, or truncated or replaced): it is not re-created. Restore it from a backup (copy the backup's asana-access.sqlite over it while no server runs), or move it away and run `asana-accessd init --new-database` to start over with an empty store."
        case .storeRetired(let path, let movedTo, let at):
            return "The store \(path) was moved to PostgreSQL (\(movedTo)) by `asana-accessd migrate-store` at \(at.ISO8601Format()): that copy is the store now, so this one is not opened (two stores taking writes would fork the audit log and the snapshots). Run the servers and commands with --database URL. Only if that database does not hold the copy (migrate-store was killed before its copy committed: `asana-accessd audit head --database URL` finds no store there), or to go back to this SQLite store giving up everything written to the copy since, run: sqlite3 \(path) '\(StoreRetirement.undoSQL)'."
        case .dataDirectoryLocked(let lockPath, let holderPid):
            let holder = holderPid.map { "process \($0)" } ?? "another process"
            return "The data directory is in use by \(holder) (lock \(lockPath)): only one asana-accessd server or writing command may use it at a time. Stop that server first (kill -TERM \(holderPid.map(String.init) ?? "<pid>")), or make the change over RPC against the running server (asana-access)."
        }
    }
}
