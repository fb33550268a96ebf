import Foundation
import GRDB

/// The form names and emails are compared in by `listUsers`' `query`: lowercased (Swift's full Unicode
/// `lowercased()`), then in Unicode Normalization Form C, so that canonically equivalent text is equal:
/// `"José"` written with a precomposed `é` (U+00E9) and with `e` + a combining acute accent (U+0065 U+0301)
/// match each other in either direction (https://unicode.org/reports/tr15/, canonical equivalence).
enum SearchKey {
    /// `text` in search form.
    static func of(_ text: String) -> String {
        var text = text
        // ASCII text (most names and emails) is lowercased byte by byte, and is its own NFC: a `query` reads this
        // for every person of the workspace, and the general path costs about 3 µs a string.
        if let ascii = text.withUTF8({ utf8 in utf8.allSatisfy { $0 < 0x80 } ? Self.asciiLowercased(utf8) : nil }) {
            return ascii
        }
        return text.lowercased().precomposedStringWithCanonicalMapping
    }

    private static func asciiLowercased(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: utf8.count) { buffer in
            for (index, byte) in utf8.enumerated() {
                buffer[index] = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
            }
            return utf8.count
        }
    }

    /// The SQL function `searchKey(text)` (NULL for NULL), registered on every connection of the store.
    static let function = DatabaseFunction("searchKey", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(of)
    }
}
