import Crypto
import Foundation
import GRDB

/// Ties a database to its master key: a known text sealed with the key on first use. Opening the
/// store with another key fails at once with ``AccessStoreError/masterKeyMismatch(path:)``, instead
/// of later, credential by credential, after new credentials were already sealed under the wrong key.
enum MasterKeyCheck {
    static let plaintext = Array("asana-access master key check".utf8)
    static let associatedData = Array("asana-access/master-key-check/v1".utf8)

    /// Seals the check under `key` (replacing any earlier one), inside the caller's transaction.
    static func write(_ db: Database, key: MasterKey, at: Date) throws {
        let combined = try seal(key)
        try db.execute(
            sql: "INSERT INTO masterKeyCheck (singleton, sealed, createdAt) VALUES (1, ?, ?) ON CONFLICT(singleton) DO UPDATE SET sealed = excluded.sealed, createdAt = excluded.createdAt",
            arguments: [combined, UnixMillis.from(at)])
    }

    /// The check sealed under `key` (AES-GCM's combined form: nonce || ciphertext || tag), for either store.
    static func seal(_ key: MasterKey) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key.key, authenticating: associatedData)
        guard let combined = box.combined else { throw AccessStoreError.invalidArgument("AES-GCM produced no combined representation") }
        return combined
    }

    /// True when `sealed` opens under `key` to the check's text.
    static func opens(_ sealed: Data, key: MasterKey) -> Bool {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
              let opened = try? AES.GCM.open(box, using: key.key, authenticating: associatedData) else { return false }
        return Array(opened) == plaintext
    }

    /// Checks `key` against the stored check, writing one if the database has none yet.
    /// - Throws: ``AccessStoreError/masterKeyMismatch(path:)``.
    static func verify(_ dbWriter: StoreDatabase, key: MasterKey, path: String?) throws {
        try dbWriter.write { db in
            guard let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM masterKeyCheck WHERE singleton = 1") else {
                try write(db, key: key, at: Date())
                return
            }
            guard opens(sealed, key: key) else { throw AccessStoreError.masterKeyMismatch(path: path ?? ":memory:") }
        }
    }

    /// Whether `key` opens the stored check, reading only (for a backup, which must not write).
    /// - Returns: nil when the database holds no check yet.
    static func opens(_ db: Database, key: MasterKey) throws -> Bool? {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM masterKeyCheck WHERE singleton = 1") else { return nil }
        return opens(sealed, key: key)
    }
}
