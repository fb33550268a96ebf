import Foundation

/// A string enumeration of the protocol: its JSON Schema lists every case (``SchemaReflector``).
/// Every enum that appears in params or results conforms; the reflector fails on one that does not.
public protocol WireEnum: CaseIterable, RawRepresentable, Codable, Sendable where RawValue == String {}

/// A type whose decoder the reflector cannot follow (it tries several shapes, or encodes other than it
/// decodes): it states its schema, and gives a value to stand in while its parent is reflected.
public protocol SchemaDescribing {
    /// Its JSON Schema.
    static var wireSchema: JSONSchema { get }
    /// Any valid value.
    static var schemaPlaceholder: Self { get }
}

extension JSONValue: SchemaDescribing {
    public static var wireSchema: JSONSchema { .any }
    public static var schemaPlaceholder: JSONValue { .null }
}

/// A result with several shapes (`oneOf`), each with a name for protocol.md §11.
public protocol SchemaShapes: SchemaDescribing {
    /// One name per shape of ``SchemaDescribing/wireSchema``'s `oneOf`, in its order.
    static var shapeNames: [String] { get }
}

extension Provision.Result: SchemaShapes {
    public static let shapeNames = ["for one person (`email`)", "for several people (`users`)"]

    public static var wireSchema: JSONSchema {
        .oneOf([SchemaReflector.schema(of: Provision.SingleResult.self), SchemaReflector.schema(of: Provision.BulkResult.self)])
    }
    public static var schemaPlaceholder: Self {
        .many(.init(workspace: .init(gid: "", name: "", isOrganization: false), dryRun: false, results: []))
    }
}

extension Person: SchemaDescribing {
    /// Every member is present and may be `null` (except `gid`, a string, and `teams`, an array), unless the
    /// call's `fields` chose members: then only `gid` and those are present. So only `gid` is required.
    public static var wireSchema: JSONSchema {
        func member(_ key: Member, _ schema: JSONSchema) -> JSONSchema.Member { .init(key.rawValue, schema, required: key == .gid) }
        return .object(Member.allCases.map { key in
            switch key {
            case .gid: member(key, .string)
            case .name, .email: member(key, .nullable(.string))
            case .isActive, .isAdmin, .isGuest, .isViewOnly: member(key, .nullable(.boolean))
            case .teams: member(key, .array(of: SchemaReflector.schema(of: Team.self)))
            case .firstSeenAt, .lastSeenAt, .departedAt, .changedAt: member(key, .nullable(.dateTime))
            case .change: member(key, .nullable(SchemaReflector.schema(of: Change.self)))
            }
        })
    }
    public static var schemaPlaceholder: Person {
        Person(gid: "", name: nil, email: nil, isActive: nil, isAdmin: nil, isGuest: nil, isViewOnly: nil, teams: [],
               firstSeenAt: nil, lastSeenAt: nil, departedAt: nil, changedAt: nil, change: nil)
    }
}

extension RPCError: SchemaDescribing {
    /// A JSON-RPC error object (https://www.jsonrpc.org/specification §5.1) as protocol.md §6 fills it:
    /// `data` is an object holding at least `name`.
    public static var wireSchema: JSONSchema {
        .object([.init("code", .integer, required: true), .init("message", .string, required: true), .init("data", .any, required: false)])
    }
    public static var schemaPlaceholder: RPCError { RPCError(code: 0, message: "") }
}
