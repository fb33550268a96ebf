import AccessProtocol

/// The params of `M` as LineRPC decodes them: LineRPC refuses any member outside `M.paramNames`
/// before `M.Params` is decoded.
struct ParamsOf<M: AccessMethod>: RPCParams {
    static var memberNames: Set<String> { M.paramNames }
    /// A method without params is called without decoding anything.
    static var whenAbsent: ParamsOf<M>? { (EmptyParams() as? M.Params).map(ParamsOf.init(value:)) }
    let value: M.Params

    init(value: M.Params) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        value = try M.Params(from: decoder)
    }
}

extension RPCAccess {
    /// The roles at or above `minimum` (`reader` < `operator` < `admin`); `nil`: anyone.
    public static func atLeast(_ minimum: AccessRole?) -> RPCAccess {
        guard let minimum else { return .anyone }
        return .roles(Set(AccessRole.allCases.filter { $0 >= minimum }.map(\.rawValue)))
    }
}

extension RPCMethodTable {
    /// Registers `method` under its name, with its summary and the roles its ``AccessMethod/minimumRole``
    /// allows (or `access`, for a test double); `handler` gets its typed params and returns its typed result.
    public mutating func register<M: AccessMethod>(
        _ method: M.Type, access: RPCAccess? = nil, exclusive: Bool = false, bulk: Bool = false,
        handler: @escaping @Sendable (RPCRequestContext, M.Params) async throws -> M.Result
    ) {
        register(M.name, summary: M.summary, access: access ?? .atLeast(M.minimumRole), exclusive: exclusive, bulk: bulk,
                 params: ParamsOf<M>.self) { context, params in
            try await handler(context, params.value)
        }
    }

    /// Registers `method` as answered at once on the event loop (see
    /// ``registerImmediate(_:summary:access:params:handler:)``): for methods that neither wait nor block.
    public mutating func registerImmediate<M: AccessMethod>(
        _ method: M.Type, access: RPCAccess? = nil,
        handler: @escaping @Sendable (RPCRequestContext, M.Params) throws -> M.Result
    ) {
        registerImmediate(M.name, summary: M.summary, access: access ?? .atLeast(M.minimumRole), params: ParamsOf<M>.self) { context, params in
            try handler(context, params.value)
        }
    }
}
