import Foundation
import GRDB
import PostgresNIO
import Testing
import TestSupport
@testable import AccessStore

/// What the audit, sync-run, idempotency and provision-journal tests need of a store (the PostgreSQL store does not
/// conform to the whole ``AccessStore`` yet).
typealias AuditAndJournalStore = AccessStore

extension StoreKind {
    /// A fresh, empty store of this kind under `masterKey`.
    func makeAuditStore(masterKey: MasterKey = MasterKey.generate()) async throws -> any AuditAndJournalStore {
        switch self {
        case .sqlite: return try SQLiteAccessStore.inMemory(masterKey: masterKey)
        case .postgres: return try await makePostgresStore(masterKey: masterKey)
        }
    }
}

/// Runs SQL on the store's database behind the store's back (what someone with access to the database can do):
/// `sqlite` on a ``SQLiteAccessStore``, `postgres` on a ``PostgresAccessStore`` (through an admin connection).
func executeBehindStore(_ store: any AuditAndJournalStore, sqlite: String, postgres: String) async throws {
    switch store {
    case let store as SQLiteAccessStore:
        try await store.dbWriter.write { try $0.execute(sql: sqlite) }
    case let store as PostgresAccessStore:
        try await TestPostgres.withAdminConnection(store.location) { connection, logger in
            _ = try await connection.query(PostgresQuery(unsafeSQL: postgres), logger: logger).collect()
        }
    default:
        Issue.record("no raw access to \(type(of: store))")
    }
}

/// The audit head row as stored, (last id, hash), nil when missing.
func storedAuditHead(_ store: any AuditAndJournalStore) async throws -> (lastId: Int64, hash: Data)? {
    switch store {
    case let store as SQLiteAccessStore:
        return try await store.dbWriter.read { try AuditChain.head($0) }
    case let store as PostgresAccessStore:
        return try await TestPostgres.withAdminConnection(store.location) { connection, logger in
            try await connection.query("SELECT last_id, hash FROM audit_head WHERE singleton = 1", logger: logger).collect()
                .first.map { (lastId: try $0.get("last_id", as: Int64.self), hash: try $0.get("hash", as: Data.self)) }
        }
    default:
        Issue.record("no raw access to \(type(of: store))")
        return nil
    }
}
