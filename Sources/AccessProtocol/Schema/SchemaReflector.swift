import Foundation

/// Derives the JSON Schema of a protocol type from its `Decodable` conformance: it decodes the type from a
/// decoder that answers every request with a stand-in value and records what was asked for. A member read
/// with `decode` is required; one read with `decodeIfPresent` may be left out; a `@Nullable` member is
/// required and may be `null`. Types whose decoder tries several shapes state their schema
/// (``SchemaDescribing``); enums list their cases (``WireEnum``).
///
/// The schema is what `rpc.discover` serves and what the tests check real answers and protocol.md against,
/// so it is derived from the same declarations the server encodes and the client decodes.
public enum SchemaReflector {
    /// The schema of `type`.
    /// - Precondition: every enum in it is a ``WireEnum``, and its decoder reads members by key (a
    ///   protocol type that breaks this is a programming error, caught by the schema tests).
    public static func schema<T: Decodable>(of type: T.Type) -> JSONSchema {
        reflect(type).schema
    }

    static func reflect<T: Decodable>(_ type: T.Type) -> (schema: JSONSchema, placeholder: T) {
        if let described = type as? any SchemaDescribing.Type {
            return (described.wireSchema, described.schemaPlaceholder as! T)
        }
        if let nullable = type as? any NullableMember.Type {
            return (.nullable(nullable.wrappedSchema), nullable.absent as! T)
        }
        if let wireEnum = type as? any WireEnum.Type {
            return (.enumeration(caseNames(wireEnum)), firstCase(wireEnum) as! T)
        }
        if let primitive = primitive(type) { return primitive }
        let recorder = SchemaRecorder()
        do {
            let value = try T(from: ReflectingDecoder(recorder: recorder, codingPath: []))
            return (recorder.schema, value)
        } catch {
            preconditionFailure("cannot reflect the schema of \(T.self): \(error)")
        }
    }

    private static func caseNames<E: WireEnum>(_ type: E.Type) -> [String] { E.allCases.map(\.rawValue) }
    private static func firstCase<E: WireEnum>(_ type: E.Type) -> E { E.allCases.first! }

    private static func primitive<T>(_ type: T.Type) -> (schema: JSONSchema, placeholder: T)? {
        switch type {
        case is String.Type: (.string, "" as! T)
        case is Bool.Type: (.boolean, false as! T)
        case is Int.Type: (.integer, 0 as! T)
        case is Int64.Type: (.integer, Int64(0) as! T)
        case is Int32.Type: (.integer, Int32(0) as! T)
        case is UInt64.Type: (.integer, UInt64(0) as! T)
        case is Double.Type: (.number, 0.0 as! T)
        case is Date.Type: (.dateTime, Date(timeIntervalSince1970: 0) as! T)
        default: nil
        }
    }
}

/// What a ``ReflectingDecoder`` saw: object members in the order read, an array's element, or one value.
final class SchemaRecorder {
    private var members: [JSONSchema.Member] = []
    private var element: JSONSchema?
    private var single: JSONSchema?
    private var isArray = false

    func record(member: JSONSchema.Member) {
        members.removeAll { $0.name == member.name }
        members.append(member)
    }

    func record(element schema: JSONSchema) {
        isArray = true
        element = schema
    }

    func markArray() { isArray = true }

    func record(single schema: JSONSchema) { single = schema }

    var schema: JSONSchema {
        if let single { return single }
        if isArray { return .array(of: element ?? .any) }
        return .object(members)
    }
}

struct ReflectingDecoder: Decoder {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(ReflectingKeyedContainer<Key>(recorder: recorder, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        recorder.markArray()
        return ReflectingUnkeyedContainer(recorder: recorder, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ReflectingSingleValueContainer(recorder: recorder, codingPath: codingPath)
    }
}

struct ReflectingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey]
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (schema, placeholder) = SchemaReflector.reflect(type)
        recorder.record(member: .init(key.stringValue, schema, required: true))
        return placeholder
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try optional(type, forKey: key)
    }

    private func optional<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        let (schema, placeholder) = SchemaReflector.reflect(type)
        // A `@Nullable` member is read with decodeIfPresent so that a reader stays lenient, but it is
        // always on the wire.
        let isNullable = type is any NullableMember.Type
        recorder.record(member: .init(key.stringValue, schema, required: isNullable))
        return isNullable ? placeholder : nil
    }

    // The standard library's default implementations of these read `decodeNil` and then `decode`, which
    // would record the member as required: route them to the generic one.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "nested containers are not reflected")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "nested containers are not reflected")
    }

    func superDecoder() throws -> any Decoder { ReflectingDecoder(recorder: recorder, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ReflectingDecoder(recorder: recorder, codingPath: codingPath + [key]) }
}

struct ReflectingUnkeyedContainer: UnkeyedDecodingContainer {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey]
    var count: Int? { 1 }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex > 0 }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, placeholder) = SchemaReflector.reflect(type)
        recorder.record(element: schema)
        currentIndex += 1
        return placeholder
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "nested containers are not reflected"))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "nested containers are not reflected"))
    }

    mutating func superDecoder() throws -> any Decoder { ReflectingDecoder(recorder: recorder, codingPath: codingPath) }
}

struct ReflectingSingleValueContainer: SingleValueDecodingContainer {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey]

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, placeholder) = SchemaReflector.reflect(type)
        recorder.record(single: schema)
        return placeholder
    }
}
