import Foundation
import GRDB

/// A SQLite store that `asana-accessd migrate-store` copied into PostgreSQL: the copy is the store from then on.
/// Commands refuse to open a retired store (two stores taking writes would fork the audit chain and the snapshots).
public struct StoreRetirement: Sendable, Equatable {
    /// Where the store went: the PostgreSQL URL without its password.
    public var movedTo: String
    public var retiredAt: Date

    public init(movedTo: String, retiredAt: Date) {
        self.movedTo = movedTo
        self.retiredAt = retiredAt
    }

    /// The SQL that undoes the retirement, for an operator who goes back to the SQLite store (forking it from the
    /// PostgreSQL copy, which then must be given up).
    public static let undoSQL = "DELETE FROM storeRetirement"

    /// The retirement `db` records; nil while in use (or before migration v13 made the table).
    static func fetch(_ db: Database) throws -> StoreRetirement? {
        guard try db.tableExists("storeRetirement") else { return nil }
        return try Row.fetchOne(db, sql: "SELECT movedTo, retiredAt FROM storeRetirement").map {
            StoreRetirement(movedTo: $0["movedTo"], retiredAt: UnixMillis.date($0["retiredAt"] as Int64))
        }
    }

    /// - Throws: ``AccessStoreError/storeRetired(path:movedTo:at:)`` when `db` (the database at `path`) is retired.
    static func refuse(_ db: Database, path: String) throws {
        if let retirement = try fetch(db) { throw AccessStoreError.storeRetired(path: path, movedTo: retirement.movedTo, at: retirement.retiredAt) }
    }

    /// Refuses the database file at `path` when it is retired, reading it without opening it as a store (no
    /// migration runs). A file that is missing or does not open as a database passes: that is for the caller.
    /// - Throws: ``AccessStoreError/storeRetired(path:movedTo:at:)``.
    static func refuse(databaseAt path: String) throws {
        var readOnly = Configuration()
        readOnly.readonly = true
        guard FileManager.default.fileExists(atPath: path), let reader = try? DatabaseQueue(path: path, configuration: readOnly) else { return }
        defer { try? reader.close() }
        guard let retirement = try? reader.read({ try fetch($0) }) else { return }
        throw AccessStoreError.storeRetired(path: path, movedTo: retirement.movedTo, at: retirement.retiredAt)
    }
}

extension SQLiteAccessStore {
    /// The store's retirement, nil while it is in use.
    public func retirement() async throws -> StoreRetirement? {
        try await dbWriter.read { try StoreRetirement.fetch($0) }
    }

    /// Retires the store and appends `event` (the migration, for the store's own audit log) in one transaction.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when it is retired already.
    public func retire(_ retirement: StoreRetirement, event: AuditEventDraft) async throws {
        try event.validate()
        let key = AuditChain.auditKey(masterKey)
        try await dbWriter.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                guard try Row.fetchOne(db, sql: "SELECT 1 FROM storeRetirement") == nil else {
                    throw AccessStoreError.invalidArgument("the store was retired already")
                }
                _ = try AuditChain.append(db, event, key: key)
                try db.execute(sql: "INSERT INTO storeRetirement (singleton, movedTo, retiredAt) VALUES (1, ?, ?)",
                               arguments: [retirement.movedTo, UnixMillis.from(retirement.retiredAt)])
                return .commit
            }
        }
    }

    /// Puts a retired store back in use and appends `event` (why), in one transaction: `migrate-store` after a copy
    /// that did not complete.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when it is not retired.
    public func unretire(event: AuditEventDraft) async throws {
        try event.validate()
        let key = AuditChain.auditKey(masterKey)
        try await dbWriter.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: StoreRetirement.undoSQL)
                guard db.changesCount > 0 else { throw AccessStoreError.invalidArgument("the store is not retired") }
                _ = try AuditChain.append(db, event, key: key)
                return .commit
            }
        }
    }
}
