import Foundation

/// Dates are stored as INTEGER Unix milliseconds (UTC), so they sort, compare and index as numbers
/// and read the same from any SQL client. Sub-millisecond precision is dropped (rounded to nearest).
enum UnixMillis {
    /// `date` as whole milliseconds since 1970-01-01T00:00:00Z.
    static func from(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date for whole milliseconds since 1970-01-01T00:00:00Z.
    static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// `nil` stays `nil`.
    static func date(_ millis: Int64?) -> Date? {
        millis.map { date($0) }
    }
}
