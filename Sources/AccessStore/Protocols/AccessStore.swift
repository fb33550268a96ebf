/// Everything the service keeps: sealed credentials, API tokens, OAuth apps and pending
/// authorizations, workspace snapshots and their history, sync runs, the audit log, the provision journal and
/// idempotency records, the sync schedule, and the leases that keep servers sharing it apart. ``SQLiteAccessStore`` implements it
/// over one SQLite file, ``PostgresAccessStore`` over a PostgreSQL database several servers share.
///
/// Every requirement that touches storage is `async throws`: a call suspends its task, never blocks a
/// thread, and, once made, runs to its end even when the task is cancelled meanwhile (a write the
/// caller asked for is not lost to cancellation). What one requirement writes is one transaction:
/// it commits whole or not at all. Implementations are `Sendable`: call them from any task.
///
/// Storage failures that are not about the arguments surface as ``AccessStoreError/storageFull(path:)``
/// and ``AccessStoreError/storageUnavailable(path:message:)`` (``AccessStoreError/isStorageFailure``);
/// an implementation may let other failures of its database through as they are.
public protocol AccessStore: CredentialStore, APITokenStore, OAuthStore, SnapshotStore, SyncRunStore, AuditLog,
    ProvisionIntentStore, IdempotencyStore, HistoryStore, LeaseStore, ScheduleStore, Sendable {}
