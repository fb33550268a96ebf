import Foundation

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
