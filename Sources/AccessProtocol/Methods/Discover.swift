/// `rpc.discover`: this server's methods as an OpenRPC document (https://spec.open-rpc.org, "Service
/// Discovery Method"). Open to every connection.
public enum Discover: AccessMethod {
    public typealias Params = EmptyParams

    /// `{openrpc, info, methods}`.
    public struct Result: Codable, Sendable, Equatable {
        /// `{title, version}`: `asana-access` and the protocol version.
        public struct Info: Codable, Sendable, Equatable {
            public var title: String
            public var version: String

            public init(title: String, version: String) {
                self.title = title
                self.version = version
            }
        }

        /// A param by name.
        public struct Param: Codable, Sendable, Equatable {
            public var name: String

            public init(name: String) {
                self.name = name
            }
        }

        /// A method: `{name, summary, params}`.
        public struct Method: Codable, Sendable, Equatable {
            public var name: String
            public var summary: String
            public var params: [Param]

            public init(name: String, summary: String, params: [Param]) {
                self.name = name
                self.summary = summary
                self.params = params
            }
        }

        /// The OpenRPC version, `1.3.2`.
        public var openrpc: String
        public var info: Info
        public var methods: [Method]

        public init(openrpc: String, info: Info, methods: [Method]) {
            self.openrpc = openrpc
            self.info = info
            self.methods = methods
        }
    }

    public static let name = "rpc.discover"
    public static let summary = "This server's methods as an OpenRPC document."
    public static let minimumRole: AccessRole? = nil
}
