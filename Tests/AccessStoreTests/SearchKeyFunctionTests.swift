import Foundation
import GRDB
import Testing
@testable import AccessStore

/// The `searchKey` SQL function (``SearchKey/install(in:)``) gives what ``SearchKey/of(_:)`` gives: the text
/// index's triggers and `listUsers`' exact test use the one, the query text the other.
@Suite("searchKey SQL function")
struct SearchKeyFunctionTests {
    static let texts = [
        "Alice ANDERS", "alice.anders@acme.example", "", "Z", "already lower", "MiXeD 123 !@#[]^_`{}~",
        "JOSÉ", "Jose\u{301}", "Ängström", "İstanbul", "STRASSE ß", "ΣΊΣΥΦΟΣ", "Ⅻ", "日本語 テキスト", "😀 Emoji",
    ]

    @Test("equals SearchKey.of for ASCII and non-ASCII text", arguments: texts)
    func matchesSwift(text: String) throws {
        let queue = try DatabaseQueue(configuration: SQLiteAccessStore.makeConfiguration())
        let key = try queue.read { try String.fetchOne($0, sql: "SELECT searchKey(?)", arguments: [text]) }
        #expect(key == SearchKey.of(text))
    }

    @Test("values as GRDB reads them: NULL and numbers give NULL, a blob is UTF-8 or NULL, a text ends at its first NUL")
    func otherValues() throws {
        let queue = try DatabaseQueue(configuration: SQLiteAccessStore.makeConfiguration())
        func value(_ sql: String, _ arguments: StatementArguments = []) throws -> DatabaseValue? {
            try queue.read { db in try DatabaseValue.fetchOne(db, sql: sql, arguments: arguments) }
        }
        #expect(try value("SELECT searchKey(NULL)") == .null)
        #expect(try value("SELECT searchKey(42)") == .null)
        #expect(try value("SELECT searchKey(x'414243')") == "abc".databaseValue, "a blob is read as UTF-8, as GRDB reads it")
        #expect(try value("SELECT searchKey(x'')") == "".databaseValue)
        #expect(try value("SELECT searchKey(x'ff')") == .null, "not UTF-8")
        // hex() shows every byte of a text, those after a NUL too.
        #expect(try value("SELECT hex(searchKey('AB' || char(0) || 'CD'))") == "6162".databaseValue)
        let long = String(repeating: "X", count: 100_000)
        #expect(try value("SELECT searchKey(?)", [long]) == String(repeating: "x", count: 100_000).databaseValue)
    }
}
