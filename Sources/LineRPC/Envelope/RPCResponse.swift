import AccessProtocol
import Foundation
import NIOCore

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
        var buffer = ByteBuffer()
        try write(to: &buffer, encoder: encoder)
        return String(buffer: buffer)
    }

    /// Appends ``jsonText(encoder:)`` to `buffer` without an intermediate string.
    /// - Throws: `EncodingError` when the result cannot be encoded; `buffer` may then hold part of the text.
    func write(to buffer: inout ByteBuffer, encoder: JSONEncoder) throws {
        switch outcome {
        case .error(let error):
            let errorJSON = try encoder.encode(error)
            buffer.writeStaticString(#"{"error":"#)
            buffer.writeBytes(errorJSON)
            buffer.writeStaticString(#","id":"#)
            writeID(to: &buffer)
            buffer.writeStaticString(#","jsonrpc":"2.0"}"#)
        case .result(let value):
            if let writable = value as? any WireJSONWritable {
                // The hot path (`ping`): the value writes its own wire JSON, without the general encoder.
                var json: [UInt8] = []
                json.reserveCapacity(640)
                writable.writeWireJSON(to: &json)
                writeResultPrefix(to: &buffer)
                buffer.writeBytes(json)
            } else {
                let json = try encoder.encode(value)
                writeResultPrefix(to: &buffer)
                buffer.writeBytes(json)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    private func writeResultPrefix(to buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"id":"#)
        writeID(to: &buffer)
        buffer.writeStaticString(#","jsonrpc":"2.0","result":"#)
    }

    private func writeID(to buffer: inout ByteBuffer) {
        switch id {
        case .number(let text): buffer.writeString(text)
        case .null: buffer.writeStaticString("null")
        case .string: buffer.writeString(id.jsonText)
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
