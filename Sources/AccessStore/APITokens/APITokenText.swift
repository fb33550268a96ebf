import Crypto
import Foundation

/// The text of an API token, `aat_<id>_<secret>` (64 ASCII characters):
/// - `id`: 16 lowercase hex digits (8 random bytes); the row's primary key, not secret.
/// - `secret`: 43 characters, base64url without padding (RFC 4648 §5) of 32 random bytes. It may
///   itself contain `_` and `-`, so the text is split by position, never on `_`.
///
/// The store keeps only ``secretHash`` = SHA-256 of the secret's 43 ASCII characters (hashing the
/// text, not the decoded bytes, so every character counts, the unused low bits of the last one too).
struct APITokenText: Sendable, Equatable {
    static let prefix = "aat_"
    /// Random bytes behind the id (16 hex digits).
    static let idByteCount = 8
    /// Random bytes behind the secret (43 base64url characters).
    static let secretByteCount = 32
    static let idLength = 16
    static let secretLength = 43
    /// `"aat_"` + 16 + `"_"` + 43.
    static let length = 4 + idLength + 1 + secretLength

    let id: String
    let secret: String

    /// `aat_<id>_<secret>`.
    var text: String { Self.prefix + id + "_" + secret }

    /// SHA-256 of the secret's UTF-8 bytes: 32 bytes, what the `secretHash` column holds.
    var secretHash: Data { Data(SHA256.hash(data: Array(secret.utf8))) }

    /// A fresh token from swift-crypto's CSPRNG (`SymmetricKey(size:)`).
    static func generate() -> APITokenText {
        let idBytes = SymmetricKey(size: SymmetricKeySize(bitCount: idByteCount * 8)).withUnsafeBytes { Array($0) }
        let secretBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return APITokenText(id: hex(idBytes), secret: base64URL(secretBytes))
    }

    /// Splits `text` into id and secret, or nil unless it is exactly `aat_` + 16 lowercase hex digits
    /// + `_` + 43 base64url characters (`A-Z a-z 0-9 - _`). Never throws, whatever the input.
    static func parse(_ text: String) -> APITokenText? {
        let bytes = Array(text.utf8)
        guard bytes.count == length, bytes.starts(with: Array(prefix.utf8)) else { return nil }
        let idBytes = bytes[4..<(4 + idLength)]
        let separator = bytes[4 + idLength]
        let secretBytes = bytes[(4 + idLength + 1)...]
        guard separator == UInt8(ascii: "_"),
              idBytes.allSatisfy(isLowercaseHex),
              secretBytes.allSatisfy(isBase64URL) else { return nil }
        // All ASCII, checked above, so these decode.
        return APITokenText(id: String(decoding: idBytes, as: UTF8.self), secret: String(decoding: secretBytes, as: UTF8.self))
    }

    /// Whether `name` is 1–64 characters of `A-Z a-z 0-9 . _ -`.
    /// Checks what a new token is created with, in either store.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for a name that is not 1–64 characters of A-Z, a-z, 0-9,
    ///   `.`, `_`, `-`, or an expiry not between ``StoreLimits/minimumAPITokenLifetime`` and
    ///   ``StoreLimits/maximumAPITokenLifetime`` after `at`.
    static func checkNewToken(name: String, at: Date, expiresAt: Date?) throws {
        guard isValidName(name) else {
            throw AccessStoreError.invalidArgument("a token name must be 1–64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
        }
        if let expiresAt {
            let lifetime = expiresAt.timeIntervalSince(at)
            guard lifetime >= StoreLimits.minimumAPITokenLifetime, lifetime <= StoreLimits.maximumAPITokenLifetime else {
                throw AccessStoreError.invalidArgument("a token's expiry must be between 1 minute and 3650 days after its creation")
            }
        }
    }

    static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        return (1...64).contains(bytes.count) && bytes.allSatisfy { byte in
            isASCIIAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Lowercase hex, two digits a byte.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    /// Base64url without padding: `+` → `-`, `/` → `_`, no `=`.
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        isASCIIAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
