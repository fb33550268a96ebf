import Foundation
import Synchronization

/// `ping`: the server's name and versions, its clock, and who the connection is authenticated as.
/// Open to every connection, before authentication too (protocol.md §5, `ping`).
public enum Ping: AccessMethod {
    public typealias Params = EmptyParams

    /// `{server, version, protocolVersion, time, identity?, limits}`.
    public struct Result: Codable, Sendable, Equatable {
        /// Always `asana-accessd`.
        public var server: String
        /// The server's version, e.g. `0.1.0`.
        public var version: String
        /// The protocol version, e.g. `1.0` (protocol.md §9).
        public var protocolVersion: String
        /// The server's clock when it answered (ISO 8601 UTC, milliseconds, on the wire).
        public var time: Date
        /// Who the connection runs as; absent before authentication.
        public var identity: Identity?
        /// The server's limits (protocol.md §7), before and after authentication.
        public var limits: ServerLimits

        public init(server: String, version: String, protocolVersion: String, time: Date, identity: Identity?, limits: ServerLimits) {
            self.server = server
            self.version = version
            self.protocolVersion = protocolVersion
            self.time = time
            self.identity = identity
            self.limits = limits
        }
    }

    public static let name = "ping"
    public static let summary = "Server and protocol version, and who the connection is authenticated as; open to every connection."
    public static let minimumRole: AccessRole? = nil
}

/// Who a connection runs as: `{principal, role}` (the result of `authenticate`, `ping.identity`).
public struct Identity: Codable, Sendable, Equatable {
    /// `token:<name>` for an API token, `cert:<common name>` for a client certificate.
    public var principal: String
    /// `reader`, `operator` or `admin`.
    public var role: String

    public init(principal: String, role: String) {
        self.principal = principal
        self.role = role
    }
}

extension Ping.Result: WireJSONWritable {
    /// The members in the order the wire encoder sorts them. All but `identity` and `time` are the same
    /// on every answer of a server: their text is made once and reused.
    public func writeWireJSON(to json: inout [UInt8]) {
        json.append(UInt8(ascii: "{"))
        if let identity {
            json.append(contentsOf: #""identity":{"principal":"#.utf8)
            WireJSON.writeString(identity.principal, to: &json)
            json.append(contentsOf: #","role":"#.utf8)
            WireJSON.writeString(identity.role, to: &json)
            json.append(contentsOf: #"},"#.utf8)
        }
        let fixed = Self.fixedText(self)
        json.append(contentsOf: fixed.beforeTime)
        JSONEncoder.writeProtocolTimestamp(time, to: &json)
        json.append(contentsOf: fixed.afterTime)
    }

    /// The members that do not change from one answer to the next, and their text around `time`.
    private struct Fixed: Equatable {
        var limits: ServerLimits
        var protocolVersion: String
        var server: String
        var version: String
    }

    private static let lastFixed = Mutex<(fixed: Fixed, beforeTime: [UInt8], afterTime: [UInt8])?>(nil)

    private static func fixedText(_ result: Ping.Result) -> (beforeTime: [UInt8], afterTime: [UInt8]) {
        let fixed = Fixed(limits: result.limits, protocolVersion: result.protocolVersion, server: result.server, version: result.version)
        if let text = lastFixed.withLock({ $0?.fixed == fixed ? ($0!.beforeTime, $0!.afterTime) : nil }) { return text }
        var beforeTime = Array(#""limits":"#.utf8)
        WireJSON.writeEncoded(result.limits, to: &beforeTime)
        beforeTime.append(contentsOf: #","protocolVersion":"#.utf8)
        WireJSON.writeString(result.protocolVersion, to: &beforeTime)
        beforeTime.append(contentsOf: #","server":"#.utf8)
        WireJSON.writeString(result.server, to: &beforeTime)
        beforeTime.append(contentsOf: #","time":""#.utf8)
        var afterTime = Array(#"","version":"#.utf8)
        WireJSON.writeString(result.version, to: &afterTime)
        afterTime.append(UInt8(ascii: "}"))
        lastFixed.withLock { $0 = (fixed, beforeTime, afterTime) }
        return (beforeTime, afterTime)
    }
}
