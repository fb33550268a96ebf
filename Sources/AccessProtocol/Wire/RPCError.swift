/// A JSON-RPC 2.0 error object: `{"code": Int, "message": String, "data": {"name": String, ...}}`.
///
/// Every error this server sends carries a stable machine name in `data.name` (for example
/// `rpc.invalid_params` or `upstream.rate_limited`); the numeric codes and names are listed in
/// protocol.md, "Errors". Handlers throw it to answer with that error.
public struct RPCError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The JSON-RPC error code. `-32768...-32000` are reserved by JSON-RPC 2.0; application codes are positive.
    public var code: Int
    /// One sentence for a person.
    public var message: String
    /// Structured detail; always an object holding at least `name`.
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// An error with `data = {"name": name, ...details}`.
    public init(code: Int, name: String, message: String, details: [String: JSONValue] = [:]) {
        var members = details
        members["name"] = .string(name)
        self.init(code: code, message: message, data: .object(members))
    }

    /// The stable name from `data.name`, if any.
    public var name: String? { data?["name"]?.stringValue }

    public var description: String { "\(message) (\(code)\(name.map { " \($0)" } ?? ""))" }

    // MARK: JSON-RPC 2.0 standard errors (https://www.jsonrpc.org/specification §5.1)

    /// `-32700`: the line is not valid JSON (or not valid UTF-8).
    public static func parseError(_ message: String) -> RPCError {
        RPCError(code: -32700, name: "rpc.parse_error", message: message)
    }

    /// `-32600`: the JSON is not a valid request object, or it breaks a documented limit (`name` says which).
    public static func invalidRequest(_ message: String, name: String = "rpc.invalid_request", details: [String: JSONValue] = [:]) -> RPCError {
        RPCError(code: -32600, name: name, message: message, details: details)
    }

    /// `-32601`: no method has that name.
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: -32601, name: "rpc.method_not_found", message: "Method not found: \(method)", details: ["method": .string(method)])
    }

    /// `-32602`: the params are missing, of the wrong type or out of range; `field` names the offending member.
    public static func invalidParams(_ message: String, field: String? = nil) -> RPCError {
        RPCError(code: -32602, name: "rpc.invalid_params", message: message, details: field.map { ["field": .string($0)] } ?? [:])
    }

    /// `-32001`: the method needs an authenticated caller; authenticate first (protocol.md, "Authentication").
    public static func authenticationRequired(_ method: String) -> RPCError {
        RPCError(code: -32001, name: "auth.required",
                 message: "\(method) needs an authenticated caller: call authenticate with an API token, or connect with a client certificate the server maps to a role",
                 details: ["method": .string(method)])
    }

    /// `-32002`: the caller's role may not call this method.
    public static func forbidden(_ method: String, role: String, allowed: Set<String>) -> RPCError {
        RPCError(code: -32002, name: "auth.forbidden",
                 message: "Role \(role) may not call \(method); it needs one of: \(allowed.sorted().joined(separator: ", "))",
                 details: ["method": .string(method), "role": .string(role), "allowedRoles": .array(allowed.sorted().map { .string($0) })])
    }

    /// `-32000`: a server-wide limit was reached (e.g. `limit.connections`); retry later.
    public static func limitExceeded(_ message: String, name: String, details: [String: JSONValue] = [:]) -> RPCError {
        RPCError(code: -32000, name: name, message: message, details: details)
    }

    /// `-32603`: the server failed in a way the caller cannot fix; details are in the server log.
    public static func internalError(_ message: String = "Internal error") -> RPCError {
        RPCError(code: -32603, name: "rpc.internal_error", message: message)
    }
}
