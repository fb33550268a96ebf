import Foundation
import GRDB

/// One kind of Asana membership write that `provision` makes (Asana OpenAPI operations `addUserForWorkspace`, `removeUserForWorkspace`, `addUserForTeam`, `removeUserForTeam`).
public enum ProvisionWriteOperation: String, Codable, Sendable, CaseIterable {
    /// `POST /workspaces/{workspace}/addUser`.
    case addToWorkspace = "workspace.addUser"
    /// `POST /workspaces/{workspace}/removeUser`.
    case removeFromWorkspace = "workspace.removeUser"
    /// `POST /teams/{team}/addUser`.
    case addToTeam = "team.addUser"
    /// `POST /teams/{team}/removeUser`.
    case removeFromTeam = "team.removeUser"

    /// Whether the write names a team (and so needs ``ProvisionIntentDraft/teamGid``).
    public var isTeamWrite: Bool { self == .addToTeam || self == .removeFromTeam }
}

/// What became of a journaled write. The first three are recorded by the call that made the write,
/// the last two by reconciliation after a restart.
public enum ProvisionIntentOutcome: String, Codable, Sendable, CaseIterable {
    /// Asana answered 2xx.
    case done
    /// Asana answered with a refusal (4xx, 429): the write was not applied.
    case refused
    /// No usable answer (transport error, 5xx, cancelled): it may or may not have been applied.
    case unknown
    /// Reconciled after a restart: Asana's state is what the write would have made it.
    case applied
    /// Reconciled after a restart: Asana's state shows the write was not applied.
    case notApplied
}

/// An Asana write about to be sent by `provision`: who asked, what, and in which call.
public struct ProvisionIntentDraft: Sendable, Equatable {
    /// The `provision` call it belongs to (one id per call, shared by all its writes).
    public var callId: String
    /// The authenticated caller of that call.
    public var principal: String
    /// The call's idempotency key, if it had one.
    public var idempotencyKey: String?
    /// Asana workspace gid.
    public var workspaceGid: String
    /// The write.
    public var operation: ProvisionWriteOperation
    /// Team gid, for team writes only.
    public var teamGid: String?
    /// The person's email as given to `provision`.
    public var email: String
    /// The person's gid when known before the write.
    public var userGid: String?
    /// The `user` value sent to Asana (a gid or the email).
    public var userRef: String
    /// 1 for the first send of this write, 2… when it is sent again after a lost answer.
    public var attempt: Int

    /// Creates a value from all of its fields.
    public init(callId: String, principal: String, idempotencyKey: String?, workspaceGid: String, operation: ProvisionWriteOperation,
                teamGid: String?, email: String, userGid: String?, userRef: String, attempt: Int) {
        self.callId = callId
        self.principal = principal
        self.idempotencyKey = idempotencyKey
        self.workspaceGid = workspaceGid
        self.operation = operation
        self.teamGid = teamGid
        self.email = email
        self.userGid = userGid
        self.userRef = userRef
        self.attempt = attempt
    }
}

extension ProvisionIntentDraft {
    /// What every store checks before committing an intent.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty field, an attempt below 1, or a team gid given
    ///   for a workspace write (or missing for a team write).
    func validate() throws {
        for (name, value) in [("callId", callId), ("principal", principal), ("workspaceGid", workspaceGid),
                              ("email", email), ("userRef", userRef)] where value.isEmpty {
            throw AccessStoreError.invalidArgument("the provision intent's \(name) is empty")
        }
        guard attempt >= 1 else { throw AccessStoreError.invalidArgument("the provision intent's attempt is below 1") }
        guard operation.isTeamWrite == (teamGid?.isEmpty == false) else {
            throw AccessStoreError.invalidArgument("a team gid is required for team writes and only for them")
        }
    }
}

/// A journaled write as stored.
public struct ProvisionIntent: Sendable, Equatable {
    /// Row id, increasing in the order intents were committed.
    public var id: Int64
    /// What was about to be sent.
    public var draft: ProvisionIntentDraft
    /// When the intent was committed (millisecond precision).
    public var createdAt: Date
    /// Its outcome, nil while open.
    public var outcome: ProvisionIntentOutcome?
    /// When the outcome was recorded.
    public var resolvedAt: Date?
    /// Reconciliations that could not determine the outcome so far.
    public var reconcileAttempts: Int

    /// Creates a value from all of its fields.
    public init(id: Int64, draft: ProvisionIntentDraft, createdAt: Date, outcome: ProvisionIntentOutcome?, resolvedAt: Date?, reconcileAttempts: Int) {
        self.id = id
        self.draft = draft
        self.createdAt = createdAt
        self.outcome = outcome
        self.resolvedAt = resolvedAt
        self.reconcileAttempts = reconcileAttempts
    }
}

extension SQLiteAccessStore {
    /// Commits an intent (write-ahead: before the write is sent), open until ``resolveProvisionIntent(id:outcome:at:)``.
    /// - Returns: its id.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty field, an attempt below 1, or a team
    ///   gid given for a workspace write (or missing for a team write); GRDB's `DatabaseError` when it cannot be committed.
    @discardableResult
    public func recordProvisionIntent(_ draft: ProvisionIntentDraft, at: Date) async throws -> Int64 {
        try draft.validate()
        return try await dbWriter.write { db in
            try db.execute(
                sql: """
                    INSERT INTO provisionIntent (callId, principal, idempotencyKey, workspaceGid, operation, teamGid, email, userGid, userRef, attempt, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [draft.callId, draft.principal, draft.idempotencyKey, draft.workspaceGid, draft.operation.rawValue, draft.teamGid,
                            draft.email, draft.userGid, draft.userRef, draft.attempt, UnixMillis.from(at)])
            return db.lastInsertedRowID
        }
    }

    /// Records the outcome of an open intent; it is then no longer open.
    /// - Returns: false when the intent does not exist or already has an outcome (nothing changes).
    @discardableResult
    public func resolveProvisionIntent(id: Int64, outcome: ProvisionIntentOutcome, at: Date) async throws -> Bool {
        try await dbWriter.write { db in
            try db.execute(
                sql: "UPDATE provisionIntent SET outcome = ?, resolvedAt = ? WHERE id = ? AND resolvedAt IS NULL",
                arguments: [outcome.rawValue, UnixMillis.from(at), id])
            return db.changesCount == 1
        }
    }

    /// Counts a reconciliation that could not determine an open intent's outcome; the intent stays open.
    public func noteProvisionIntentUndetermined(id: Int64) async throws {
        try await dbWriter.write { db in
            try db.execute(sql: "UPDATE provisionIntent SET reconcileAttempts = reconcileAttempts + 1 WHERE id = ? AND resolvedAt IS NULL",
                           arguments: [id])
        }
    }

    /// Intents without an outcome, oldest first; with `upTo`, only those with an id at most that.
    public func openProvisionIntents(upTo: Int64?) async throws -> [ProvisionIntent] {
        try await dbWriter.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM provisionIntent WHERE resolvedAt IS NULL AND id <= ? ORDER BY id",
                arguments: [upTo ?? Int64.max])
                .map(Self.provisionIntent(from:))
        }
    }

    /// Every intent of one `provision` call, in order.
    public func provisionIntents(callId: String) async throws -> [ProvisionIntent] {
        try await dbWriter.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM provisionIntent WHERE callId = ? ORDER BY id", arguments: [callId])
                .map(Self.provisionIntent(from:))
        }
    }

    /// Deletes intents resolved before `before` (the audit log keeps their record).
    /// - Returns: how many were deleted.
    @discardableResult
    public func pruneResolvedProvisionIntents(before: Date) async throws -> Int {
        try await dbWriter.write { db in
            try db.execute(sql: "DELETE FROM provisionIntent WHERE resolvedAt IS NOT NULL AND resolvedAt < ?", arguments: [UnixMillis.from(before)])
            return db.changesCount
        }
    }

    private static func provisionIntent(from row: Row) -> ProvisionIntent {
        let resolvedAt: Int64? = row["resolvedAt"]
        let outcome: String? = row["outcome"]
        return ProvisionIntent(
            id: row["id"],
            draft: ProvisionIntentDraft(
                callId: row["callId"], principal: row["principal"], idempotencyKey: row["idempotencyKey"], workspaceGid: row["workspaceGid"],
                operation: ProvisionWriteOperation(rawValue: row["operation"]) ?? .addToWorkspace, teamGid: row["teamGid"], email: row["email"],
                userGid: row["userGid"], userRef: row["userRef"], attempt: row["attempt"]),
            createdAt: UnixMillis.date(row["createdAt"]),
            outcome: outcome.flatMap(ProvisionIntentOutcome.init(rawValue:)),
            resolvedAt: resolvedAt.map(UnixMillis.date),
            reconcileAttempts: row["reconcileAttempts"])
    }
}
