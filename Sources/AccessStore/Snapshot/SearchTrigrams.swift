import Foundation
import GRDB
import GRDBSQLite

/// The SQL aggregate `searchTrigrams(text, ...)`: the distinct trigrams of its text arguments over every row, as a JSON
/// array of strings (`[]` for none), in no particular order. A trigram is 3 consecutive Unicode scalars, as FTS5's
/// trigram tokenizer cuts a value with `case_sensitive 1` (no folding:
/// https://sqlite.org/fts5.html#the_trigram_tokenizer), and as it holds them: U+FFFE and U+FFFF as U+FFFD, since
/// SQLite decodes UTF-8 so (its `READ_UTF8` macro, in FTS5's tokenizers too). Arguments that are not text, and texts
/// shorter than 3, give none.
///
/// It keeps `searchTrigram`, the list of the text index's trigrams (migration `v19-search-trigrams`): each write of
/// the index (``ListingRank/refresh(_:)``, the triggers) adds the trigrams of what it wrote with
/// `INSERT OR IGNORE INTO searchTrigram SELECT value FROM json_each((SELECT searchTrigrams(...) ...))`. A short text is
/// found as the trigrams that begin with it (``SearchIndex/matchCondition(_:)``), read as a range of that table.
///
/// Why a table of our own: FTS5's vocabulary table (`fts5vocab`) reads every entry of a term's list to count it, so
/// listing the trigrams that begin with 'ex' (one trigram, in every email of a domain) took 2.2 ms at 100,000 people,
/// and those beginning with 'a' (246) 9.8 ms; a range of this table reads only the terms.
/// Why SQLite's C API (https://sqlite.org/c3ref/create_function.html), not GRDB's `DatabaseAggregate`: the first sync
/// of 100,000 people steps it once for every person, and GRDB's wrapper builds an array of values at every step (as
/// for ``SearchKey``). The trigrams are kept as 64-bit keys (3 scalars of 21 bits), a string made for each only at the
/// end.
enum SearchTrigrams {
    /// Registers the aggregate on `db` (every connection of the store: `SQLiteAccessStore.makeConfiguration`).
    /// - Throws: `DatabaseError` when SQLite refuses the registration.
    static func install(in db: Database) throws {
        let code = sqlite3_create_function_v2(db.sqliteConnection, "searchTrigrams", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                              nil, nil, step, final, nil)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register the searchTrigrams SQL function")
        }
    }

    /// The trigrams of `text` as the index holds them (each 3 scalars packed in 21 bits each, first scalar highest).
    static func trigrams(of text: String) -> Set<UInt64> {
        var set = Set<UInt64>()
        insert(text.unicodeScalars, into: &set)
        return set
    }

    /// The string of a packed trigram.
    static func string(_ trigram: UInt64) -> String {
        var scalars = String.UnicodeScalarView()
        for shift in [42, 21, 0] as [UInt64] {
            scalars.append(Unicode.Scalar(UInt32(truncatingIfNeeded: (trigram >> shift) & 0x1F_FFFF))!)
        }
        return String(scalars)
    }

    private static func insert(_ scalars: String.UnicodeScalarView, into set: inout Set<UInt64>) {
        var window: UInt64 = 0
        var count = 0
        for scalar in scalars {
            let value = scalar.value == 0xFFFE || scalar.value == 0xFFFF ? 0xFFFD : scalar.value
            window = ((window << 21) | UInt64(value)) & ((1 << 63) - 1)
            count += 1
            if count >= 3 { set.insert(window) }
        }
    }

    /// One aggregate's state, kept in SQLite's aggregate context as an unmanaged reference.
    private final class State {
        var trigrams = Set<UInt64>()
    }

    private static func state(_ context: OpaquePointer?, create: Bool) -> State? {
        let size = Int32(create ? MemoryLayout<UnsafeMutableRawPointer?>.size : 0)
        guard let slot = sqlite3_aggregate_context(context, size)?.assumingMemoryBound(to: UnsafeMutableRawPointer?.self) else {
            return nil
        }
        if let existing = slot.pointee { return Unmanaged<State>.fromOpaque(existing).takeUnretainedValue() }
        guard create else { return nil }
        let state = State()
        slot.pointee = Unmanaged.passRetained(state).toOpaque()
        return state
    }

    private static let step: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = {
        context, count, arguments in
        guard let arguments, let state = state(context, create: true) else { return sqlite3_result_error_nomem(context) }
        for index in 0..<Int(count) {
            guard let value = arguments[index], sqlite3_value_type(value) == SQLITE_TEXT, let text = sqlite3_value_text(value) else { continue }
            let bytes = UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value)))
            insert(String(decoding: bytes, as: UTF8.self).unicodeScalars, into: &state.trigrams)
        }
    }

    private static let final: @convention(c) (OpaquePointer?) -> Void = { context in
        var trigrams: [String] = []
        if let slot = sqlite3_aggregate_context(context, 0)?.assumingMemoryBound(to: UnsafeMutableRawPointer?.self),
           let pointer = slot.pointee {
            let state = Unmanaged<State>.fromOpaque(pointer).takeRetainedValue()
            slot.pointee = nil
            trigrams = state.trigrams.map(string)
        }
        guard let json = try? JSONSerialization.data(withJSONObject: trigrams) else {
            return sqlite3_result_error(context, "searchTrigrams: the trigrams could not be written as JSON", -1)
        }
        json.withUnsafeBytes { bytes in
            sqlite3_result_text(context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
        }
    }

    /// `SQLITE_TRANSIENT`: SQLite copies the result before the buffer goes away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
