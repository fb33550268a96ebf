import Foundation
import Logging
import PostgresNIO

/// Idempotency records in PostgreSQL, with the same answers as the SQLite store. A key is claimed by the primary
/// key of `idempotency_record`: of two servers saving the same key at once, the second's insert waits for the
/// first's transaction and then finds the key taken, so exactly one record is kept.
extension PostgresAccessStore {
    public func idempotencyRecord(key: String, at: Date) async throws -> IdempotencyRecord? {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query("""
                SELECT key, method, params_hash, result, created_at, expires_at FROM idempotency_record
                WHERE key = \(key) AND expires_at > \(UnixMillis.from(at))
                """, logger: logger).collect().first.map { row in
                IdempotencyRecord(
                    key: try row.get("key"), method: try row.get("method"),
                    paramsHash: Array(try row.get("params_hash", as: Data.self)), result: try row.get("result"),
                    createdAt: UnixMillis.date(try row.get("created_at", as: Int64.self)),
                    expiresAt: UnixMillis.date(try row.get("expires_at", as: Int64.self)))
            }
        }
    }

    /// Drops the records expired at `record.createdAt`, then inserts; `ON CONFLICT DO NOTHING` on the key: an
    /// unexpired record of the key (committed by this server or another) leaves nothing inserted, which is refused.
    public func saveIdempotencyRecord(_ record: IdempotencyRecord) async throws {
        let logger = self.logger
        let now = UnixMillis.from(record.createdAt)
        try await database.write { connection in
            try await connection.query("DELETE FROM idempotency_record WHERE expires_at <= \(now)", logger: logger)
            let inserted = try await connection.query("""
                INSERT INTO idempotency_record (key, method, params_hash, result, created_at, expires_at)
                VALUES (\(record.key), \(record.method), \(Data(record.paramsHash)), \(record.result), \(now),
                        \(UnixMillis.from(record.expiresAt)))
                ON CONFLICT (key) DO NOTHING
                RETURNING 1
                """, logger: logger).collect().count
            guard inserted == 1 else {
                throw AccessStoreError.invalidArgument("idempotency key \(record.key) is already recorded")
            }
        }
    }
}
