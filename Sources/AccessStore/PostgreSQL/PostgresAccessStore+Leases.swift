import Foundation
import PostgresNIO

/// Leases in PostgreSQL, shared by every replica. Expiry is on the database server's clock
/// (`clock_timestamp()`), so replicas whose clocks disagree still agree on who holds a lease.
extension PostgresAccessStore {
    /// The database server's clock in Unix milliseconds, as SQL.
    static let serverNowMillis = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    public func acquireLease(_ name: String, holder: String, ttl: TimeInterval) async throws -> Bool {
        try LeaseRules.check(name: name, holder: holder, ttl: ttl)
        let ttlMillis = LeaseRules.millis(ttl)
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("""
                INSERT INTO lease (name, holder, expires_at) VALUES (\(name), \(holder), \(unescaped: Self.serverNowMillis) + \(ttlMillis))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE lease.expires_at <= \(unescaped: Self.serverNowMillis)
                RETURNING 1
                """, logger: logger).collect().count > 0
        }
    }

    public func renewLease(_ name: String, holder: String, ttl: TimeInterval) async throws -> Bool {
        try LeaseRules.check(name: name, holder: holder, ttl: ttl)
        let ttlMillis = LeaseRules.millis(ttl)
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("""
                UPDATE lease SET expires_at = \(unescaped: Self.serverNowMillis) + \(ttlMillis)
                WHERE name = \(name) AND holder = \(holder) RETURNING 1
                """, logger: logger).collect().count > 0
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        let logger = self.logger
        _ = try await database.write { connection in
            try await connection.query("DELETE FROM lease WHERE name = \(name) AND holder = \(holder)", logger: logger)
        }
    }

    public func leaseHolders(prefix: String) async throws -> [String: String] {
        let logger = self.logger
        return try await database.read { connection in
            var holders: [String: String] = [:]
            for row in try await connection.query("""
                SELECT name, holder FROM lease WHERE starts_with(name, \(prefix)) AND expires_at > \(unescaped: Self.serverNowMillis)
                """, logger: logger).collect() {
                holders[try row.get("name", as: String.self)] = try row.get("holder", as: String.self)
            }
            return holders
        }
    }
}
