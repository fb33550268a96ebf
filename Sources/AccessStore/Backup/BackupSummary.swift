/// What a backup file holds, read from the file itself once it is complete.
public struct BackupSummary: Sendable, Equatable {
    /// The file's path.
    public var path: String
    /// The file's size in bytes.
    public var bytes: Int
    /// The last migration applied (the schema version), e.g. `v10-history`.
    public var schemaVersion: String
    /// The number of audit events it holds.
    public var auditEventCount: Int
    /// The id of its last audit event (its chain head's sequence number); 0 when the log is empty.
    public var lastAuditEventId: Int64
    /// The fingerprint (``MasterKey/fingerprint``) of the master key that opens it: keep that key with the backup.
    public var masterKeyFingerprint: String

    /// Creates a value from all of its fields.
    public init(path: String, bytes: Int, schemaVersion: String, auditEventCount: Int, lastAuditEventId: Int64, masterKeyFingerprint: String) {
        self.path = path
        self.bytes = bytes
        self.schemaVersion = schemaVersion
        self.auditEventCount = auditEventCount
        self.lastAuditEventId = lastAuditEventId
        self.masterKeyFingerprint = masterKeyFingerprint
    }
}
