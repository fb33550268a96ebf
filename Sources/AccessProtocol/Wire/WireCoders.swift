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
        let fraction = millis - seconds * 1000
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds)).ISO8601Format(Date.ISO8601FormatStyle(timeZone: .gmt))
        let fractionText = String(fraction)
        return String(whole.dropLast()) + "." + String(repeating: "0", count: 3 - fractionText.count) + fractionText + "Z"
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
