import AccessProtocol
import Foundation

/// A JSON-RPC 2.0 response: `{"jsonrpc":"2.0","id":…,"result":…}` or `{"jsonrpc":"2.0","id":…,"error":{…}}`.
public struct RPCResponse: Sendable {
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

    /// The response as compact JSON text with keys in sorted order (`error`, `id`, `jsonrpc`,
    /// `result`). Assembled here rather than by `JSONEncoder` so that a numeric id is written
    /// exactly as the client sent it.
    /// - Throws: `EncodingError` when the result cannot be encoded (e.g. a non-finite number).
    public func jsonText(encoder: JSONEncoder) throws -> String {
        switch outcome {
        case .error(let error):
            let errorText = String(decoding: try encoder.encode(error), as: UTF8.self)
            return #"{"error":\#(errorText),"id":\#(id.jsonText),"jsonrpc":"2.0"}"#
        case .result(let value):
            let resultText = String(decoding: try encoder.encode(value), as: UTF8.self)
            return #"{"id":\#(id.jsonText),"jsonrpc":"2.0","result":\#(resultText)}"#
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
