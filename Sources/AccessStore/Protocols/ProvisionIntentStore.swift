import AccessProtocol
import Foundation

/// The write-ahead journal of `provision`: an intent is committed before each Asana write and closed
/// with its outcome after it; intents left open by a crash are reconciled on the next start.
public protocol ProvisionIntentStore: Sendable {
    /// Commits an intent (write-ahead: before the write is sent), open until ``resolveProvisionIntent(id:outcome:at:)``.
    /// - Returns: its id (increasing in the order intents were committed).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty field, an attempt below 1, or a team
    ///   gid given for a workspace write (or missing for a team write); a storage error when it cannot be committed.
    @discardableResult
    func recordProvisionIntent(_ draft: ProvisionIntentDraft, at: Date) async throws -> Int64

    /// Records the outcome of an open intent; it is then no longer open.
    /// - Returns: false when the intent does not exist or already has an outcome (nothing changes).
    @discardableResult
    func resolveProvisionIntent(id: Int64, outcome: ProvisionIntentOutcome, at: Date) async throws -> Bool

    /// Counts a reconciliation that could not determine an open intent's outcome; the intent stays open.
    func noteProvisionIntentUndetermined(id: Int64) async throws

    /// Intents without an outcome, oldest first; with `upTo`, only those with an id at most that.
    func openProvisionIntents(upTo: Int64?) async throws -> [ProvisionIntent]

    /// Every intent of one `provision` call, in order.
    func provisionIntents(callId: String) async throws -> [ProvisionIntent]

    /// Deletes intents resolved before `before` (the audit log keeps their record).
    /// - Returns: how many were deleted.
    @discardableResult
    func pruneResolvedProvisionIntents(before: Date) async throws -> Int
}

extension ProvisionIntentStore {
    /// Every intent without an outcome, oldest first.
    public func openProvisionIntents() async throws -> [ProvisionIntent] {
        try await openProvisionIntents(upTo: nil)
    }
}
