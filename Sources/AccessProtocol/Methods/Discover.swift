/// `rpc.discover`: this server's methods as an OpenRPC document (https://spec.open-rpc.org, "Service
/// Discovery Method"), generated from the protocol's types: every method's params and result as JSON
/// Schemas (draft 7) and the whole error catalogue. Role: reader (the document is larger than an answer
/// may be before authentication, and describes the surface only to those who may use it).
public enum Discover: AccessMethod {
    public typealias Params = EmptyParams

    /// `{openrpc, info, methods, components}`.
    public struct Result: Codable, Sendable, Equatable {
        /// The OpenRPC version, `1.3.2`.
        public var openrpc: String
        /// `{title, version}`: `asana-access` and the protocol version.
        public var info: Info
        /// Every method, sorted by name.
        public var methods: [Method]
        /// `{errors}`: the error catalogue (protocol.md §6) by stable name.
        public var components: Components

        public init(openrpc: String, info: Info, methods: [Method], components: Components) {
            self.openrpc = openrpc
            self.info = info
            self.methods = methods
            self.components = components
        }
    }

    /// `{title, version}`.
    public struct Info: Codable, Sendable, Equatable {
        public var title: String
        public var version: String

        public init(title: String, version: String) {
            self.title = title
            self.version = version
        }
    }

    /// An OpenRPC Method Object: `{name, summary, paramStructure, params, result, x-minimumRole}`.
    public struct Method: Codable, Sendable, Equatable {
        public var name: String
        public var summary: String
        /// Always `by-name`: params are an object (protocol.md §5).
        public var paramStructure: String
        /// One content descriptor per params member.
        public var params: [ContentDescriptor]
        /// The result's schema.
        public var result: ContentDescriptor
        /// The least role that may call it (roles include those below them); `null`: any connection.
        @Nullable public var minimumRole: AccessRole?

        enum CodingKeys: String, CodingKey {
            case name, summary, paramStructure, params, result
            case minimumRole = "x-minimumRole"
        }

        public init(name: String, summary: String, params: [ContentDescriptor], result: ContentDescriptor, minimumRole: AccessRole?) {
            self.name = name
            self.summary = summary
            self.paramStructure = "by-name"
            self.params = params
            self.result = result
            self.minimumRole = minimumRole
        }
    }

    /// An OpenRPC Content Descriptor: `{name, required, schema}`.
    public struct ContentDescriptor: Codable, Sendable, Equatable {
        public var name: String
        public var required: Bool
        /// A JSON Schema (draft 7).
        public var schema: JSONValue

        public init(name: String, required: Bool, schema: JSONValue) {
            self.name = name
            self.required = required
            self.schema = schema
        }
    }

    /// `{errors}`: an OpenRPC Error Object per stable error name, `{code, message, data: {name, retry}}`;
    /// `message` says when the error happens.
    public struct Components: Codable, Sendable, Equatable {
        public var errors: JSONValue

        public init(errors: JSONValue) {
            self.errors = errors
        }
    }

    /// The document for `methods` (protocol version `version`).
    public static func document(version: String, methods: [any AccessMethod.Type]) -> Result {
        let described = methods.map { method in
            Method(
                name: method.name, summary: method.summary,
                params: method.paramsSchema.members?.map { ContentDescriptor(name: $0.name, required: $0.required, schema: $0.schema.json) } ?? [],
                result: ContentDescriptor(name: "result", required: true, schema: method.resultSchema.json),
                minimumRole: method.minimumRole)
        }
        let errors = JSONValue.object(Dictionary(uniqueKeysWithValues: ErrorKind.allCases.map { kind in
            (kind.name, ["code": .integer(Int64(kind.code)), "message": .string(kind.meaning),
                         "data": ["name": .string(kind.name), "retry": .string(kind.retry)]] as JSONValue)
        }))
        return Result(openrpc: "1.3.2", info: Info(title: "asana-access", version: version),
                      methods: described.sorted { $0.name < $1.name }, components: Components(errors: errors))
    }

    public static let name = "rpc.discover"
    public static let summary = "This server's methods as an OpenRPC document: every method's params and result as JSON Schemas, and the error catalogue."
    public static let minimumRole: AccessRole? = .reader
}

extension Discover.Result: SchemaDescribing {
    /// An OpenRPC document (https://spec.open-rpc.org); its own meta-schema describes it.
    public static var wireSchema: JSONSchema { .any }
    public static var schemaPlaceholder: Self {
        .init(openrpc: "", info: .init(title: "", version: ""), methods: [], components: .init(errors: .null))
    }
}
