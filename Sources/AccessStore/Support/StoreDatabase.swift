import GRDB

/// The store's `DatabaseWriter`, with SQLite's storage failures turned into typed errors:
/// `SQLITE_FULL` → ``AccessStoreError/storageFull(path:)``; `SQLITE_IOERR`, `SQLITE_CANTOPEN`,
/// `SQLITE_READONLY` → ``AccessStoreError/storageUnavailable(path:message:)``. Every other error
/// passes through unchanged. SQLite rolls the transaction back in each case, so nothing is committed.
///
/// The `async` accesses are what the store's methods use: they suspend the calling task while the
/// database's own queue runs `body`, so no Swift cooperative thread waits on SQLite. The synchronous
/// ones are for opening (migrations, the master key check), which runs once before anything is served.
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

    /// Runs `body` in a read transaction (a consistent snapshot).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await uncancellable { [writer] in try await writer.read(body) }
    }

    /// Runs `body` in a write transaction: it commits whole, or not at all when `body` throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await uncancellable { [writer] in try await writer.write(body) }
    }

    /// Runs `body` on the writer connection outside of a transaction (`body` opens its own).
    func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await uncancellable { [writer] in try await writer.writeWithoutTransaction(body) }
    }

    /// Runs `access` to its end whatever becomes of the calling task, and maps storage errors.
    ///
    /// GRDB's async accesses throw `CancellationError` in a cancelled task, and interrupt a statement
    /// when the task is cancelled while it runs. A store call must not (the synchronous calls it replaces
    /// never did): a scheduled sync cancelled by shutdown still records its run as failed, a provision
    /// cancelled mid-write still records the write's outcome, and both still write their audit events.
    /// So the access runs in a task of its own, which does not inherit the caller's cancellation, and the
    /// caller awaits it: nothing of it runs after the call returns, and no write is lost.
    private func uncancellable<T: Sendable>(_ access: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Task { try await access() }.value
        } catch let error as DatabaseError {
            throw Self.storageError(error, path: path) ?? error
        }
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
