/// One method of the protocol: the contract the server registers, the client calls and protocol.md §5
/// describes. Each method is one type (see `Methods/`), holding its name, its one-line summary, who may
/// call it, and its params and result as `Codable` types whose members are the members on the wire.
///
/// Encode and decode them with the wire format's coders (LineRPC's `JSONEncoder.protocolEncoder()`:
/// dates as ISO 8601 UTC with milliseconds).
public protocol AccessMethod: Sendable {
    /// The params object. Every member it accepts is in ``paramNames``.
    associatedtype Params: Codable & Sendable
    /// The result of a successful call.
    associatedtype Result: Codable & Sendable

    /// The method name on the wire, e.g. `ping`.
    static var name: String { get }
    /// One line saying what the method does (served by `rpc.discover`).
    static var summary: String { get }
    /// The least role that may call it (roles include those below them); `nil`: any connection, before
    /// authentication too.
    static var minimumRole: AccessRole? { get }
    /// Every params member name the method accepts; any other member is refused with `-32602`.
    static var paramNames: Set<String> { get }
}

/// The params of a method that takes none: an absent `params`, `{}` or `[]`.
public struct EmptyParams: Codable, Sendable, Equatable {
    public init() {}
}

extension AccessMethod where Params == EmptyParams {
    public static var paramNames: Set<String> { [] }
}

extension AccessMethod {
    /// The JSON Schema of the params object (``SchemaReflector``).
    public static var paramsSchema: JSONSchema { SchemaReflector.schema(of: Params.self) }
    /// The JSON Schema of the result.
    public static var resultSchema: JSONSchema { SchemaReflector.schema(of: Result.self) }
    /// The result's type, for code that holds the method as `any AccessMethod.Type`.
    public static var resultType: any Codable.Type { Result.self }
}
