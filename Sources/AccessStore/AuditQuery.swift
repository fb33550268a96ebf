import AccessProtocol
import Foundation

/// A page request for ``AuditLog/auditEvents(query:)``: filters combine with AND; newest first.
public struct AuditQuery: Sendable, Equatable {
    /// The largest page size (``limit`` range is `1...maxLimit`).
    public static let maxLimit = 1000

    /// Only events at or after this instant (millisecond precision).
    public var since: Date?
    /// Only events of this principal (exact match, non-empty).
    public var principal: String?
    /// Only events of this method (exact match, non-empty), e.g. `"provision"` or `"createToken"`.
    public var method: String?
    /// Page size, 1...1000.
    public var limit: Int
    /// ``AuditPage/nextCursor`` of the previous page, nil for the first page.
    public var cursor: String?

    /// Creates a value from all of its fields.
    public init(since: Date? = nil, principal: String? = nil, method: String? = nil, limit: Int = 100, cursor: String? = nil) {
        self.since = since
        self.principal = principal
        self.method = method
        self.limit = limit
        self.cursor = cursor
    }

    /// Checks the query for either store and decodes its cursor.
    /// - Returns: the id the page must stay below, nil for the first page.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` unless `limit` is in 1...``maxLimit`` and the text filters are
    ///   non-empty; ``AccessStoreError/invalidCursor`` for a cursor no store issued.
    func checkedBefore() throws -> Int64? {
        guard (1...AuditQuery.maxLimit).contains(limit) else {
            throw AccessStoreError.invalidQuery("limit must be between 1 and \(AuditQuery.maxLimit), got \(limit)")
        }
        if principal?.isEmpty == true { throw AccessStoreError.invalidQuery("principal is empty") }
        if method?.isEmpty == true { throw AccessStoreError.invalidQuery("method is empty") }
        return try cursor.map { try AuditCursor.decode($0).before }
    }
}

/// One page of ``AuditLog/auditEvents(query:)``.
public struct AuditPage: Sendable, Equatable {
    /// Newest first (descending id).
    public var events: [AuditEvent]
    /// Pass as ``AuditQuery/cursor`` (same filters) for the next, older page; nil on the last page.
    public var nextCursor: String?

    /// Creates a value from all of its fields.
    public init(events: [AuditEvent], nextCursor: String?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}

/// The opaque keyset cursor: base64url (no padding) of JSON `{"b": id}`, the id of the last
/// (oldest) event of a page; the next page holds events with smaller ids.
struct AuditCursor: KeysetCursor, Equatable {
    var b: Int64

    init(before: Int64) { b = before }

    var before: Int64 { b }

    static let maximumLength = 256
}
