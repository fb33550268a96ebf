import AccessProtocol
import Foundation

/// The stored answers of calls made with an idempotency key, replayed while unexpired.
public protocol IdempotencyStore: Sendable {
    /// The unexpired record for `key` (`expiresAt > at`), if any.
    func idempotencyRecord(key: String, at: Date) async throws -> IdempotencyRecord?

    /// Stores the answer for `record.key`, replacing an expired record of the same key, and drops
    /// records expired at `record.createdAt`, in one transaction.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when an unexpired record of that key exists.
    func saveIdempotencyRecord(_ record: IdempotencyRecord) async throws
}
