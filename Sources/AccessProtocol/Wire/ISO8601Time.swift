import Foundation

/// Strict reading of the times params carry (RFC 3339, the internet profile of ISO 8601: https://www.rfc-editor.org/rfc/rfc3339#section-5.6):
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, and, where a param says so, a bare date `YYYY-MM-DD` (the
/// start of that day in UTC). Every field must be in range: Foundation's ISO 8601 parser alone rolls
/// `T25:00:00Z` over into the next day, and `02-30` into March.
public enum ISO8601Time {
    /// The instant `text` names, or nil when it is not a valid RFC 3339 date-time.
    public static func parseDateTime(_ text: String) -> Date? {
        let pattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/
        guard let match = text.wholeMatch(of: pattern) else { return nil }
        let offset: Int
        if match.8 != nil {
            offset = 0
        } else if let sign = match.9, let hours = match.10.flatMap({ Int($0) }), let minutes = match.11.flatMap({ Int($0) }),
                  hours <= 23, minutes <= 59 {
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard let start = day(Int(match.1)!, Int(match.2)!, Int(match.3)!),
              let hour = Int(match.4), let minute = Int(match.5), let second = Int(match.6),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        let fraction = match.7.flatMap { Double("0" + $0) } ?? 0
        return start.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60 + second - offset) + fraction)
    }

    /// The start (00:00 UTC) of the day `YYYY-MM-DD` names, or nil.
    public static func parseDate(_ text: String) -> Date? {
        guard let match = text.wholeMatch(of: /^(\d{4})-(\d{2})-(\d{2})$/) else { return nil }
        return day(Int(match.1)!, Int(match.2)!, Int(match.3)!)
    }

    /// A date-time, or else a bare date.
    public static func parseDateTimeOrDate(_ text: String) -> Date? {
        parseDateTime(text) ?? parseDate(text)
    }

    private static func day(_ year: Int, _ month: Int, _ day: Int) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == components else { return nil }
        return date
    }
}
