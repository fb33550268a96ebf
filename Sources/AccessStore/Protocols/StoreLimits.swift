import Foundation

/// Limits and lifetimes every ``AccessStore`` keeps, for callers that check arguments before they
/// reach the store (and name the limit in their answer) without a concrete store at hand.
public enum StoreLimits {
    /// A successful ``APITokenStore/verifyAPIToken(_:at:)`` writes `lastUsedAt` only when the stored value is
    /// missing or at least this many seconds older than `at`, so a busy token costs one write a
    /// minute, not one per call. `lastUsedAt` is therefore exact to within this interval.
    public static let apiTokenLastUsedInterval: TimeInterval = 60

    /// The longest lifetime a token may be given: 3650 days (about ten years).
    public static let maximumAPITokenLifetime: TimeInterval = 3650 * 86400
    /// The shortest lifetime a token may be given: one minute.
    public static let minimumAPITokenLifetime: TimeInterval = 60

    /// Most authorizations that may wait for `oauthFinish` at once; older expired ones are dropped first.
    public static let maxPendingOAuthFlows = 1_000

    /// The most events ``AuditLog/auditEvents(query:)`` returns at once.
    public static let maxAuditEventsLimit = AuditQuery.maxLimit

    /// The most runs ``SyncRunStore/syncRuns(workspaceGid:limit:)`` returns at once.
    public static let maxSyncRunsLimit = 1000
}
