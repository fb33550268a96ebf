import Foundation

extension JSONEncoder {
    /// The encoder of the wire format (protocol.md §2): compact JSON, keys sorted, `/` unescaped,
    /// dates as ISO 8601 UTC with milliseconds (`2026-11-29T09:30:00.123Z`). Use it wherever JSON
    /// that a client or auditor reads is written (answers, audit events, stored answers).
    public static func protocolEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(protocolTimestamp(date))
        }
        return encoder
    }

    /// `date` as `yyyy-MM-ddTHH:mm:ss.SSSZ`, rounded to the nearest millisecond the way the store
    /// rounds, so a time a client sends back (e.g. a run's `finishedAt` as `changedSince`) is the
    /// very millisecond the server stored. (Formatting the fraction directly would truncate a value
    /// such as x.1239999 to .123.)
    public static func protocolTimestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = Int(millis - seconds * 1000)
        // Years 1583–9999 are written here (answers carry one on every `ping`); others by Foundation, whose
        // calendar is Julian before the Gregorian reform of 1582.
        guard (-12_212_553_600...253_402_300_799).contains(seconds) else {
            let whole = Date(timeIntervalSince1970: TimeInterval(seconds)).ISO8601Format(Date.ISO8601FormatStyle(timeZone: .gmt))
            let fractionText = String(fraction)
            return String(whole.dropLast()) + "." + String(repeating: "0", count: 3 - fractionText.count) + fractionText + "Z"
        }
        var text: [UInt8] = []
        text.reserveCapacity(24)
        writeProtocolTimestamp(date, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends ``protocolTimestamp(_:)``'s text (without quotes) to `bytes`, for dates in years 1583–9999
    /// without an intermediate string.
    public static func writeProtocolTimestamp(_ date: Date, to bytes: inout [UInt8]) {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        guard (-12_212_553_600...253_402_300_799).contains(seconds) else {
            bytes.append(contentsOf: protocolTimestamp(date).utf8)
            return
        }
        let fraction = Int(millis - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSince1970: days)
        func put(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var value = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor))
                value %= divisor
                divisor /= 10
            }
        }
        put(year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        put(month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        put(day, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        put(secondOfDay / 3600, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        put(secondOfDay / 60 % 60, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, digits: 2)
        bytes.append(UInt8(ascii: "."))
        put(fraction, digits: 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The proleptic Gregorian date `days` days after 1970-01-01 (H. Hinnant's `civil_from_days`).
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }
}

extension JSONDecoder {
    /// The decoder of the wire format, the inverse of ``Foundation/JSONEncoder/protocolEncoder()``:
    /// dates are ISO 8601 UTC strings, with milliseconds (`2026-11-29T09:30:00.123Z`) or without.
    public static func protocolDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = parseProtocolTimestamp(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "not an ISO 8601 UTC date-time: \(text)"))
            }
            return date
        }
        return decoder
    }

    /// `text` as a date when it is an ISO 8601 date-time in UTC, with or without fractional seconds.
    public static func parseProtocolTimestamp(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text))
            ?? (try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text))
    }
}

extension JSONValue {
    /// This value decoded as `T` with the wire format's decoder (``Foundation/JSONDecoder/protocolDecoder()``).
    /// - Throws: `DecodingError` when the value does not have `T`'s shape.
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder.protocolDecoder().decode(T.self, from: JSONEncoder().encode(self))
    }

    /// `value` as the JSON the server would send for it (``Foundation/JSONEncoder/protocolEncoder()``).
    /// - Throws: `EncodingError` when `value` cannot be encoded.
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder.protocolEncoder().encode(value))
    }
}
