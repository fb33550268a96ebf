import AccessProtocol
import LineRPC

/// The params of `M` as LineRPC decodes them: LineRPC refuses any member outside `M.paramNames`
/// before `M.Params` is decoded.
struct ParamsOf<M: AccessMethod>: RPCParams {
    static var memberNames: Set<String> { M.paramNames }
    let value: M.Params

    init(from decoder: any Decoder) throws {
        value = try M.Params(from: decoder)
    }
}

extension RPCMethodTable {
    /// Registers `method` under its name, with its summary and the roles its ``AccessMethod/minimumRole``
    /// allows; `handler` gets its typed params and returns its typed result.
    mutating func register<M: AccessMethod>(
        _ method: M.Type, exclusive: Bool = false, bulk: Bool = false,
        handler: @escaping @Sendable (RPCRequestContext, M.Params) async throws -> M.Result
    ) {
        let access = M.minimumRole.map { AccessService.access($0) } ?? .anyone
        register(M.name, summary: M.summary, access: access, exclusive: exclusive, bulk: bulk, params: ParamsOf<M>.self) { context, params in
            try await handler(context, params.value)
        }
    }
}
