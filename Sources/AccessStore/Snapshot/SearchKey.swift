import Foundation
import GRDB
import GRDBSQLite

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

    /// Registers the SQL function `searchKey(text)` on `db`: ``of(_:)`` of a text value; NULL for NULL, and for a
    /// value of another type (names and emails are stored as text). As GRDB's text conversion does, a text is read
    /// up to its first NUL. Every connection of the store has it (`SQLiteAccessStore.makeConfiguration`): the text
    /// index's triggers and `listUsers`' exact test call it.
    ///
    /// Why SQLite's C API (https://sqlite.org/c3ref/create_function.html), not GRDB's `DatabaseFunction`: a
    /// `query` scanning the workspace calls it twice for every person read, and GRDB's wrapper builds an array of
    /// values, a `String` and a result value each time: a quarter of the server's CPU for a 2-character text at
    /// 100,000 people. An ASCII text (most names and emails) is lowercased here into a stack buffer, with no Swift
    /// string made; any other takes ``of(_:)``.
    /// - Throws: `DatabaseError` when SQLite refuses the registration.
    static func install(in db: Database) throws {
        let code = sqlite3_create_function_v2(db.sqliteConnection, "searchKey", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                              nil, sqlFunction, nil, nil, nil)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register the searchKey SQL function")
        }
    }

    /// The C implementation of `searchKey`.
    private static let sqlFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = {
        context, _, arguments in
        guard let value = arguments?[0], sqlite3_value_type(value) == SQLITE_TEXT, let text = sqlite3_value_text(value) else {
            sqlite3_result_null(context)
            return
        }
        let utf8 = UnsafeBufferPointer(start: text, count: strlen(text))
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            var key = of(String(decoding: utf8, as: UTF8.self))
            key.withUTF8 { key in
                key.withMemoryRebound(to: CChar.self) { sqlite3_result_text(context, $0.baseAddress, Int32(key.count), transient) }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: max(utf8.count, 1)) { lowered in
            for index in utf8.indices {
                let byte = utf8[index]
                lowered[index] = CChar(bitPattern: (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte)
            }
            sqlite3_result_text(context, lowered.baseAddress, Int32(utf8.count), transient)
        }
    }

    /// `SQLITE_TRANSIENT`: SQLite copies the result before the buffer goes away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
