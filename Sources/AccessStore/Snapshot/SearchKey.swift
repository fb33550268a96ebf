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

    /// Registers the SQL function `searchKey(text)` on `db`: ``of(_:)`` of its argument read as GRDB's
    /// `String.fromDatabaseValue` reads it (the function was a GRDB `DatabaseFunction`, and the text index holds
    /// its keys): a text up to its first NUL; a blob as UTF-8 (NULL when it is not); NULL for anything else.
    /// Names and emails are stored as text. Every connection of the store has it
    /// (`SQLiteAccessStore.makeConfiguration`): the text index's triggers and `listUsers`' exact test call it.
    ///
    /// Why SQLite's C API (https://sqlite.org/c3ref/create_function.html), not GRDB's `DatabaseFunction`: a
    /// `query` scanning the workspace calls it twice for every person read, and GRDB's wrapper builds an array of
    /// values, a `String` and a result value each time: a quarter of the server's CPU for a 2-character text at
    /// 100,000 people. An ASCII text (most names and emails) is lowercased here into a temporary buffer (on the stack
    /// when small), with no Swift string made; any other takes ``of(_:)``.
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
        guard let value = arguments?[0] else { return sqlite3_result_null(context) }
        switch sqlite3_value_type(value) {
        case SQLITE_TEXT:
            guard let text = sqlite3_value_text(value) else { return sqlite3_result_null(context) }
            resultKey(context, UnsafeBufferPointer(start: text, count: strlen(text)))
        case SQLITE_BLOB:
            // The pointer first, then its length (https://sqlite.org/c3ref/value_blob.html).
            let bytes = sqlite3_value_blob(value)
            let data = bytes.map { Data(bytes: $0, count: Int(sqlite3_value_bytes(value))) } ?? Data()
            guard let text = String(data: data, encoding: .utf8) else { return sqlite3_result_null(context) }
            resultText(context, of(text))
        default:
            sqlite3_result_null(context)
        }
    }

    /// Sets the key of `utf8` (valid UTF-8, or repaired as `String(cString:)` repairs it) as the result.
    private static func resultKey(_ context: OpaquePointer?, _ utf8: UnsafeBufferPointer<UInt8>) {
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            return resultText(context, of(String(decoding: utf8, as: UTF8.self)))
        }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: max(utf8.count, 1)) { lowered in
            for index in utf8.indices {
                let byte = utf8[index]
                lowered[index] = CChar(bitPattern: (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte)
            }
            sqlite3_result_text(context, lowered.baseAddress, Int32(utf8.count), transient)
        }
    }

    private static func resultText(_ context: OpaquePointer?, _ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { sqlite3_result_text(context, $0.baseAddress, Int32(utf8.count), transient) }
        }
    }

    /// `SQLITE_TRANSIENT`: SQLite copies the result before the buffer goes away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
