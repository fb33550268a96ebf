import Foundation

/// `createToken`: make an API token with a role; the answer holds the token text, once
/// (protocol.md §5, `createToken`). Role: admin.
public enum CreateToken: AccessMethod {
    /// `{name, role, expiresIn?, expiresAt?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// 1–64 characters of `A-Z a-z 0-9 . _ -`, unique.
        public var name: String
        public var role: AccessRole
        /// Lifetime from now: `Nd`, `Nh` or `Nm` (days, hours, minutes), e.g. `90d`; at most one of `expiresIn`/`expiresAt`.
        public var expiresIn: String?
        /// ISO 8601 date-time at which the token stops verifying (e.g. `2026-01-31T00:00:00Z`).
        public var expiresAt: String?

        public init(name: String, role: AccessRole, expiresIn: String? = nil, expiresAt: String? = nil) {
            self.name = name
            self.role = role
            self.expiresIn = expiresIn
            self.expiresAt = expiresAt
        }
    }

    /// `{token, summary}`: the token text appears here once and is never shown again.
    public struct Result: Codable, Sendable, Equatable {
        /// `aat_<id>_<secret>`.
        public var token: String
        public var summary: APITokenSummary

        public init(token: String, summary: APITokenSummary) {
            self.token = token
            self.summary = summary
        }
    }

    public static let name = "createToken"
    public static let summary = "Make an API token with a role; the answer holds the token text, once."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["name", "role", "expiresIn", "expiresAt"]
}

/// `listTokens`: every API token, never the token text (protocol.md §5, `listTokens`). Role: admin.
public enum ListTokens: AccessMethod {
    public typealias Params = EmptyParams
    /// `{items: [APITokenSummary]}`, by name.
    public typealias Result = ItemList<APITokenSummary>

    public static let name = "listTokens"
    public static let summary = "List API tokens (names, roles, dates; never the token text)."
    public static let minimumRole: AccessRole? = .admin
}

/// `revokeToken`: revoke an API token by name (protocol.md §5, `revokeToken`). Role: admin.
public enum RevokeToken: AccessMethod {
    /// `{name}`.
    public struct Params: Codable, Sendable, Equatable {
        public var name: String

        public init(name: String) {
            self.name = name
        }
    }

    /// `{done}`: `false` when no active token has that name.
    public typealias Result = Done

    public static let name = "revokeToken"
    public static let summary = "Revoke an API token by name; connections authenticated with it lose their identity on their next call."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["name"]
}
