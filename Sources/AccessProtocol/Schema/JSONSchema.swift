/// A JSON Schema (draft 7, https://json-schema.org/draft-07/json-schema-validation, the dialect OpenRPC 1.3
/// uses) for one value on the wire, as ``SchemaReflector`` derives it from the protocol's types. Only what
/// the protocol needs: the JSON types, objects with named members, arrays, string enumerations, date-times,
/// "or `null`", and "any JSON value".
public indirect enum JSONSchema: Sendable, Equatable {
    case string
    /// An RFC 3339 date-time string (`format: date-time`): in answers always UTC with milliseconds; in params
    /// any offset, fractions optional.
    case dateTime
    /// A full date `YYYY-MM-DD` (`format: date`).
    case date
    case integer
    case number
    case boolean
    /// A string that is one of these values.
    case enumeration([String])
    case array(of: JSONSchema)
    /// An object with these members and no others.
    case object([Member])
    /// The value or `null`.
    case nullable(JSONSchema)
    /// One of several shapes (e.g. a string or an integer).
    case oneOf([JSONSchema])
    /// Any JSON value.
    case any

    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var schema: JSONSchema
        /// Always present on the wire (perhaps `null`); otherwise it may be left out.
        public var required: Bool

        public init(_ name: String, _ schema: JSONSchema, required: Bool) {
            self.name = name
            self.schema = schema
            self.required = required
        }
    }

    /// The members when this is an object (or a nullable object), else nil.
    public var members: [Member]? {
        switch self {
        case .object(let members): members
        case .nullable(let inner): inner.members
        default: nil
        }
    }

    /// The member named `name` when this is an object.
    public func member(_ name: String) -> Member? {
        members?.first { $0.name == name }
    }

    /// This schema as a JSON Schema document.
    public var json: JSONValue {
        switch self {
        case .string: return ["type": "string"]
        case .dateTime: return ["type": "string", "format": "date-time"]
        case .date: return ["type": "string", "format": "date"]
        case .integer: return ["type": "integer"]
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .enumeration(let values): return ["type": "string", "enum": .array(values.map(JSONValue.string))]
        case .array(let items): return ["type": "array", "items": items.json]
        case .object(let members):
            return [
                "type": "object",
                "properties": .object(Dictionary(uniqueKeysWithValues: members.map { ($0.name, $0.schema.json) })),
                "required": .array(members.filter(\.required).map { .string($0.name) }),
                "additionalProperties": false,
            ]
        case .nullable(let inner): return ["anyOf": [inner.json, ["type": "null"]]]
        case .oneOf(let choices): return ["oneOf": .array(choices.map(\.json))]
        case .any: return [:]
        }
    }

    /// A short name for people, as protocol.md's tables write types: `string`, `integer`, `boolean`,
    /// `date-time`, `object`, `array of string`, `"a" or "b"`, `X or null`, `any`.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .dateTime: "date-time"
        case .date: "date"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .enumeration(let values): values.map { "\"\($0)\"" }.joined(separator: " or ")
        case .array(let items): "array of \(items.typeName)"
        case .object: "object"
        case .nullable(let inner): "\(inner.typeName) or null"
        case .oneOf(let choices): choices.map(\.typeName).joined(separator: " or ")
        case .any: "any"
        }
    }
}
