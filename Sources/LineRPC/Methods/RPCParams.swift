/// The params of one method, decoded by name from the request's `params` object.
///
/// `memberNames` lists every accepted member: a request with any other member is refused with
/// `-32602` naming it, so a typo such as `"activ": true` never silently widens a query.
public protocol RPCParams: Decodable, Sendable {
    /// Every member name this method accepts.
    static var memberNames: Set<String> { get }
    /// The params of a request that has none (no `params`, `null` or `[]`), when they can be made
    /// without decoding; `nil` (the default): decode `{}`, which names a missing required member.
    static var whenAbsent: Self? { get }
}

extension RPCParams {
    public static var whenAbsent: Self? { nil }
}

/// Params of a method that takes none; accepts an absent `params`, `{}` or `[]`.
public struct NoParams: RPCParams {
    public static let memberNames: Set<String> = []
    public static var whenAbsent: NoParams? { NoParams() }
    public init() {}
}
