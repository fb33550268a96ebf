import AccessProtocol
import Foundation
import Logging
import PostgresNIO

/// The audit log in PostgreSQL: the same chain as the SQLite store (``AuditChain``: HMAC-SHA256 under the audit
/// key derived from the master key, over the same encoding), the same queries and cursors, the same verification
/// (``AuditChain/ChainVerifier``).
///
/// Several servers may append to one database: each append locks the `audit_head` row (`SELECT … FOR UPDATE`)
/// for its transaction, so appends are serialized into one chain whose ids are gapless (id = the head's
/// last id + 1, assigned under the lock, not by a sequence that would leave holes on rollback).
extension PostgresAccessStore {
    /// Events read per query by ``forEachAuditEvent(since:_:)`` and ``verifyAuditChain(expectedHead:)``:
    /// memory stays bounded by one page whatever the log's length.
    static let auditPageSize = 500

    @discardableResult
    public func appendAuditEvent(_ event: AuditEventDraft) async throws -> Int64 {
        try event.validate()
        // PostgreSQL text cannot hold U+0000 (SQLSTATE 22021); refuse it by name rather than as a server error.
        for (name, value) in [("principal", event.principal), ("method", event.method), ("params", event.params),
                              ("result", event.result), ("outcome", event.outcome)] where value.utf8.contains(0) {
            throw AccessStoreError.invalidArgument("the audit \(name) contains a NUL character")
        }
        let key = AuditChain.auditKey(masterKey)
        let logger = self.logger
        return try await database.write { connection in
            // The head's lock serializes appends from every server; it is held until COMMIT.
            var head = try await Self.lockedAuditHead(connection, logger: logger)
            if head == nil {
                // Only when someone deleted the head row: lock the table so that concurrent appends still take turns,
                // then start again from zeros (verification reports the break), as the SQLite store does.
                try await connection.query("LOCK TABLE audit_head IN EXCLUSIVE MODE", logger: logger)
                head = try await Self.lockedAuditHead(connection, logger: logger)
            }
            let prevHash = head?.hash ?? AuditChain.zeroHash
            // A fresh statement (READ COMMITTED) after the lock sees every append committed before it. Rows added
            // outside the store beyond the head do not block appends: like SQLite's AUTOINCREMENT, take the larger.
            let maxId = try await connection.query("SELECT max(id) AS max_id FROM audit_event", logger: logger)
                .collect().first?.get("max_id", as: Int64?.self) ?? 0
            let id = max(head?.lastId ?? 0, maxId) + 1
            let stored = try await connection.query("""
                INSERT INTO audit_event (id, at, principal, method, params, result, outcome, prev_hash)
                VALUES (\(id), \(UnixMillis.from(event.at)), \(event.principal), \(event.method), \(event.params),
                        \(event.result), \(event.outcome), \(prevHash))
                RETURNING \(unescaped: Self.auditChainColumns)
                """, logger: logger).collect()
            // MAC what the database holds (returned by the INSERT), so that verification sees the same bytes.
            guard let row = stored.first, let hash = try Self.storedAuditRow(row).computedHash(prevHash: prevHash, scheme: .keyed(key)) else {
                throw AccessStoreError.invalidArgument("the audit event could not be read back")
            }
            try await connection.query("UPDATE audit_event SET hash = \(hash) WHERE id = \(id)", logger: logger)
            try await connection.query("""
                INSERT INTO audit_head (singleton, last_id, hash) VALUES (1, \(id), \(hash))
                ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash
                """, logger: logger)
            return id
        }
    }

    public func auditEvents(query: AuditQuery) async throws -> AuditPage {
        let before = try query.checkedBefore()
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let before {
            binds.append(before)
            conditions.append("id < $\(binds.count)")
        }
        if let since = query.since {
            binds.append(UnixMillis.from(since))
            conditions.append("at >= $\(binds.count)")
        }
        if let principal = query.principal {
            binds.append(principal)
            conditions.append("principal = $\(binds.count)")
        }
        if let method = query.method {
            binds.append(method)
            conditions.append("method = $\(binds.count)")
        }
        binds.append(Int64(query.limit + 1))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.auditEventColumns) FROM audit_event \(whereClause) ORDER BY id DESC LIMIT $\(binds.count)"
        let logger = self.logger
        let events = try await database.read { [binds] connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect().map(Self.auditEvent(from:))
        }
        guard events.count > query.limit else { return AuditPage(events: events, nextCursor: nil) }
        let page = Array(events.prefix(query.limit))
        return AuditPage(events: page, nextCursor: AuditCursor(before: page[page.count - 1].id).encoded())
    }

    /// Reads in pages of ``auditPageSize`` (by id) inside one read-only `REPEATABLE READ` transaction, so every
    /// page sees the same snapshot and appends made meanwhile are not included.
    public func forEachAuditEvent(since: Date?, _ body: @escaping @Sendable (AuditEvent) throws -> Void) async throws {
        let logger = self.logger
        let from = since.map(UnixMillis.from) ?? Int64.min
        try await readSnapshot { connection in
            var after = Int64.min
            while true {
                let rows = try await connection.query("""
                    SELECT \(unescaped: Self.auditEventColumns) FROM audit_event WHERE at >= \(from) AND id > \(after)
                    ORDER BY id LIMIT \(Int64(Self.auditPageSize))
                    """, logger: logger).collect()
                for row in rows {
                    let event = try Self.auditEvent(from: row)
                    try body(event)
                    after = event.id
                }
                if rows.count < Self.auditPageSize { return }
            }
        }
    }

    /// The walk of ``AuditChain/ChainVerifier`` over pages of ``auditPageSize`` events, then the head, in one
    /// read-only `REPEATABLE READ` transaction (a consistent snapshot; appends may go on meanwhile).
    public func verifyAuditChain(expectedHead: AuditAnchor?) async throws -> AuditChainReport {
        let key = AuditChain.auditKey(masterKey)
        let logger = self.logger
        return try await readSnapshot { connection in
            var verifier = AuditChain.ChainVerifier(scheme: .keyed(key), expectedHead: expectedHead)
            var after = Int64.min
            pages: while true {
                let rows = try await connection.query("""
                    SELECT \(unescaped: Self.auditChainColumns) FROM audit_event WHERE id > \(after)
                    ORDER BY id LIMIT \(Int64(Self.auditPageSize))
                    """, logger: logger).collect()
                for row in rows {
                    let stored = try Self.storedAuditRow(row)
                    guard verifier.check(stored) else { break pages }
                    after = stored.id
                }
                if rows.count < Self.auditPageSize { break }
            }
            let head = try await connection.query(
                "SELECT last_id, hash FROM audit_head WHERE singleton = 1", logger: logger
            ).collect().first.map { (lastId: try $0.get("last_id", as: Int64.self), hash: try $0.get("hash", as: Data.self)) }
            return verifier.finish(head: head)
        }
    }

    /// Runs `body` in a read-only `REPEATABLE READ` transaction: all its statements see one snapshot
    /// (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-REPEATABLE-READ). A read-only
    /// transaction at that level is never aborted for a serialization failure, so ``PostgresDatabase/write(_:)``
    /// never runs `body` twice.
    private func readSnapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            return try await body(connection)
        }
    }

    /// The head row, locked until the end of the transaction; nil when the row is missing.
    private static func lockedAuditHead(_ connection: PostgresConnection, logger: Logger) async throws -> (lastId: Int64, hash: Data)? {
        try await connection.query(
            "SELECT last_id, hash FROM audit_head WHERE singleton = 1 FOR UPDATE", logger: logger
        ).collect().first.map { (lastId: try $0.get("last_id", as: Int64.self), hash: try $0.get("hash", as: Data.self)) }
    }

    /// The columns of an ``AuditEvent``.
    static let auditEventColumns = "id, at, principal, method, params, result, outcome, prev_hash, hash"

    /// The columns the chain reads (``AuditChain/StoredRow``): text as the bytes the database holds, in UTF-8.
    static let auditChainColumns = """
        id, at, convert_to(principal, 'UTF8') AS principal_bytes, convert_to(method, 'UTF8') AS method_bytes,
        convert_to(params, 'UTF8') AS params_bytes, convert_to(result, 'UTF8') AS result_bytes,
        convert_to(outcome, 'UTF8') AS outcome_bytes, prev_hash, hash
        """

    /// An event from a row of ``auditEventColumns``; a NULL hash (altered outside the store) reads as empty.
    static func auditEvent(from row: PostgresRow) throws -> AuditEvent {
        AuditEvent(
            id: try row.get("id"), at: UnixMillis.date(try row.get("at", as: Int64.self)),
            principal: try row.get("principal"), method: try row.get("method"), params: try row.get("params"),
            result: try row.get("result"), outcome: try row.get("outcome"),
            prevHash: try row.get("prev_hash", as: Data?.self) ?? Data(), hash: try row.get("hash", as: Data?.self) ?? Data())
    }

    /// The chain's view of a row of ``auditChainColumns``.
    static func storedAuditRow(_ row: PostgresRow) throws -> AuditChain.StoredRow {
        AuditChain.StoredRow(
            id: try row.get("id"), atMillis: try row.get("at", as: Int64.self),
            principal: try row.get("principal_bytes"), method: try row.get("method_bytes"),
            params: try row.get("params_bytes"), result: try row.get("result_bytes"), outcome: try row.get("outcome_bytes"),
            prevHash: try row.get("prev_hash", as: Data?.self), hash: try row.get("hash", as: Data?.self))
    }
}
