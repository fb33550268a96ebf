import Foundation

/// An opaque keyset cursor: base64url (no padding) of its JSON with sorted keys, so one position
/// always gives the same text. Clients pass it back unchanged; anything else is refused.
protocol KeysetCursor: Codable {
    /// The longest cursor text accepted, in characters.
    static var maximumLength: Int { get }
    /// Checks beyond decoding (e.g. a non-empty gid).
    var isWellFormed: Bool { get }
}

extension KeysetCursor {
    var isWellFormed: Bool { true }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = (try? encoder.encode(self)) ?? Data()
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// - Throws: ``AccessStoreError/invalidCursor`` unless `text` is base64url JSON of a well-formed cursor.
    static func decode(_ text: String) throws -> Self {
        guard !text.isEmpty, text.count <= maximumLength,
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw AccessStoreError.invalidCursor
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let cursor = try? JSONDecoder().decode(Self.self, from: data),
              cursor.isWellFormed else {
            throw AccessStoreError.invalidCursor
        }
        return cursor
    }
}
