import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with the `S256` method, as Asana's authorize endpoint takes it
/// (`code_challenge_method=S256`, `code_challenge = BASE64URL(SHA256(ASCII(code_verifier)))`, RFC 7636 §4.2; https://developers.asana.com/docs/oauth).
enum PKCE {
    /// A fresh verifier: 32 random bytes as unpadded base64url, 43 characters (RFC 7636 §4.1 allows 43–128).
    static func makeVerifier() -> String { randomToken(bytes: 32) }

    /// The `S256` challenge of `verifier`: unpadded base64url of SHA-256 of its ASCII bytes.
    static func challenge(for verifier: String) -> String {
        base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// `bytes` random bytes (system CSPRNG) as unpadded base64url: used for verifiers and `state` values.
    static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Unpadded base64url (RFC 4648 §5).
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
