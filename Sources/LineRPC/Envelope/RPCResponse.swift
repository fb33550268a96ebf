/// A JSON-RPC 2.0 response: `{"jsonrpc":"2.0","id":…,"result":…}` or `{"jsonrpc":"2.0","id":…,"error":{…}}`.
public struct RPCResponse: Sendable, Encodable {
    public enum Outcome: Sendable {
        case result(any Encodable & Sendable)
        case error(RPCError)
    }

    public var id: RPCID
    public var outcome: Outcome

    public init(id: RPCID, outcome: Outcome) {
        self.id = id
        self.outcome = outcome
    }

    private enum CodingKeys: String, CodingKey { case jsonrpc, id, result, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encode(id, forKey: .id)
        switch outcome {
        case .result(let value): try container.encode(value, forKey: .result)
        case .error(let error): try container.encode(error, forKey: .error)
        }
    }
}

/// A notification the server sends on a connection: `{"jsonrpc":"2.0","method":…,"params":…}` (no id, no answer).
public struct RPCNotification: Sendable, Encodable {
    public var method: String
    public var params: any Encodable & Sendable

    public init(method: String, params: any Encodable & Sendable) {
        self.method = method
        self.params = params
    }

    private enum CodingKeys: String, CodingKey { case jsonrpc, method, params }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encode(method, forKey: .method)
        try container.encode(params, forKey: .params)
    }
}
