import AccessProtocol
import ArgumentParser
import Foundation

/// A moment given on the command line (`--as-of`, `--since`, `--until`, `--changed-since`): a sync run id
/// (digits), a time relative to now (`30m`, `12h`, `7d`, `2w`: that long ago), or an ISO 8601 date-time or
/// date, which the server checks.
enum MomentArgument {
    /// The relative units: minutes, hours, days (24 hours), weeks.
    static let units: [Character: TimeInterval] = ["m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    /// The longest relative span accepted: 100 years, in seconds.
    static let longestSpan: TimeInterval = 100 * 366 * 86_400

    /// `text` as a param: a run id as an integer, a relative form as the ISO 8601 time it stands for, anything
    /// else as the string given.
    /// - Throws: `ValidationError` naming `option` for an empty text or a relative span beyond 100 years.
    static func param(_ text: String, option: String, now: Date = Date()) throws -> PointInTime {
        guard !text.isEmpty else { throw ValidationError("\(option) must not be empty.") }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }), let run = Int64(text) { return .run(run) }
        if let unit = text.last.flatMap({ units[$0] }), text.count > 1,
           text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }), let count = Double(text.dropLast()) {
            guard count * unit <= longestSpan else { throw ValidationError("\(option) \(text) reaches back more than 100 years.") }
            return .time(JSONEncoder.protocolTimestamp(now.addingTimeInterval(-count * unit)))
        }
        return .time(text)
    }

    /// What a moment option accepts, for `--help`.
    static let help = "a sync run id, an ISO 8601 date-time or date (UTC), or a span ago: 30m, 12h, 7d, 2w"
}
