import AccessProtocol
import Foundation

/// The methods a server answers, by name.
///
/// Register typed handlers with ``register(_:summary:access:exclusive:bulk:params:handler:)``, or
/// ``registerImmediate(_:summary:access:params:handler:)`` for a method that neither waits nor blocks:
/// params are decoded by name, once, from the bytes of the request line into the handler's
/// ``RPCParams`` type, and results encoded from its `Encodable` result. Decoding failures become
/// `-32602 Invalid params` naming the field.
public struct RPCMethodTable: Sendable {
    /// A registered method.
    public struct Method: Sendable {
        public let name: String
        /// One line describing what the method does, served by `rpc.discover`.
        public let summary: String
        /// The accepted params member names.
        public let paramNames: [String]
        /// Who may call it; checked before the params are decoded.
        public let access: RPCAccess
        /// Runs alone on its connection: requests read before it finish first, and requests after
        /// it are not started until it has answered (e.g. `authenticate`, which changes the identity
        /// the following requests run as).
        public let exclusive: Bool
        /// Runs on the server's bulk-work threads (``RPCServerConfiguration/bulkWorkThreads``), its
        /// answer encoded there too, instead of on the threads that answer small requests: for methods
        /// whose cost grows with the data (a page of people, of audit events, a sync's snapshot), so
        /// that they never make a `ping` wait.
        public let bulk: Bool
        /// Answered at once on the connection's event loop, without a task (``registerImmediate(_:summary:access:params:handler:)``).
        public var isImmediate: Bool { invokeNow != nil }
        let invoke: @Sendable (RPCRequestContext, RPCParamsText) async throws -> any Encodable & Sendable
        let invokeNow: (@Sendable (RPCRequestContext, RPCParamsText) throws -> any Encodable & Sendable)?
    }

    private var methods: [String: Method] = [:]

    /// Turns an error a handler threw that is not an ``RPCError`` into the answer's error (e.g. a full
    /// disk into a named storage error); `nil` from it, or no mapper, answers `-32603 Internal error`.
    public var errorMapper: (@Sendable (any Error) -> RPCError?)?

    public init() {}

    /// Every registered method, sorted by name.
    public var all: [Method] { methods.values.sorted { $0.name < $1.name } }

    /// Runs one request in process, exactly as the server would (access rules, params, errors):
    /// for embedding and tests. `nil` for a notification.
    public func answer(_ request: RPCRequest, context: RPCRequestContext) async -> RPCResponse? {
        await RPCDispatcher(methods: self).answer(.request(request), context: context)
    }

    /// `true` when `message` holds a request for an exclusive method (see ``Method/exclusive``).
    func isExclusive(_ message: RPCIncomingMessage) -> Bool {
        contains(message) { $0.exclusive }
    }

    /// `true` when `message` holds a request for a bulk method (see ``Method/bulk``).
    func isBulk(_ message: RPCIncomingMessage) -> Bool {
        contains(message) { $0.bulk }
    }

    private func contains(_ message: RPCIncomingMessage, where matches: (Method) -> Bool) -> Bool {
        func holds(_ entry: RPCIncomingEntry) -> Bool {
            if case .request(let request) = entry, let method = methods[request.method] { return matches(method) }
            return false
        }
        switch message {
        case .single(let entry): return holds(entry)
        case .batch(let entries): return entries.contains(where: holds)
        case .empty: return false
        }
    }

    /// The method called `name`, if registered.
    public func method(named name: String) -> Method? { methods[name] }

    /// Registers `name`; a later registration of the same name replaces the earlier one.
    public mutating func register<Params: RPCParams, Result: Encodable & Sendable>(
        _ name: String,
        summary: String,
        access: RPCAccess,
        exclusive: Bool = false,
        bulk: Bool = false,
        params: Params.Type = Params.self,
        handler: @escaping @Sendable (RPCRequestContext, Params) async throws -> Result
    ) {
        methods[name] = Method(name: name, summary: summary, paramNames: Params.memberNames.sorted(), access: access, exclusive: exclusive,
                               bulk: bulk, invoke: { [absent = Params.whenAbsent] context, raw in
            let params = try Self.decode(Params.self, from: raw, absent: absent)
            return try await handler(context, params)
        }, invokeNow: nil)
    }

    /// Registers `name` as a method answered at once, on the connection's event loop, with no task
    /// and no thread hop: for methods that neither wait nor block and are quick (`ping`), so that
    /// their answers cost little more than the bytes. While it runs, its connection (and the other
    /// connections of the same event loop) wait, so a handler that can block or loop over data must
    /// use ``register(_:summary:access:exclusive:bulk:params:handler:)`` instead.
    public mutating func registerImmediate<Params: RPCParams, Result: Encodable & Sendable>(
        _ name: String,
        summary: String,
        access: RPCAccess,
        params: Params.Type = Params.self,
        handler: @escaping @Sendable (RPCRequestContext, Params) throws -> Result
    ) {
        let invokeNow: @Sendable (RPCRequestContext, RPCParamsText) throws -> any Encodable & Sendable = { [absent = Params.whenAbsent] context, raw in
            try handler(context, try Self.decode(Params.self, from: raw, absent: absent))
        }
        methods[name] = Method(name: name, summary: summary, paramNames: Params.memberNames.sorted(), access: access, exclusive: false,
                               bulk: false, invoke: { context, raw in try invokeNow(context, raw) }, invokeNow: invokeNow)
    }

    /// Decodes `raw` (an object, or absent) into `Params`, mapping every failure to `-32602`.
    /// - Parameter absent: `Params.whenAbsent`, looked up once when the method is registered.
    static func decode<Params: RPCParams>(_ type: Params.Type, from raw: RPCParamsText, absent: Params? = Params.whenAbsent) throws(RPCError) -> Params {
        let bytes: Data
        switch raw {
        case .absent:
            if let none = absent { return none }
            bytes = Data("{}".utf8)
        case .value(let value):
            guard let encoded = try? JSONEncoder().encode(value) else { throw .invalidParams("Invalid params") }
            bytes = encoded
        case .json(let buffer):
            bytes = Data(buffer.readableBytesView)
        }
        // Strict JSON starts with its value: the validator (or the encoder) left no space before it.
        if bytes.first == UInt8(ascii: "[") {
            guard Params.memberNames.isEmpty, (try? JSONDecoder().decode([JSONValue].self, from: bytes))?.isEmpty == true else {
                throw .invalidParams("Invalid params: pass params by name, as an object")
            }
            return try decode(Params.self, from: .absent, absent: absent)
        }
        do {
            return try Self.paramsDecoder.decode(MembersChecked<Params>.self, from: bytes).value
        } catch let error as UnknownMember {
            throw .invalidParams("Invalid params: unknown member \"\(error.name)\"", field: error.name)
        } catch let error as DecodingError {
            var failure = Self.invalidParams(from: error)
            // Foundation reports a fraction given for an integer without a coding path: find the member.
            if failure.data?["field"] == .string(""), case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: bytes),
               let member = members.keys.sorted().first(where: { if case .double(let value) = members[$0] { value.rounded() != value } else { false } }) {
                failure = .invalidParams("Invalid params: \"\(member)\" must be an integer", field: member)
            }
            throw failure
        } catch {
            throw .invalidParams("Invalid params: \(error)")
        }
    }

    /// One decoder for every request's params (`JSONDecoder` is thread-safe): a new one per call costs more than small params.
    private static let paramsDecoder = JSONDecoder()

    /// `Params` decoded after checking, in the same pass over the bytes, that every member is one of its ``RPCParams/memberNames``.
    private struct MembersChecked<Params: RPCParams>: Decodable {
        let value: Params

        init(from decoder: any Decoder) throws {
            let names = try decoder.container(keyedBy: AnyMemberKey.self).allKeys.map(\.stringValue)
            if let unknown = names.sorted().first(where: { !Params.memberNames.contains($0) }) { throw UnknownMember(name: unknown) }
            value = try Params(from: decoder)
        }
    }

    private struct AnyMemberKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct UnknownMember: Error {
        let name: String
    }

    private static func invalidParams(from error: DecodingError) -> RPCError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalidParams("Invalid params: \"\(field)\" is required", field: field)
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return .invalidParams("Invalid params: \"\(field)\" must not be null", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .invalidParams("Invalid params: \"\(field)\" must be \(describe(type))", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            // Foundation's texts name Swift types ("Cannot initialize X from invalid String value y"); say it plainly.
            let reason = context.debugDescription.hasPrefix("Cannot initialize")
                ? "is not one of the allowed values (protocol.md lists them)"
                : context.debugDescription.contains("does not fit") ? "is out of range or not an integer" : context.debugDescription
            return .invalidParams("Invalid params: \"\(field)\" \(reason)", field: field)
        @unknown default:
            return .invalidParams("Invalid params")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
