import Foundation

/// A stored audit event.
///
/// Encodes (Codable) with `prevHash` and `hash` as lowercase hex strings.
public struct AuditEvent: Codable, Sendable, Equatable {
    /// Row id, increasing in append order.
    public var id: Int64
    /// When it happened (millisecond precision).
    public var at: Date
    /// The authenticated caller.
    public var principal: String
    /// The RPC method name.
    public var method: String
    /// JSON text of the parameters, secrets redacted.
    public var params: String
    /// JSON text of the result or error data.
    public var result: String
    /// `"ok"` or the error's stable name.
    public var outcome: String
    /// The ``hash`` of the event appended before this one; 32 zero bytes for the first event.
    /// Empty only if the row was altered (the store's `verifyAuditChain()` reports it).
    public var prevHash: Data
    /// HMAC-SHA256 over this event's fields and ``prevHash`` under the audit key (see `AuditChain`). Empty only if the row was altered.
    public var hash: Data

    /// Creates a value from all of its fields.
    public init(id: Int64, at: Date, principal: String, method: String, params: String, result: String, outcome: String,
                prevHash: Data = Data(), hash: Data = Data()) {
        self.id = id
        self.at = at
        self.principal = principal
        self.method = method
        self.params = params
        self.result = result
        self.outcome = outcome
        self.prevHash = prevHash
        self.hash = hash
    }

    private enum CodingKeys: String, CodingKey {
        case id, at, principal, method, params, result, outcome, prevHash, hash
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        at = try container.decode(Date.self, forKey: .at)
        principal = try container.decode(String.self, forKey: .principal)
        method = try container.decode(String.self, forKey: .method)
        params = try container.decode(String.self, forKey: .params)
        result = try container.decode(String.self, forKey: .result)
        outcome = try container.decode(String.self, forKey: .outcome)
        prevHash = try Self.bytes(hex: container.decode(String.self, forKey: .prevHash), key: .prevHash, in: container)
        hash = try Self.bytes(hex: container.decode(String.self, forKey: .hash), key: .hash, in: container)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(at, forKey: .at)
        try container.encode(principal, forKey: .principal)
        try container.encode(method, forKey: .method)
        try container.encode(params, forKey: .params)
        try container.encode(result, forKey: .result)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(Self.hex(prevHash), forKey: .prevHash)
        try container.encode(Self.hex(hash), forKey: .hash)
    }

    /// Lowercase hex, two digits a byte.
    public static func hex(_ bytes: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes that `text` spells in hex, two digits a byte, either case; nil for an odd number
    /// of digits or a character that is not a hex digit.
    public static func bytes(hex text: some StringProtocol) -> Data? {
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = Data(capacity: utf8.count / 2)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func bytes(hex text: String, key: CodingKeys, in container: KeyedDecodingContainer<CodingKeys>) throws -> Data {
        guard text.utf8.count % 2 == 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "odd number of hex digits")
        }
        guard let bytes = bytes(hex: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not hex")
        }
        return bytes
    }
}
