import Foundation

/// What may be shown about an API token: never its secret nor the secret's hash.
public struct APITokenSummary: Codable, Sendable, Equatable {
    /// The token's id: 16 lowercase hex digits, also the second field of its text `aat_<id>_<secret>`.
    /// Not secret: it names the token in logs and audit events.
    public var id: String
    /// Unique name, 1–64 characters of `A-Z a-z 0-9 . _ -` (kept after revocation).
    public var name: String
    /// What the token may do.
    public var role: AccessRole
    /// When the token was created; millisecond precision.
    public var createdAt: Date
    /// When the token last verified, to within the store's `apiTokenLastUsedInterval` (one minute); nil if never used.
    @Nullable public var lastUsedAt: Date?
    /// When the token was revoked; nil while it is active.
    @Nullable public var revokedAt: Date?
    /// When the token stops verifying (millisecond precision); nil when it never expires. From this
    /// instant on, the store's `verifyAPIToken` treats it like a wrong token, and a server
    /// may end sessions authenticated with it.
    @Nullable public var expiresAt: Date?

    /// Creates a value from all of its fields.
    public init(id: String, name: String, role: AccessRole, createdAt: Date, lastUsedAt: Date?, revokedAt: Date?, expiresAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
    }

    /// Whether the token has expired at `date` (`expiresAt <= date`).
    public func isExpired(at date: Date) -> Bool {
        expiresAt.map { $0 <= date } ?? false
    }
}
