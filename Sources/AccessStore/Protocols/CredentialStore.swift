import AccessProtocol
import Foundation

/// Sealed Asana credentials, one per (workspace, purpose). Secrets are sealed under the master key
/// before they reach storage; listings show fingerprints only.
public protocol CredentialStore: Sendable {
    /// Seals `secret` under the master key and stores it for (workspace, purpose), replacing any
    /// previous credential there (`createdAt` is kept, `updatedAt` = `at`, the state becomes `active`).
    /// The plaintext never reaches the database.
    ///
    /// - Parameters:
    ///   - fingerprintOf: the text whose fingerprint identifies the credential; `secret` when nil. An OAuth
    ///     token set passes its refresh token, so the fingerprint survives access-token refreshes.
    /// - Returns: the stored summary (fingerprint only).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty workspace gid or secret.
    @discardableResult
    func putCredential(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String,
                       fingerprintOf: String?, at: Date) async throws -> CredentialSummary

    /// Like ``putCredential(workspaceGid:purpose:kind:secret:fingerprintOf:at:)``, but only when the stored
    /// credential of (workspace, purpose) still has fingerprint `onlyIfFingerprint`: an OAuth refresh must not
    /// overwrite a credential authorized again meanwhile. The check and the write are one transaction.
    /// - Returns: the stored summary, or nil when the fingerprint did not match (nothing written).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty workspace gid or secret.
    func replaceCredential(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String,
                           fingerprintOf: String?, onlyIfFingerprint: String, at: Date) async throws -> CredentialSummary?

    /// Marks the credential of (workspace, purpose) as needing a new authorization, with `reason`.
    /// Only the row with fingerprint `fingerprint` is changed, so a credential stored again meanwhile stays active.
    /// - Returns: whether a row changed.
    @discardableResult
    func markCredentialReauthorizationRequired(workspaceGid: String, purpose: CredentialPurpose, fingerprint: String,
                                               reason: String, at: Date) async throws -> Bool

    /// Summaries of every stored credential, ordered by workspace gid then purpose. No secret is opened.
    func credentialSummaries() async throws -> [CredentialSummary]

    /// Opens the credential of (workspace, purpose) and returns it with its summary (state, fingerprint), in
    /// one read: for paths that run before every call to Asana.
    /// - Returns: nil when none is stored.
    /// - Throws: ``AccessStoreError/credentialTampered(workspaceGid:purpose:)`` when AES-GCM refuses it
    ///   (altered ciphertext or row, copied from another row, or sealed under another master key).
    func openCredentialWithSummary(workspaceGid: String, purpose: CredentialPurpose) async throws -> (summary: CredentialSummary, secret: String)?

    /// Deletes the credential of (workspace, purpose); its sealed bytes do not linger in storage.
    /// - Returns: whether a credential was deleted.
    @discardableResult
    func deleteCredential(workspaceGid: String, purpose: CredentialPurpose) async throws -> Bool
}

extension CredentialStore {
    /// ``putCredential(workspaceGid:purpose:kind:secret:fingerprintOf:at:)`` fingerprinting `secret` itself.
    @discardableResult
    public func putCredential(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String,
                              at: Date) async throws -> CredentialSummary {
        try await putCredential(workspaceGid: workspaceGid, purpose: purpose, kind: kind, secret: secret, fingerprintOf: nil, at: at)
    }

    /// Opens the credential of (workspace, purpose).
    /// - Returns: its kind and secret, or nil when none is stored.
    /// - Throws: ``AccessStoreError/credentialTampered(workspaceGid:purpose:)`` as
    ///   ``openCredentialWithSummary(workspaceGid:purpose:)``.
    public func openCredential(workspaceGid: String, purpose: CredentialPurpose) async throws -> (kind: CredentialKind, secret: String)? {
        try await openCredentialWithSummary(workspaceGid: workspaceGid, purpose: purpose).map { ($0.summary.kind, $0.secret) }
    }
}
