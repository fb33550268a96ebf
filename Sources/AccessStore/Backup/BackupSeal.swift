import Crypto
import Foundation
import GRDB

/// The seal of a backup: an HMAC-SHA256, under a key derived from the master key, over everything the backup
/// holds (its schema and every row of every table), kept in the backup's own table `backupSeal`.
///
/// The audit chain proves the audit log was not altered, but not the other tables: without the seal, anyone who
/// may write to where backups are kept could plant a row (an admin API token, a credential, an OAuth client) in
/// a backup and have `restore` put it into service. `backup` seals the copy it wrote; `restore` refuses a backup
/// whose seal is missing or does not match, before anything is replaced.
///
/// Key: HKDF-SHA256 of the master key, no salt, info ``keyInfo``, 32 bytes (RFC 5869), so it is independent of
/// the audit key and of the sealing keys derived from the same master key. Message: for each `sqlite_master` row
/// (ordered by type and name; `backupSeal` itself left out) its type, name, table and SQL, then for each table
/// every row (`SELECT *` ordered by all columns), each value tagged with its SQLite storage class and length.
enum BackupSeal {
    /// The table holding the seal in a backup: one row `{version, mac, keyFingerprint, sealedAt}`.
    static let table = "backupSeal"
    /// The HKDF info label that derives the seal key from the master key.
    static let keyInfo = "asana-access backup seal v1"
    /// The format of the message, stored with the MAC.
    static let version = 1

    /// Computes the seal of `db` and stores it in ``table`` (replacing any seal the database already had).
    static func seal(_ db: Database, masterKey: MasterKey, at date: Date = Date()) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
        let mac = try self.mac(db, masterKey: masterKey)
        try db.execute(sql: "CREATE TABLE \(table) (version INTEGER NOT NULL, mac BLOB NOT NULL, keyFingerprint TEXT NOT NULL, sealedAt TEXT NOT NULL)")
        try db.execute(sql: "INSERT INTO \(table) (version, mac, keyFingerprint, sealedAt) VALUES (?, ?, ?, ?)",
                       arguments: [version, mac, masterKey.fingerprint, ISO8601DateFormatter().string(from: date)])
    }

    /// What checking a seal found.
    enum Finding: Equatable {
        case intact
        /// The database has no seal (not written by `asana-accessd backup`, or by a build before seals).
        case missing
        /// The seal does not match: the backup was changed after it was written, or sealed under another key.
        case mismatch
    }

    /// Checks the seal of `db` under `masterKey` (constant-time comparison of the MACs).
    static func check(_ db: Database, masterKey: MasterKey) throws -> Finding {
        guard try db.tableExists(table),
              let stored = try Data.fetchOne(db, sql: "SELECT mac FROM \(table) WHERE version = ?", arguments: [version]) else {
            return .missing
        }
        return constantTimeEquals(try mac(db, masterKey: masterKey), stored) ? .intact : .mismatch
    }

    /// Removes the seal (a restored database is a live one; the next backup seals it anew).
    static func remove(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
    }

    static func key(_ masterKey: MasterKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey.key, info: Data(keyInfo.utf8), outputByteCount: 32)
    }

    /// The MAC (32 bytes) over the schema and the rows of `db` (see the type's documentation).
    static func mac(_ db: Database, masterKey: MasterKey) throws -> Data {
        var hmac = HMAC<SHA256>(key: key(masterKey))
        var message = MessageWriter()
        let schema = try Row.fetchAll(db, sql: """
            SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> ? AND tbl_name <> ? ORDER BY type, name
            """, arguments: [table, table])
        for entry in schema {
            message.tag(0x10)
            for index in 0..<4 { message.value(entry[index] as DatabaseValue) }
        }
        let tables = schema.filter { $0["type"] as String? == "table" }.compactMap { $0["name"] as String? }
        for name in tables {
            message.tag(0x20)
            message.value(name.databaseValue)
            let columns = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name]).count
            let order = (1...max(columns, 1)).map(String.init).joined(separator: ", ")
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier) ORDER BY \(order)")
            while let row = try rows.next() {
                message.tag(0x21)
                for value in row.databaseValues { message.value(value) }
                if message.bytes.count >= 1 << 16 { hmac.update(data: message.bytes); message.bytes.removeAll(keepingCapacity: true) }
            }
        }
        hmac.update(data: message.bytes)
        return Data(hmac.finalize())
    }

    /// The message's encoding: a tag byte per schema entry, table and row; each value as its storage class
    /// (0 null, 1 integer, 2 real, 3 text, 4 blob), then 8 bytes big-endian (the integer, the real's bits, or the
    /// length), then the bytes of a text or blob.
    private struct MessageWriter {
        var bytes: [UInt8] = []

        mutating func tag(_ tag: UInt8) { bytes.append(tag) }

        mutating func value(_ value: DatabaseValue) {
            switch value.storage {
            case .null: bytes.append(0)
            case .int64(let integer): bytes.append(1); word(UInt64(bitPattern: integer))
            case .double(let real): bytes.append(2); word(real.bitPattern)
            case .string(let text):
                bytes.append(3)
                let utf8 = Array(text.utf8)
                word(UInt64(utf8.count)); bytes.append(contentsOf: utf8)
            case .blob(let data): bytes.append(4); word(UInt64(data.count)); bytes.append(contentsOf: data)
            }
        }

        private mutating func word(_ value: UInt64) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
    }
}
