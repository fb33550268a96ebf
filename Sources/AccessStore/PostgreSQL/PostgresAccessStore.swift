import Crypto
import Foundation
import Logging
import PostgresNIO

/// The server's store in PostgreSQL, for several `asana-accessd` replicas on one database (or a managed
/// database with point-in-time recovery). It keeps what ``SQLiteAccessStore`` keeps, with the same semantics:
/// each requirement of ``AccessStore`` is one transaction, committed whole or not at all; credentials are
/// sealed with the master key, which never enters the database; the audit log is one HMAC chain.
///
/// What several replicas share goes through the database only: audit appends lock the chain's head row, so
/// appends from any replica are serialized into one chain with gapless ids; an idempotency record is
/// claimed by its primary key.
///
/// Open it with ``connect(_:masterKey:logger:)``; ``close()`` stops its connection pool (postgres-nio's
/// `PostgresClient`, at most ``maximumConnections`` connections). Failures of the server or the connection
/// surface as ``AccessStoreError/storageUnavailable(path:message:)`` naming the URL without its password.
public struct PostgresAccessStore: AccessStore {
    /// The pool's connection cap per server process.
    public static let maximumConnections = 20

    let database: PostgresDatabase
    /// The key that seals and opens credentials. It never enters the database.
    let masterKey: MasterKey
    /// Whether the text index of `listUsers`' query existed when the store opened (``PostgresTextIndex``): without it
    /// every page with a text scans. Read once: a server started before the index was made scans until it restarts.
    let textIndex: Bool

    var logger: Logger { database.logger }

    /// Connects to `location`, migrates the schema and checks the master key. With ``SQLiteAccessStore/OpenMode/existing``
    /// (the default) the database must already hold a store: a mistyped database name or an empty restore is refused
    /// rather than becoming a second, empty store; ``SQLiteAccessStore/OpenMode/create`` (`init --database`,
    /// `migrate-store`) creates the tables in an empty database.
    /// - Throws: ``AccessStoreError/databaseEmpty(path:)`` (mode `existing`) when the database holds no store;
    ///   ``AccessStoreError/storageUnavailable(path:message:)`` when the server cannot be reached or refuses
    ///   the login; ``AccessStoreError/databaseTooNew(path:)`` when the database records migrations this build
    ///   does not know; ``AccessStoreError/masterKeyMismatch(path:)`` when it was first used with another key.
    public static func connect(_ location: PostgresLocation, masterKey: MasterKey, mode: SQLiteAccessStore.OpenMode = .existing,
                               logger: Logger = Logger(label: "asana-access.store")) async throws -> PostgresAccessStore {
        let database = try PostgresDatabase(location: location, logger: logger)
        do {
            try await database.probe()
            if mode == .existing, try await !PostgresMigrations.hasStore(database) {
                throw AccessStoreError.databaseEmpty(path: location.redacted)
            }
            let textIndex = try await PostgresMigrations.migrate(database)
            if case .missing(let reason, let fix) = textIndex {
                // Once an open: a server on such a database answers every query text, each by reading every person.
                database.logger.warning(
                    "listUsers' query text has no index on this PostgreSQL database: each page with a text reads every person of the workspace",
                    metadata: ["reason": "\(reason)", "fix": "\(fix)"])
            }
            let store = PostgresAccessStore(database: database, masterKey: masterKey, textIndex: textIndex == .present)
            try await store.verifyMasterKey()
            return store
        } catch {
            await database.close()
            throw error
        }
    }

    /// Stops the connection pool. Later calls on this store (or a copy of it) throw.
    public func close() async {
        await database.close()
    }

    /// The URL without its password.
    public var location: PostgresLocation { database.location }

    /// Writes the master key check on a new database, or checks it on an existing one.
    func verifyMasterKey() async throws {
        let key = masterKey
        let path = location.redacted
        let logger = self.logger
        try await database.write { connection in
            let rows = try await connection.query(
                "SELECT sealed FROM master_key_check WHERE singleton = 1 FOR UPDATE", logger: logger).collect()
            guard let row = rows.first else {
                let sealed = try MasterKeyCheck.seal(key)
                try await connection.query("""
                    INSERT INTO master_key_check (singleton, sealed, created_at) VALUES (1, \(sealed), \(UnixMillis.from(Date())))
                    """, logger: logger)
                return
            }
            guard MasterKeyCheck.opens(try row.get("sealed", as: Data.self), key: key) else {
                throw AccessStoreError.masterKeyMismatch(path: path)
            }
        }
    }
}
