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

    /// Runs `body` in a read transaction (a consistent snapshot), on one of GRDB's reader queues.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await runToItsEnd { [writer] done in
            writer.asyncRead { database in done(Result { try body(database.get()) }) }
        }
    }

    /// Runs `body` in a write transaction: it commits whole, or not at all when `body` throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await runToItsEnd { [writer] done in
            writer.asyncWrite(body) { _, result in done(result) }
        }
    }

    /// Runs `body` on the writer connection outside of a transaction (`body` opens its own).
    func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await runToItsEnd { [writer] done in
            writer.asyncWriteWithoutTransaction { database in done(Result { try body(database) }) }
        }
    }

    /// Starts `access` on GRDB's queue and suspends the calling task until it calls `done`; maps storage errors.
    ///
    /// The access runs to its end whatever becomes of the calling task: GRDB's `async` accesses throw
    /// `CancellationError` in a cancelled task and interrupt a statement when the task is cancelled while
    /// it runs, and a store call must not (the synchronous calls it replaces never did): a scheduled sync
    /// cancelled by shutdown still records its run as failed, a provision cancelled mid-write still
    /// records the write's outcome, and both still write their audit events. GRDB's callback accesses
    /// know nothing of tasks, and a continuation does not observe cancellation. Nothing of `body` runs
    /// after the call returns: `done` is called once a write's transaction has committed (or rolled back), and
    /// once a read's `body` has returned. A read's transaction ends, and its connection goes back to GRDB's
    /// pool, just after that, as the caller resumes: a read that follows at once may open another of the
    /// pool's readers (GRDB keeps at most five).
    ///
    /// Why not a `Task` of its own around GRDB's `async` access: that costs two more thread switches per
    /// call, to Swift's cooperative pool and back (a 100,000-person `listUsers` page is about 0.8 ms).
    private func runToItsEnd<T: Sendable>(
        _ access: (_ done: @escaping @Sendable (Result<T, any Error>) -> Void) -> Void
    ) async throws -> T {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                access { continuation.resume(with: $0) }
            }
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
