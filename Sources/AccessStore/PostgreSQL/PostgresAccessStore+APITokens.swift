import AccessProtocol
import Foundation
import PostgresNIO

/// API tokens in PostgreSQL: the same text (``APITokenText``), the same SHA-256 of the secret, the same answers as the
/// SQLite store. A name taken on another replica at the same moment is refused by the `UNIQUE` constraint, not by a
/// read that could race.
extension PostgresAccessStore {
    public func createAPIToken(name: String, role: AccessRole, at: Date, expiresAt: Date?) async throws -> (token: String, summary: APITokenSummary) {
        try APITokenText.checkNewToken(name: name, at: at, expiresAt: expiresAt)
        let now = UnixMillis.from(at)
        let expires = expiresAt.map(UnixMillis.from)
        let logger = self.logger
        return try await database.write { connection in
            while true {
                let token = APITokenText.generate()
                let inserted = try await connection.query("""
                    INSERT INTO api_token (id, name, role, secret_hash, created_at, expires_at)
                    VALUES (\(token.id), \(name), \(role.rawValue), \(token.secretHash), \(now), \(expires))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger).collect().count
                if inserted == 1 {
                    let summary = APITokenSummary(
                        id: token.id, name: name, role: role, createdAt: UnixMillis.date(now), lastUsedAt: nil, revokedAt: nil,
                        expiresAt: UnixMillis.date(expires))
                    return (token.text, summary)
                }
                // The name is taken, or (64 random bits: next to impossible) the id: then draw another.
                let nameTaken = try await connection.query(
                    "SELECT 1 FROM api_token WHERE name = \(name)", logger: logger).collect().count > 0
                if nameTaken { throw AccessStoreError.apiTokenNameTaken(name: name) }
            }
        }
    }

    public func apiTokens() async throws -> [APITokenSummary] {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.apiTokenColumns) FROM api_token ORDER BY name", logger: logger
            ).collect().compactMap { try Self.apiTokenSummary($0) }
        }
    }

    @discardableResult
    public func revokeAPIToken(name: String, at: Date) async throws -> Bool {
        let logger = self.logger
        return try await database.write { connection in
            let revoked = try await connection.query("""
                UPDATE api_token SET revoked_at = \(UnixMillis.from(at)) WHERE name = \(name) AND revoked_at IS NULL RETURNING 1
                """, logger: logger).collect().count > 0
            return revoked
        }
    }

    public func verifyAPIToken(_ token: String, at: Date) async throws -> APITokenSummary? {
        guard let presented = APITokenText.parse(token) else { return nil }
        let presentedHash = presented.secretHash
        let logger = self.logger
        let stored = try await database.read { connection -> (secretHash: Data, revoked: Bool, lastUsedAt: Int64?, summary: APITokenSummary?)? in
            try await connection.query("""
                SELECT \(unescaped: Self.apiTokenColumns), secret_hash FROM api_token WHERE id = \(presented.id)
                """, logger: logger).collect().first.map { row in
                (try row.get("secret_hash", as: Data.self), try row.get("revoked_at", as: Int64?.self) != nil,
                 try row.get("last_used_at", as: Int64?.self), try Self.apiTokenSummary(row))
            }
        }
        guard let stored else { return nil }
        guard constantTimeEquals(presentedHash, stored.secretHash),
              !stored.revoked,
              var summary = stored.summary,
              !summary.isExpired(at: at) else { return nil }

        let now = UnixMillis.from(at)
        let interval = Int64((StoreLimits.apiTokenLastUsedInterval * 1000).rounded())
        if let lastUsed = stored.lastUsedAt, now - lastUsed < interval {
            return summary
        }
        // Conditional, so concurrent verifications (on any replica) write once; re-checks revocation in the same transaction.
        let id = presented.id
        let after = try await database.write { connection -> (active: Bool, lastUsedAt: Int64?) in
            let updated = try await connection.query("""
                UPDATE api_token SET last_used_at = \(now)
                WHERE id = \(id) AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at <= \(now - interval))
                RETURNING 1
                """, logger: logger).collect().count
            if updated > 0 { return (true, now) }
            guard let current = try await connection.query(
                "SELECT last_used_at, revoked_at FROM api_token WHERE id = \(id)", logger: logger).collect().first,
                  try current.get("revoked_at", as: Int64?.self) == nil else { return (false, nil) }
            return (true, try current.get("last_used_at", as: Int64?.self))
        }
        guard after.active else { return nil }
        summary.lastUsedAt = UnixMillis.date(after.lastUsedAt)
        return summary
    }

    static let apiTokenColumns = "id, name, role, created_at, last_used_at, revoked_at, expires_at"

    /// A summary from a row of ``apiTokenColumns``; nil for a role this build does not know.
    static func apiTokenSummary(_ row: PostgresRow) throws -> APITokenSummary? {
        guard let role = AccessRole(rawValue: try row.get("role", as: String.self)) else { return nil }
        return APITokenSummary(
            id: try row.get("id"), name: try row.get("name"), role: role,
            createdAt: UnixMillis.date(try row.get("created_at", as: Int64.self)),
            lastUsedAt: UnixMillis.date(try row.get("last_used_at", as: Int64?.self)),
            revokedAt: UnixMillis.date(try row.get("revoked_at", as: Int64?.self)),
            expiresAt: UnixMillis.date(try row.get("expires_at", as: Int64?.self)))
    }
}
