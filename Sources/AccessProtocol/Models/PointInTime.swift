import Foundation

/// A point in time as params give it: an ISO 8601 date-time (a JSON string such as `"2026-06-30T17:00:00Z"`),
/// a date (a JSON string `"2026-06-30"`: a whole UTC day) or a sync run id (a JSON integer: the moment the
/// run committed its snapshot). Which edge of a day or a run a param means is said where it is used.
public enum PointInTime: Codable, Sendable, Equatable {
    /// An ISO 8601 date-time or a date, as sent (checked by the server).
    case time(String)
    /// A sync run id.
    case run(Int64)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let id = try? container.decode(Int64.self) {
            self = .run(id)
        } else if let text = try? container.decode(String.self) {
            self = .time(text)
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "must be an ISO 8601 date-time string, a date string or a sync run id (an integer)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .time(let text): try container.encode(text)
        case .run(let id): try container.encode(id)
        }
    }
}

extension PointInTime: SchemaDescribing {
    public static var wireSchema: JSONSchema { .oneOf([.dateTime, .date, .integer]) }
    public static var schemaPlaceholder: Self { .run(0) }
}
