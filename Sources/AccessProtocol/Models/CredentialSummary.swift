import Foundation

/// What may be shown about a stored credential: never the secret, only its fingerprint.
public struct CredentialSummary: Codable, Sendable, Equatable {
    /// Asana workspace gid the credential belongs to.
    public var workspaceGid: String
    /// What the credential is used for.
    public var purpose: CredentialPurpose
    /// PAT or OAuth.
    public var kind: CredentialKind
    /// `"sha256:"` + the first 12 lowercase hex digits of SHA-256 of the secret's UTF-8 bytes.
    public var fingerprint: String
    /// When the row was first stored (kept across updates); millisecond precision.
    public var createdAt: Date
    /// When the secret was last stored; millisecond precision.
    public var updatedAt: Date
    /// `active`, or `reauthorizationRequired` once Asana refused its OAuth refresh token.
    public var state: CredentialState
    /// Why the state is not `active` (Asana's `error_description`, or the error name), else nil.
    @Nullable public var stateReason: String?

    /// Creates a value from all of its fields.
    public init(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, fingerprint: String, createdAt: Date, updatedAt: Date,
                state: CredentialState = .active, stateReason: String? = nil) {
        self.workspaceGid = workspaceGid
        self.purpose = purpose
        self.kind = kind
        self.fingerprint = fingerprint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.state = state
        self.stateReason = stateReason
    }
}
