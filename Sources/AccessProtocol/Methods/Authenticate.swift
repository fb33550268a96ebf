/// `authenticate`: present an API token; the connection then runs as its principal and role until it
/// closes, or the token is revoked or expires (protocol.md §5, `authenticate`). Open to every connection.
public enum Authenticate: AccessMethod {
    /// `{token}`.
    public struct Params: Codable, Sendable, Equatable {
        /// An API token made by `asana-accessd tokens create` or `createToken`: `aat_<id>_<secret>`.
        public var token: String

        public init(token: String) {
            self.token = token
        }
    }

    /// `{principal, role}`: who the connection now runs as.
    public typealias Result = Identity

    public static let name = "authenticate"
    public static let summary = "Present an API token; the connection then runs as its principal and role."
    public static let minimumRole: AccessRole? = nil
    public static let paramNames: Set<String> = ["token"]
}
