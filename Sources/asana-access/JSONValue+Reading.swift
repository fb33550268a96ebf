import AccessProtocol
import LineRPC

/// Lenient readers for answers: a missing or mistyped member reads as `nil`, so printing for people
/// never fails on a shape a newer server may change (scripts get the JSON as it came).
extension JSONValue {
    /// The Bool when this is `.bool`; `nil` for `null`, absent or any other type ("unknown").
    var asBool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer when this is `.integer` (or a whole `.double`), else `nil`.
    var asInt: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 9e15: Int64(value)
        default: nil
        }
    }

    /// The elements when this is `.array`, else `[]`.
    var asArray: [JSONValue] {
        if case .array(let elements) = self { return elements }
        return []
    }

    /// The text of a scalar for display: strings as they are, numbers and Bools as JSON, `null` as `nil`.
    var asText: String? {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .null, .array, .object: nil
        }
    }
}

extension Optional where Wrapped == JSONValue {
    /// A three-valued flag for tables: `yes`, `no`, or `?` when unknown (null or absent).
    var yesNo: String {
        switch self?.asBool {
        case true?: "yes"
        case false?: "no"
        case nil: "?"
        }
    }
}
