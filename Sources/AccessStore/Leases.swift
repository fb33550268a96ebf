import Foundation
import GRDB

/// Leases in SQLite: one server holds the data directory, so they keep its own calls apart; expiry on this
/// machine's clock.
extension SQLiteAccessStore {
    public func acquireLease(_ name: String, holder: String, ttl: TimeInterval) async throws -> Bool {
        try LeaseRules.check(name: name, holder: holder, ttl: ttl)
        let now = UnixMillis.from(Date())
        let until = now + LeaseRules.millis(ttl)
        return try await dbWriter.write { db in
            try db.execute(
                sql: """
                    INSERT INTO lease (name, holder, expiresAt) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expiresAt = excluded.expiresAt
                    WHERE lease.expiresAt <= ?
                    """,
                arguments: [name, holder, until, now])
            return db.changesCount > 0
        }
    }

    public func renewLease(_ name: String, holder: String, ttl: TimeInterval) async throws -> Bool {
        try LeaseRules.check(name: name, holder: holder, ttl: ttl)
        let until = UnixMillis.from(Date()) + LeaseRules.millis(ttl)
        return try await dbWriter.write { db in
            try db.execute(sql: "UPDATE lease SET expiresAt = ? WHERE name = ? AND holder = ?", arguments: [until, name, holder])
            return db.changesCount > 0
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await dbWriter.write { db in
            try db.execute(sql: "DELETE FROM lease WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }

    public func leaseHolders(prefix: String) async throws -> [String: String] {
        let now = UnixMillis.from(Date())
        return try await dbWriter.read { db in
            var holders: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, holder FROM lease WHERE expiresAt > ?", arguments: [now]) {
                let name: String = row["name"]
                if name.hasPrefix(prefix) { holders[name] = row["holder"] }
            }
            return holders
        }
    }

    /// Drops every lease: only for the one server that holds the data directory's lock, at start, since no other
    /// holder can be alive (a lease left by a killed server would otherwise refuse syncs until it expired).
    public func releaseAllLeases() async throws {
        try await dbWriter.write { db in try db.execute(sql: "DELETE FROM lease") }
    }
}
