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

/// A stored audit event.
public struct AuditEvent: Codable, Sendable, Equatable {
    /// Row id, increasing in append order.
    public var id: Int64
    /// When it happened (millisecond precision).
    public var at: Date
    /// The authenticated caller.
    public var principal: String
    /// The RPC method name.
    public var method: String
    /// JSON text of the parameters, secrets redacted.
    public var params: String
    /// JSON text of the result or error data.
    public var result: String
    /// `"ok"` or the error's stable name.
    public var outcome: String

    /// Creates a value from all of its fields.
    public init(id: Int64, at: Date, principal: String, method: String, params: String, result: String, outcome: String) {
        self.id = id
        self.at = at
        self.principal = principal
        self.method = method
        self.params = params
        self.result = result
        self.outcome = outcome
    }
}

extension AccessStore {
    /// The most events ``auditEvents(limit:beforeId:)`` returns at once.
    public static let maxAuditEventsLimit = 1000

    /// Appends an event (the log is append-only).
    /// - Returns: its id.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when `params` or `result` is not JSON text,
    ///   or `method` / `outcome` is empty.
    @discardableResult
    public func appendAuditEvent(_ event: AuditEventDraft) throws -> Int64 {
        guard !event.method.isEmpty else { throw AccessStoreError.invalidArgument("the audit method is empty") }
        guard !event.outcome.isEmpty else { throw AccessStoreError.invalidArgument("the audit outcome is empty") }
        guard Self.isJSON(event.params) else { throw AccessStoreError.invalidArgument("audit params are not JSON text") }
        guard Self.isJSON(event.result) else { throw AccessStoreError.invalidArgument("audit result is not JSON text") }
        return try dbWriter.write { db in
            try db.execute(
                sql: "INSERT INTO auditEvent (at, principal, method, params, result, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [UnixMillis.from(event.at), event.principal, event.method, event.params, event.result, event.outcome])
            return db.lastInsertedRowID
        }
    }

    /// The latest events, newest first; with `beforeId`, those older than that id (to page back).
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` unless `limit` is in 1...1000.
    public func auditEvents(limit: Int, beforeId: Int64? = nil) throws -> [AuditEvent] {
        guard (1...Self.maxAuditEventsLimit).contains(limit) else {
            throw AccessStoreError.invalidQuery("limit must be between 1 and \(Self.maxAuditEventsLimit), got \(limit)")
        }
        return try dbWriter.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM auditEvent WHERE id < ? ORDER BY id DESC LIMIT ?",
                arguments: [beforeId ?? Int64.max, limit]
            ).map { row in
                AuditEvent(
                    id: row["id"], at: UnixMillis.date(row["at"] as Int64), principal: row["principal"],
                    method: row["method"], params: row["params"], result: row["result"], outcome: row["outcome"])
            }
        }
    }

    static func isJSON(_ text: String) -> Bool {
        guard let data = text.data(using: .utf8) else { return false }
        return (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
    }
}
