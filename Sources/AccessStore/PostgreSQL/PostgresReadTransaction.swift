import Foundation
import PostgresNIO

extension PostgresDatabase {
    /// Runs `body` in a read-only `REPEATABLE READ` transaction: every statement of `body` sees the same snapshot
    /// of the database, the last commit before its first statement
    /// (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-REPEATABLE-READ), so several statements
    /// read one consistent picture even while another connection commits. A read-only transaction at this level
    /// never fails for serialization, so it is not retried.
    func readTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await read { [logger] connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            let value: T
            do {
                value = try await body(connection)
            } catch {
                // The connection goes back to the pool: leave no transaction open on it.
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return value
        }
    }
}
