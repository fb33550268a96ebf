import AccessProtocol
import Foundation
import NIOCore

/// A JSON-RPC 2.0 request or notification that passed envelope validation.
public struct RPCRequest: Sendable, Equatable {
    /// The id to echo; `nil` for a notification (no `id` member), which gets no answer.
    public var id: RPCID?
    public var method: String
    /// How `params` arrived: read from a line they stay bytes until the method decodes them, once,
    /// into its params type.
    var paramsText: RPCParamsText

    /// `params` as sent: an object (by name) or an array (by position); `nil` when absent or `null`.
    /// Reading it decodes the params of a request read from a line.
    public var params: JSONValue? {
        get { paramsText.value }
        set { paramsText = newValue.map(RPCParamsText.value) ?? .absent }
    }

    public init(id: RPCID?, method: String, params: JSONValue?) {
        self.id = id
        self.method = method
        self.paramsText = params.map(RPCParamsText.value) ?? .absent
    }

    init(id: RPCID?, method: String, paramsText: RPCParamsText) {
        self.id = id
        self.method = method
        self.paramsText = paramsText
    }

    /// `true` when the sender expects no answer.
    public var isNotification: Bool { id == nil }

    public static func == (lhs: RPCRequest, rhs: RPCRequest) -> Bool {
        lhs.id == rhs.id && lhs.method == rhs.method && lhs.params == rhs.params
    }
}

/// The `params` of a request: absent, a value built in process, or the exact bytes of the object or
/// array a line held (validated strict JSON, not yet decoded).
enum RPCParamsText: Sendable {
    case absent
    case value(JSONValue)
    case json(ByteBuffer)

    /// The params as a generic JSON value (for `RPCRequest.params`; the server decodes the bytes
    /// straight into the method's params type instead).
    var value: JSONValue? {
        switch self {
        case .absent: nil
        case .value(let value): value
        case .json(let bytes): try? JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
        }
    }
}

/// One element of an incoming line after envelope validation.
public enum RPCIncomingEntry: Sendable, Equatable {
    case request(RPCRequest)
    /// A message that is not a valid request; answered with `error` and `id` (`null` when it could not be read).
    case invalid(id: RPCID, error: RPCError)
}

/// What one line held.
public enum RPCIncomingMessage: Sendable, Equatable {
    /// A single message; answered with a single response (or nothing, for a notification).
    case single(RPCIncomingEntry)
    /// A batch (a JSON array); answered with one array of responses, or nothing if all were notifications.
    case batch([RPCIncomingEntry])
    /// A line with only spaces or tabs: ignored, as a keep-alive.
    case empty
}
