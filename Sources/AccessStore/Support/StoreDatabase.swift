import GRDB

/// The store's `DatabaseWriter`, with SQLite's storage failures turned into typed errors:
/// `SQLITE_FULL` → ``AccessStoreError/storageFull(path:)``; `SQLITE_IOERR`, `SQLITE_CANTOPEN`,
/// `SQLITE_READONLY` → ``AccessStoreError/storageUnavailable(path:message:)``. Every other error
/// passes through unchanged. SQLite rolls the transaction back in each case, so nothing is committed.
struct StoreDatabase: Sendable {
    /// The wrapped writer (for the migrator, which needs a `DatabaseWriter`).
    let writer: any DatabaseWriter
    /// The database path, or `:memory:`, for error messages.
    let path: String

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mapStorageErrors { try writer.read(body) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try mapStorageErrors { try writer.write(body) }
    }

    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try mapStorageErrors { try writer.writeWithoutTransaction(body) }
    }

    func close() throws {
        try writer.close()
    }

    /// Runs `body`, replacing a storage `DatabaseError` by its ``AccessStoreError``.
    func mapStorageErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw Self.storageError(error, path: path) ?? error
        }
    }

    /// The typed error for a storage failure, nil for any other database error.
    static func storageError(_ error: DatabaseError, path: String) -> AccessStoreError? {
        switch error.resultCode {
        case .SQLITE_FULL:
            return .storageFull(path: path)
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY:
            return .storageUnavailable(path: path, message: error.message ?? "\(error.resultCode)")
        default:
            return nil
        }
    }
}
