import Foundation

/// What may be shown about a stored OAuth app: its client id and the fingerprint of its secret.
public struct OAuthClientSummary: Codable, Sendable, Equatable {
    /// The app's client id, as registered in Asana's developer console.
    public var clientId: String
    /// `"sha256:"` + the first 12 lowercase hex digits of SHA-256 of the client secret.
    public var fingerprint: String
    /// When first stored; millisecond precision.
    public var createdAt: Date
    /// When the secret was last stored; millisecond precision.
    public var updatedAt: Date

    /// Creates a value from all of its fields.
    public init(clientId: String, fingerprint: String, createdAt: Date, updatedAt: Date) {
        self.clientId = clientId
        self.fingerprint = fingerprint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
