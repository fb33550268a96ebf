import AccessProtocol
import Crypto
import Foundation

/// Seals and opens credential secrets with AES-256-GCM (swift-crypto; swift-style.md §2.6).
///
/// The stored form is `AES.GCM.SealedBox.combined` (12-byte random nonce || ciphertext || 16-byte tag).
/// The associated data binds a ciphertext to its row:
/// `"asana-access/credential/v1|<workspaceGid>|<purpose>|<kind>|key<keyVersion>"`,
/// so a ciphertext copied to another row, or a changed kind or key version, fails to open.
struct CredentialSealer: Sendable {
    /// The key version of the first key; each re-seal under a new key adds one.
    static let initialKeyVersion = 1

    let masterKey: MasterKey

    /// The associated data for one row.
    static func associatedData(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, keyVersion: Int) -> [UInt8] {
        Array("asana-access/credential/v1|\(workspaceGid)|\(purpose.rawValue)|\(kind.rawValue)|key\(keyVersion)".utf8)
    }

    /// The associated data of an OAuth app's client secret (``OAuthStore/putOAuthClient(clientId:secret:at:)``).
    static func oauthClientAssociatedData(clientId: String, keyVersion: Int) -> [UInt8] {
        Array("asana-access/oauth-client/v1|\(clientId)|key\(keyVersion)".utf8)
    }

    /// The associated data of a pending authorization's PKCE verifier, bound to its state hash.
    static func oauthFlowAssociatedData(stateHash: String, keyVersion: Int) -> [UInt8] {
        Array("asana-access/oauth-flow/v1|\(stateHash)|key\(keyVersion)".utf8)
    }

    /// `"sha256:"` + the first 12 hex digits of SHA-256 of the secret's UTF-8 bytes.
    static func fingerprint(of secret: String) -> String {
        let digest = SHA256.hash(data: Array(secret.utf8))
        return "sha256:" + digest.prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The sealed box's combined bytes for `secret`, with a fresh random nonce.
    func seal(_ secret: String, workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, keyVersion: Int) throws -> Data {
        try seal(secret, associatedData: Self.associatedData(workspaceGid: workspaceGid, purpose: purpose, kind: kind, keyVersion: keyVersion))
    }

    /// The sealed box's combined bytes for `secret` bound to `aad`, with a fresh random nonce.
    func seal(_ secret: String, associatedData aad: [UInt8]) throws -> Data {
        let box = try AES.GCM.seal(Array(secret.utf8), using: masterKey.key, authenticating: aad)
        guard let combined = box.combined else {
            // Only nil for non-standard nonce sizes; `seal` picks the standard 12 bytes.
            throw AccessStoreError.invalidArgument("AES-GCM produced no combined representation")
        }
        return combined
    }

    /// The secret sealed in `combined`.
    /// - Throws: ``AccessStoreError/credentialTampered(workspaceGid:purpose:)`` when the box is malformed,
    ///   fails authentication (other key, altered bytes or AAD), or does not hold UTF-8.
    func open(_ combined: Data, workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, keyVersion: Int) throws -> String {
        let aad = Self.associatedData(workspaceGid: workspaceGid, purpose: purpose, kind: kind, keyVersion: keyVersion)
        guard let secret = open(combined, associatedData: aad) else {
            throw AccessStoreError.credentialTampered(workspaceGid: workspaceGid, purpose: purpose)
        }
        return secret
    }

    /// The UTF-8 text sealed in `combined` under `aad`, or nil when the box is malformed, fails
    /// authentication or does not hold UTF-8.
    func open(_ combined: Data, associatedData aad: [UInt8]) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: combined),
              let plaintext = try? AES.GCM.open(box, using: masterKey.key, authenticating: aad) else { return nil }
        return String(validating: plaintext, as: UTF8.self)
    }
}
