import Foundation
import Logging
import PostgresNIO
import Synchronization
import _ConnectionPoolModule

/// The connection pool of a ``PostgresAccessStore`` (postgres-nio's `PostgresClient`, run in a task of its own)
/// and the two ways the store touches it: ``read(_:)`` on a pooled connection, ``write(_:)`` in a transaction.
///
/// Like the SQLite store's `StoreDatabase`, an access runs to its end even when the calling task is cancelled
/// (a write the caller asked for is not lost to cancellation), and connection failures surface as
/// ``AccessStoreError/storageUnavailable(path:message:)`` naming the redacted URL; a full disk (SQLSTATE 53100)
/// as ``AccessStoreError/storageFull(path:)``. A write that loses a deadlock or a serialization conflict
/// (SQLSTATE 40P01, 40001) is run again, up to ``conflictRetries`` times.
final class PostgresDatabase: Sendable {
    /// How many times a write is retried after PostgreSQL aborted it for a deadlock or serialization failure.
    static let conflictRetries = 5

    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    private let runTask: Task<Void, Never>

    /// Starts the pool. Connections are opened on first use; ``ping()`` checks the server answers.
    init(location: PostgresLocation, logger: Logger) throws {
        var quiet = logger
        // postgres-nio logs each query at debug; the store's own messages stay at the caller's level.
        if quiet.logLevel < .notice { quiet.logLevel = .notice }
        self.location = location
        self.logger = quiet
        let client = PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: quiet)
        self.client = client
        self.runTask = Task { await client.run() }
    }

    /// Stops the pool: open connections are closed, later accesses throw.
    func close() async {
        runTask.cancel()
        await runTask.value
    }

    /// Runs `body` on a pooled connection, outside any explicit transaction (each statement commits on its own).
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await uncancellable { [client] leased in
            try await client.withConnection { connection in
                leased()
                return try await body(connection)
            }
        }
    }

    /// Runs `body` in a transaction (`BEGIN` … `COMMIT`, rolled back when it throws), retried on deadlock or
    /// serialization failure: `body` must be safe to run again.
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await uncancellable { [client, logger] leased in
            var attempt = 0
            while true {
                do {
                    return try await client.withConnection { connection in
                        leased()
                        return try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
                    }
                } catch let error as PostgresTransactionError {
                    let cause = error.closureError ?? error.beginError ?? error.commitError
                    if attempt < Self.conflictRetries, let cause = cause as? PSQLError, Self.isConflict(cause) {
                        attempt += 1
                        continue
                    }
                    throw cause ?? error
                } catch let error as PSQLError where attempt < Self.conflictRetries && Self.isConflict(error) {
                    attempt += 1
                }
            }
        }
    }

    /// Opens one connection outside the pool and closes it: the server is reachable, speaks TLS when the URL
    /// requires it, and accepts the login. The pool itself retries a failing server for a minute before it
    /// gives up; this fails within ``PostgresLocation/connectTimeoutSeconds``.
    /// - Throws: ``AccessStoreError/storageUnavailable(path:message:)`` naming what failed.
    func probe() async throws {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            try? await connection.close()
        } catch let error as PSQLError {
            if let mapped = storageError(error) { throw mapped }
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            throw AccessStoreError.storageUnavailable(path: location.redacted, message: message)
        }
    }

    private static func isConflict(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// How long an access waits for a pooled connection before checking that the server answers, in seconds. The
    /// pool itself keeps retrying an unreachable server for about a minute; an access whose wait passes this and
    /// whose check fails gives up then, before it has sent anything.
    static let connectionWaitSeconds = 5

    /// Runs `access` in a task of its own, so that cancelling the caller does not cut a transaction short. `access`
    /// calls its argument once it holds a connection. While it waits for one, every ``connectionWaitSeconds`` a
    /// connection of its own (``probe()``) checks that the server answers: a busy pool is waited for, an unreachable
    /// server fails the access at once with ``AccessStoreError/storageUnavailable(path:message:)`` (nothing was sent).
    private func uncancellable<T: Sendable>(_ access: @escaping @Sendable (_ leased: @escaping @Sendable () -> Void) async throws -> T) async throws -> T {
        let holding = Flag()
        let unreachable = Mutex<AccessStoreError?>(nil)
        let work = Task { try await access { holding.set() } }
        let watchdog = Task { [self] in
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(Self.connectionWaitSeconds))
                if holding.isSet { return }
                do {
                    try await probe()
                } catch let error as AccessStoreError {
                    if !holding.isSet {
                        unreachable.withLock { $0 = error }
                        work.cancel()
                    }
                    return
                }
            }
        }
        defer { watchdog.cancel() }
        do {
            return try await work.value
        } catch let error as PSQLError {
            throw storageError(error) ?? error
        } catch {
            guard !holding.isSet, error is CancellationError || error is ConnectionPoolError else { throw error }
            if let found = unreachable.withLock({ $0 }) { throw found }
            throw AccessStoreError.storageUnavailable(path: location.redacted, message: "cannot reach the database: \(error)")
        }
    }

    /// A flag set once, read from any task.
    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
        var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    }

    /// ``AccessStoreError`` for a failure of the server or the connection, nil for one about the statement.
    func storageError(_ error: PSQLError) -> AccessStoreError? {
        if let state = error.serverInfo?[.sqlState] {
            if state == "53100" { return .storageFull(path: location.redacted) }
            // Class 08: connection exception; 57P: operator intervention (shutdown); 53: insufficient resources.
            // Also 42501 (insufficient privilege: the role may not use a table), named in the server's message.
            if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") || state == "42501" {
                return .storageUnavailable(path: location.redacted, message: error.serverInfo?[.message] ?? state)
            }
            return nil
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .sslUnsupported,
             .failedToAddSSLHandler, .uncleanShutdown, .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            return .storageUnavailable(path: location.redacted, message: "\(error.code)" + (error.underlying.map { ": \($0)" } ?? ""))
        default:
            return nil
        }
    }
}

extension PostgresRow {
    /// The column `name` decoded as `T` (an optional type for a nullable column).
    /// - Throws: postgres-nio's `PostgresDecodingError` when the column is missing or of another type.
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try makeRandomAccess()[name].decode(T.self)
    }
}
