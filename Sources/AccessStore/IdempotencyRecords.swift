import Crypto
import Foundation
import GRDB

/// The stored answer of a call made with an idempotency key.
public struct IdempotencyRecord: Sendable, Equatable {
    /// The client's key, 1–128 characters.
    public var key: String
    /// The RPC method it was used with.
    public var method: String
    /// SHA-256 of the canonical params (without the key): the same key with other params is a conflict.
    public var paramsHash: [UInt8]
    /// The answer as JSON text, returned again on a replay.
    public var result: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(key: String, method: String, paramsHash: [UInt8], result: String, createdAt: Date, expiresAt: Date) {
        self.key = key
        self.method = method
        self.paramsHash = paramsHash
        self.result = result
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// SHA-256 of `canonicalParams`' UTF-8 bytes, for ``paramsHash``.
    public static func paramsHash(of canonicalParams: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(canonicalParams.utf8)))
    }
}

extension SQLiteAccessStore {
    /// The unexpired record for `key`, if any.
    public func idempotencyRecord(key: String, at: Date) async throws -> IdempotencyRecord? {
        try await dbWriter.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT key, method, paramsHash, result, createdAt, expiresAt FROM idempotencyRecord WHERE key = ? AND expiresAt > ?",
                arguments: [key, UnixMillis.from(at)]) else { return nil }
            return IdempotencyRecord(
                key: row["key"], method: row["method"], paramsHash: Array(row["paramsHash"] as Data), result: row["result"],
                createdAt: UnixMillis.date(row["createdAt"]), expiresAt: UnixMillis.date(row["expiresAt"]))
        }
    }

    /// Stores the answer for `key`, replacing an expired record of the same key, and drops expired records.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when an unexpired record of that key exists.
    public func saveIdempotencyRecord(_ record: IdempotencyRecord) async throws {
        try await dbWriter.write { db in
            let now = UnixMillis.from(record.createdAt)
            try db.execute(sql: "DELETE FROM idempotencyRecord WHERE expiresAt <= ?", arguments: [now])
            do {
                try db.execute(
                    sql: "INSERT INTO idempotencyRecord (key, method, paramsHash, result, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [record.key, record.method, Data(record.paramsHash), record.result, now, UnixMillis.from(record.expiresAt)])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw AccessStoreError.invalidArgument("idempotency key \(record.key) is already recorded")
            }
        }
    }
}
