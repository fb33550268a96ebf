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
    /// The members in the order the wire encoder sorts them; the limits, the same on every answer of
    /// a server, are encoded once and their text reused.
    public func writeWireJSON(to json: inout [UInt8]) {
        json.append(contentsOf: #"{"#.utf8)
        if let identity {
            json.append(contentsOf: #""identity":{"principal":"#.utf8)
            WireJSON.writeString(identity.principal, to: &json)
            json.append(contentsOf: #","role":"#.utf8)
            WireJSON.writeString(identity.role, to: &json)
            json.append(contentsOf: #"},"#.utf8)
        }
        json.append(contentsOf: #""limits":"#.utf8)
        json.append(contentsOf: Self.limitsText(limits))
        json.append(contentsOf: #","protocolVersion":"#.utf8)
        WireJSON.writeString(protocolVersion, to: &json)
        json.append(contentsOf: #","server":"#.utf8)
        WireJSON.writeString(server, to: &json)
        json.append(contentsOf: #","time":""#.utf8)
        json.append(contentsOf: JSONEncoder.protocolTimestamp(time).utf8)
        json.append(contentsOf: #"","version":"#.utf8)
        WireJSON.writeString(version, to: &json)
        json.append(UInt8(ascii: "}"))
    }

    private static let lastLimits = Mutex<(limits: ServerLimits, text: [UInt8])?>(nil)

    private static func limitsText(_ limits: ServerLimits) -> [UInt8] {
        if let text = lastLimits.withLock({ $0?.limits == limits ? $0?.text : nil }) { return text }
        var text: [UInt8] = []
        WireJSON.writeEncoded(limits, to: &text)
        lastLimits.withLock { $0 = (limits, text) }
        return text
    }
}
