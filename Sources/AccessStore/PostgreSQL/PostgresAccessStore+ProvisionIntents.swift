import Foundation
import Logging
import PostgresNIO

/// The provision journal in PostgreSQL, with the same answers as the SQLite store. Ids come from the identity
/// column `provision_intent.id`: increasing in commit order within one server, with possible holes.
extension PostgresAccessStore {
    @discardableResult
    public func recordProvisionIntent(_ draft: ProvisionIntentDraft, at: Date) async throws -> Int64 {
        try draft.validate()
        let logger = self.logger
        return try await database.write { connection in
            let rows = try await connection.query("""
                INSERT INTO provision_intent (call_id, principal, idempotency_key, workspace_gid, operation, team_gid, email,
                                              user_gid, user_ref, attempt, created_at)
                VALUES (\(draft.callId), \(draft.principal), \(draft.idempotencyKey), \(draft.workspaceGid), \(draft.operation.rawValue),
                        \(draft.teamGid), \(draft.email), \(draft.userGid), \(draft.userRef), \(draft.attempt), \(UnixMillis.from(at)))
                RETURNING id
                """, logger: logger).collect()
            return try rows[0].get("id", as: Int64.self)
        }
    }

    @discardableResult
    public func resolveProvisionIntent(id: Int64, outcome: ProvisionIntentOutcome, at: Date) async throws -> Bool {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("""
                UPDATE provision_intent SET outcome = \(outcome.rawValue), resolved_at = \(UnixMillis.from(at))
                WHERE id = \(id) AND resolved_at IS NULL
                RETURNING 1
                """, logger: logger).collect().count == 1
        }
    }

    public func noteProvisionIntentUndetermined(id: Int64) async throws {
        let logger = self.logger
        try await database.write { connection in
            _ = try await connection.query("""
                UPDATE provision_intent SET reconcile_attempts = reconcile_attempts + 1 WHERE id = \(id) AND resolved_at IS NULL
                """, logger: logger)
        }
    }

    public func openProvisionIntents(upTo: Int64?) async throws -> [ProvisionIntent] {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.provisionIntentColumns) FROM provision_intent
                WHERE resolved_at IS NULL AND id <= \(upTo ?? Int64.max) ORDER BY id
                """, logger: logger).collect().map(Self.provisionIntent(from:))
        }
    }

    public func provisionIntents(callId: String) async throws -> [ProvisionIntent] {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.provisionIntentColumns) FROM provision_intent WHERE call_id = \(callId) ORDER BY id
                """, logger: logger).collect().map(Self.provisionIntent(from:))
        }
    }

    @discardableResult
    public func pruneResolvedProvisionIntents(before: Date) async throws -> Int {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("""
                DELETE FROM provision_intent WHERE resolved_at IS NOT NULL AND resolved_at < \(UnixMillis.from(before)) RETURNING 1
                """, logger: logger).collect().count
        }
    }

    static let provisionIntentColumns = """
        id, call_id, principal, idempotency_key, workspace_gid, operation, team_gid, email, user_gid, user_ref, attempt,
        created_at, outcome, resolved_at, reconcile_attempts
        """

    /// An intent from a row of ``provisionIntentColumns``; as in SQLite, an operation this build does not know
    /// reads as `workspace.addUser` and an unknown outcome as nil.
    static func provisionIntent(from row: PostgresRow) throws -> ProvisionIntent {
        ProvisionIntent(
            id: try row.get("id"),
            draft: ProvisionIntentDraft(
                callId: try row.get("call_id"), principal: try row.get("principal"),
                idempotencyKey: try row.get("idempotency_key", as: String?.self), workspaceGid: try row.get("workspace_gid"),
                operation: ProvisionWriteOperation(rawValue: try row.get("operation", as: String.self)) ?? .addToWorkspace,
                teamGid: try row.get("team_gid", as: String?.self), email: try row.get("email"),
                userGid: try row.get("user_gid", as: String?.self), userRef: try row.get("user_ref"),
                attempt: try row.get("attempt")),
            createdAt: UnixMillis.date(try row.get("created_at", as: Int64.self)),
            outcome: try row.get("outcome", as: String?.self).flatMap(ProvisionIntentOutcome.init(rawValue:)),
            resolvedAt: UnixMillis.date(try row.get("resolved_at", as: Int64?.self)),
            reconcileAttempts: try row.get("reconcile_attempts"))
    }
}
