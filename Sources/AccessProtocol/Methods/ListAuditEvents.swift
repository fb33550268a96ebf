/// `listAuditEvents`: audit events, newest first, filtered and paged by cursor
/// (protocol.md §5, `listAuditEvents`). Role: admin.
public enum ListAuditEvents: AccessMethod {
    /// `{since?, principal?, method?, limit?, cursor?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// ISO 8601 date-time (e.g. `2025-01-31T09:00:00Z`, fractional seconds allowed): only events at or after it.
        public var since: String?
        /// Only events of this principal (exact match).
        public var principal: String?
        /// Only events of this method (exact match), e.g. `provision`, `putCredential`.
        public var method: String?
        /// 1–1000, default 100; newest first.
        public var limit: Int?
        /// `nextCursor` of the previous page.
        public var cursor: String?

        public init(since: String? = nil, principal: String? = nil, method: String? = nil, limit: Int? = nil, cursor: String? = nil) {
            self.since = since
            self.principal = principal
            self.method = method
            self.limit = limit
            self.cursor = cursor
        }
    }

    /// `{items, nextCursor?}`.
    public struct Result: Codable, Sendable, Equatable {
        /// Newest first.
        public var items: [AuditEvent]
        /// Pass as `cursor` (with the same filters) for the next, older page; absent on the last page.
        public var nextCursor: String?

        public init(items: [AuditEvent], nextCursor: String?) {
            self.items = items
            self.nextCursor = nextCursor
        }
    }

    public static let name = "listAuditEvents"
    public static let summary = "Audit events, newest first: who changed what, when, with which result; filters since, principal, method; paged by cursor."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["since", "principal", "method", "limit", "cursor"]
    /// Default `limit`.
    public static let defaultLimit = 100
}
