import Foundation
import GRDB

/// The form names and emails are compared in by `listUsers`' `query`: lowercased (Swift's full Unicode
/// `lowercased()`), then in Unicode Normalization Form C, so that canonically equivalent text is equal:
/// `"José"` written with a precomposed `é` (U+00E9) and with `e` + a combining acute accent (U+0065 U+0301)
/// match each other in either direction (https://unicode.org/reports/tr15/, canonical equivalence).
enum SearchKey {
    /// `text` in search form.
    static func of(_ text: String) -> String {
        text.lowercased().precomposedStringWithCanonicalMapping
    }

    /// The SQL function `searchKey(text)` (NULL for NULL), registered on every connection of the store.
    static let function = DatabaseFunction("searchKey", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(of)
    }
}
