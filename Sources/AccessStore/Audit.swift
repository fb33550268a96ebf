import AccessProtocol
import Foundation
import GRDB

/// An audit event to append: who called which method, with what, and how it ended.
/// The caller redacts secrets from `params` and `result` before building it.
public struct AuditEventDraft: Codable, Sendable, Equatable {
    /// When it happened (millisecond precision).
    public var at: Date
    /// The authenticated caller (certificate subject or token name).
    public var principal: String
    /// The RPC method name, e.g. `"provision"`.
    public var method: String
    /// JSON text of the parameters, secrets already redacted.
    public var params: String
    /// JSON text of the result (or error data).
    public var result: String
    /// `"ok"` or the error's stable name (e.g. `"upstream.rate_limited"`).
    public var outcome: String

    /// Creates a value from all of its fields.
    public init(at: Date, principal: String, method: String, params: String, result: String, outcome: String) {
        self.at = at
        self.principal = principal
        self.method = method
        self.params = params
        self.result = result
        self.outcome = outcome
    }
}

extension SQLiteAccessStore {
    /// Appends an event (the log is append-only) and chains it: inside one `BEGIN IMMEDIATE`
    /// transaction it reads the head's hash, inserts the event with that as `prevHash`, computes
    /// the event's MAC (under the audit key derived from the master key) from the bytes as stored, and moves the head to it. `IMMEDIATE` takes the
    /// write lock before the read, so concurrent appends, from this process or another, chain in turn.
    /// - Returns: its id.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when `params` or `result` is not JSON text,
    ///   or `method` / `outcome` is empty; ``AccessStoreError/storageFull(path:)`` when the disk is full (nothing appended).
    @discardableResult
    public func appendAuditEvent(_ event: AuditEventDraft) async throws -> Int64 {
        try event.validate()
        let key = AuditChain.auditKey(masterKey)
        return try await dbWriter.writeWithoutTransaction { db in
            var id: Int64 = 0
            try db.inTransaction(.immediate) {
                id = try AuditChain.append(db, event, key: key)
                return .commit
            }
            return id
        }
    }

    /// One page of events, newest first, filtered by ``AuditQuery``.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` unless `limit` is in 1...1000 and the text
    ///   filters are non-empty; ``AccessStoreError/invalidCursor`` for a cursor this store did not issue.
    public func auditEvents(query: AuditQuery) async throws -> AuditPage {
        let before = try query.checkedBefore()
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let before {
            conditions.append("id < ?")
            arguments += [before]
        }
        if let since = query.since {
            conditions.append("at >= ?")
            arguments += [UnixMillis.from(since)]
        }
        if let principal = query.principal {
            conditions.append("principal = ?")
            arguments += [principal]
        }
        if let method = query.method {
            conditions.append("method = ?")
            arguments += [method]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [query.limit + 1]
        let events = try await dbWriter.read { [arguments] db in
            try Row.fetchAll(db, sql: "SELECT * FROM auditEvent \(whereClause) ORDER BY id DESC LIMIT ?", arguments: arguments)
                .map(Self.auditEvent(from:))
        }
        guard events.count > query.limit else { return AuditPage(events: events, nextCursor: nil) }
        let page = Array(events.prefix(query.limit))
        return AuditPage(events: page, nextCursor: AuditCursor(before: page[page.count - 1].id).encoded())
    }

    /// Calls `body` with every event at or after `since` (all when nil), oldest first, read in one
    /// transaction (a consistent snapshot) without holding them all in memory. An error thrown by
    /// `body` ends the read and is rethrown.
    public func forEachAuditEvent(since: Date?, _ body: @escaping @Sendable (AuditEvent) throws -> Void) async throws {
        try await dbWriter.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT * FROM auditEvent WHERE at >= ? ORDER BY id",
                arguments: [since.map(UnixMillis.from) ?? Int64.min])
            while let row = try rows.next() {
                try body(Self.auditEvent(from: row))
            }
        }
    }

    /// The event of a `SELECT *` row. Tolerant of rows altered outside the store (a column of another
    /// type, a NULL): it never traps, so a damaged log can still be listed and exported;
    /// ``AuditLog/verifyAuditChain(expectedHead:)`` says what is wrong with it.
    static func auditEvent(from row: Row) -> AuditEvent {
        func text(_ column: String) -> String {
            switch (row[column] as DatabaseValue).storage {
            case .string(let value): return value
            case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .int64(let value): return String(value)
            case .double(let value): return String(value)
            case .null: return ""
            }
        }
        func bytes(_ column: String) -> Data {
            switch (row[column] as DatabaseValue).storage {
            case .blob(let bytes): return bytes
            case .string(let value): return Data(value.utf8)
            default: return Data()
            }
        }
        let millis: Int64
        switch (row["at"] as DatabaseValue).storage {
        case .int64(let value): millis = value
        case .double(let value) where value.isFinite && abs(value) < 9e18: millis = Int64(value)
        default: millis = 0
        }
        return AuditEvent(
            id: row["id"], at: UnixMillis.date(millis), principal: text("principal"),
            method: text("method"), params: text("params"), result: text("result"), outcome: text("outcome"),
            prevHash: bytes("prevHash"), hash: bytes("hash"))
    }

}

extension AuditEventDraft {
    /// What every store checks before appending: a method and an outcome, JSON text in `params` and `result`.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` naming the first field that fails.
    func validate() throws {
        guard !method.isEmpty else { throw AccessStoreError.invalidArgument("the audit method is empty") }
        guard !outcome.isEmpty else { throw AccessStoreError.invalidArgument("the audit outcome is empty") }
        guard Self.isJSON(params) else { throw AccessStoreError.invalidArgument("audit params are not JSON text") }
        guard Self.isJSON(result) else { throw AccessStoreError.invalidArgument("audit result is not JSON text") }
    }

    static func isJSON(_ text: String) -> Bool {
        guard let data = text.data(using: .utf8) else { return false }
        return (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
    }
}
