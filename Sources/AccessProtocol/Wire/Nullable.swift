/// A member that is always present on the wire: its value, or `null` when the value is nil; never
/// left out (protocol.md §2, "Answers"). Swift's synthesized `Codable` leaves a nil optional out;
/// mark a member `@Nullable` where the contract says "`null` when unknown".
///
/// Decoding accepts both `null` and an absent member as nil, so a reader stays lenient.
@propertyWrapper
public struct Nullable<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension Nullable: Equatable where Value: Equatable {}
extension Nullable: Hashable where Value: Hashable {}

extension KeyedDecodingContainer {
    /// An absent `@Nullable` member decodes as nil (the synthesized decoder would throw `keyNotFound`).
    public func decode<Value>(_ type: Nullable<Value>.Type, forKey key: Key) throws -> Nullable<Value> {
        try decodeIfPresent(type, forKey: key) ?? Nullable(wrappedValue: nil)
    }
}

/// What ``SchemaReflector`` needs to know of a ``Nullable`` member without knowing its value type.
protocol NullableMember {
    static var wrappedSchema: JSONSchema { get }
    static var absent: Self { get }
}

extension Nullable: NullableMember {
    static var wrappedSchema: JSONSchema { SchemaReflector.schema(of: Value.self) }
    static var absent: Self { Nullable(wrappedValue: nil) }
}
