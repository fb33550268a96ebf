import AccessProtocol
import Foundation
import GRDB

extension SQLiteAccessStore {
    /// Creates an API token named `name` with `role`, expiring at `expiresAt` (nil: never).
    ///
    /// The token text is `aat_<id>_<secret>` (64 ASCII characters): `id` is 16 lowercase hex digits
    /// (8 random bytes), `secret` 43 characters of base64url without padding (32 random bytes).
    /// Only SHA-256 of the secret is stored: the text is returned here once and can never be read back.
    /// - Returns: the token text, to hand to its holder, and its summary (`lastUsedAt`, `revokedAt` nil).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` unless `name` is 1–64 characters of
    ///   `A-Z a-z 0-9 . _ -`, or when `expiresAt` is not between ``StoreLimits/minimumAPITokenLifetime`` and
    ///   ``StoreLimits/maximumAPITokenLifetime`` after `at`; ``AccessStoreError/apiTokenNameTaken(name:)`` when a token
    ///   (active or revoked) already has that name.
    public func createAPIToken(name: String, role: AccessRole, at: Date, expiresAt: Date?) async throws -> (token: String, summary: APITokenSummary) {
        try APITokenText.checkNewToken(name: name, at: at, expiresAt: expiresAt)
        let now = UnixMillis.from(at)
        let expires = expiresAt.map(UnixMillis.from)
        return try await dbWriter.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM apiToken WHERE name = ?)", arguments: [name]) == true {
                throw AccessStoreError.apiTokenNameTaken(name: name)
            }
            var token = APITokenText.generate()
            // 64 random bits: a clash is next to impossible, but cheap to rule out.
            while try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM apiToken WHERE id = ?)", arguments: [token.id]) == true {
                token = APITokenText.generate()
            }
            try db.execute(
                sql: "INSERT INTO apiToken (id, name, role, secretHash, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [token.id, name, role.rawValue, token.secretHash, now, expires])
            let summary = APITokenSummary(
                id: token.id, name: name, role: role, createdAt: UnixMillis.date(now), lastUsedAt: nil, revokedAt: nil,
                expiresAt: UnixMillis.date(expires))
            return (token.text, summary)
        }
    }

    /// Every API token, active and revoked, ordered by name (bytewise: `A-Z` before `a-z`).
    /// Neither secrets nor their hashes are read.
    public func apiTokens() async throws -> [APITokenSummary] {
        try await dbWriter.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, name, role, createdAt, lastUsedAt, revokedAt, expiresAt
                FROM apiToken ORDER BY name
                """).compactMap(Self.apiTokenSummary)
        }
    }

    /// Revokes the active token named `name`: `revokedAt` = `at`, and it no longer verifies.
    /// The row stays (listed, with its name still taken).
    /// - Returns: true when a token was revoked; false when no token has that name or it was already revoked.
    @discardableResult
    public func revokeAPIToken(name: String, at: Date) async throws -> Bool {
        try await dbWriter.write { db in
            try db.execute(
                sql: "UPDATE apiToken SET revokedAt = ? WHERE name = ? AND revokedAt IS NULL",
                arguments: [UnixMillis.from(at), name])
            return db.changesCount > 0
        }
    }

    /// Checks a presented token text.
    ///
    /// Parses `aat_<id>_<secret>`, loads the row by `id`, and compares SHA-256 of the secret with
    /// the stored hash in constant time (``constantTimeEquals(_:_:)``). On success, sets `lastUsedAt`
    /// to `at` when it is nil or at least ``StoreLimits/apiTokenLastUsedInterval`` older (a failed check writes nothing).
    /// - Returns: the token's summary (with `lastUsedAt` as stored after this call, and `expiresAt`), or nil
    ///   when the text is malformed, names no token, does not match, or the token is revoked or expired
    ///   (`expiresAt <= at`: an expired token fails exactly like a wrong one).
    /// - Throws: only database errors; never for bad input.
    public func verifyAPIToken(_ token: String, at: Date) async throws -> APITokenSummary? {
        guard let presented = APITokenText.parse(token) else { return nil }
        let presentedHash = presented.secretHash
        // Decoded inside the read (a GRDB row does not leave it).
        let stored = try await dbWriter.read { db -> (secretHash: Data?, revoked: Bool, lastUsedAt: Int64?, summary: APITokenSummary?)? in
            try Row.fetchOne(
                db, sql: "SELECT id, name, role, secretHash, createdAt, lastUsedAt, revokedAt, expiresAt FROM apiToken WHERE id = ?",
                arguments: [presented.id]
            ).map { row in (row["secretHash"] as Data?, row["revokedAt"] as Int64? != nil, row["lastUsedAt"] as Int64?, Self.apiTokenSummary(row)) }
        }
        guard let stored, let storedHash = stored.secretHash else { return nil }
        guard constantTimeEquals(presentedHash, storedHash),
              !stored.revoked,
              var summary = stored.summary,
              !summary.isExpired(at: at) else { return nil }

        let now = UnixMillis.from(at)
        let interval = Int64((StoreLimits.apiTokenLastUsedInterval * 1000).rounded())
        if let lastUsed = stored.lastUsedAt, now - lastUsed < interval {
            return summary
        }
        // Conditional, so concurrent verifications write once; re-checks revocation in the same transaction.
        let after = try await dbWriter.write { db -> (active: Bool, lastUsedAt: Int64?) in
            try db.execute(
                sql: """
                    UPDATE apiToken SET lastUsedAt = ?
                    WHERE id = ? AND revokedAt IS NULL AND (lastUsedAt IS NULL OR lastUsedAt <= ?)
                    """,
                arguments: [now, presented.id, now - interval])
            if db.changesCount > 0 { return (true, now) }
            guard let current = try Row.fetchOne(
                db, sql: "SELECT lastUsedAt, revokedAt FROM apiToken WHERE id = ?", arguments: [presented.id]),
                  current["revokedAt"] as Int64? == nil else { return (false, nil) }
            return (true, current["lastUsedAt"] as Int64?)
        }
        guard after.active else { return nil }
        summary.lastUsedAt = UnixMillis.date(after.lastUsedAt)
        return summary
    }

    /// The summary of a row with id, name, role, createdAt, lastUsedAt, revokedAt, expiresAt; nil for an unknown role.
    static func apiTokenSummary(_ row: Row) -> APITokenSummary? {
        guard let role = AccessRole(rawValue: row["role"]) else { return nil }
        return APITokenSummary(
            id: row["id"], name: row["name"], role: role,
            createdAt: UnixMillis.date(row["createdAt"] as Int64),
            lastUsedAt: UnixMillis.date(row["lastUsedAt"] as Int64?),
            revokedAt: UnixMillis.date(row["revokedAt"] as Int64?),
            expiresAt: UnixMillis.date(row["expiresAt"] as Int64?))
    }
}
