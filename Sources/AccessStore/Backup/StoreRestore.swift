#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import GRDB

/// Restoring a store's database from a backup made by ``StoreBackup``: every check first, then one rename.
///
/// The caller holds the data directory's lock (``DataDirectoryLock``): no server or writing command may
/// have the database open while it is replaced.
public enum StoreRestore {
    /// What a restore did.
    public struct Outcome: Sendable, Equatable {
        /// What the restored database holds (after any migration to this build's schema).
        public var restored: BackupSummary
        /// Where the database that was replaced is kept (`<database>.before-restore-<UTC time>`), nil when
        /// there was none.
        public var previousDatabase: String?
    }

    /// Replaces the database at `databasePath` by the backup at `backupPath`, once the backup passed every check.
    ///
    /// The backup is first copied (SQLite's backup API) to a hidden file in the data directory, and that copy is
    /// checked: `PRAGMA integrity_check`; its seal (``BackupSeal``: nothing added, changed or removed since `backup`
    /// wrote it); a schema this build knows (an older one is migrated, as at any open;
    /// a newer one is refused); `masterKey` opens it (its key check); its audit chain verifies under that key
    /// (the check `audit verify` makes). Only then is the current database (checkpointed first, when it opens)
    /// kept under a new hard link `<database>.before-restore-<yyyyMMdd'T'HHmmss'Z'>` (its `-wal` too, if one is
    /// left), its `-wal` and `-shm` are removed, and the copy is renamed over it. Any failure before that leaves
    /// the current database untouched and removes the copy.
    ///
    /// Once checked, the copy gets one more audit event before it takes the database's name, chained like any
    /// other: method `restore`, `principal` (the operator, `local:<user>`), params `{from, sha256}` (the backup's absolute
    /// path and the SHA-256 of its bytes, hex),
    /// result `{backupLastEventId, replacedLastEventId}` (the last event the backup holds, and the last one of the
    /// database it replaces, null when there was none or it does not open), so the log itself says that events
    /// after `backupLastEventId` up to `replacedLastEventId` were written and are now only in the kept file.
    /// - Throws: ``BackupError`` naming the failed check; ``AccessStoreError/fileSystem(path:message:)``;
    ///   ``AccessStoreError/storeRetired(path:movedTo:at:)`` when the current database was moved to PostgreSQL (or the
    ///   backup is of such a store);
    ///   what ``SQLiteAccessStore/open(path:masterKey:mode:)`` throws for the copy.
    public static func restore(from backupPath: String, databasePath: String, masterKey: MasterKey, principal: String,
                               now: Date = Date()) async throws -> Outcome {
        guard let status = try FileModes.status(backupPath), status.isRegularFile, status.size > 0 else {
            throw BackupError.backupMissing(path: backupPath)
        }
        // A store migrate-store moved to PostgreSQL stays retired: a restore would bring back a second store beside the
        // copy. (A current database that does not open at all is what a restore may be for.)
        try StoreRetirement.refuse(databaseAt: databasePath)
        let partial = try PartialFile(next: databasePath, tag: "restore")
        defer { partial.remove() }
        try StoreBackup.copyDatabase(from: backupPath, to: partial.path)
        _ = try StoreBackup.inspect(partial.path, reportingAs: backupPath, masterKey: masterKey)
        // The seal before anything else reads the rows as a store: a planted row (an admin token, say) is refused here.
        let sealed = try DatabaseQueue(path: partial.path)
        do {
            try await sealed.write { db in
                switch try BackupSeal.check(db, masterKey: masterKey) {
                case .intact: try BackupSeal.remove(db)
                case .missing: throw BackupError.unsealed(path: backupPath)
                case .mismatch: throw BackupError.sealMismatch(path: backupPath)
                }
            }
            try sealed.close()
        } catch {
            try? sealed.close()
            throw error
        }

        // Opening it as the server will: migrations (an older schema), the key check, then the audit chain.
        let store = try SQLiteAccessStore.open(path: partial.path, masterKey: masterKey, mode: .existing)
        let report: AuditChainReport
        var summary: BackupSummary
        do {
            report = try await store.verifyAuditChain()
            summary = try await store.dbWriter.read { db in
                try StoreBackup.summary(db, name: databasePath, bytes: 0, masterKey: masterKey)
            }
            if report.problem == nil {
                try await store.appendAuditEvent(restoreEvent(from: backupPath, backupLastEventId: summary.lastAuditEventId,
                                                              replacedLastEventId: lastAuditEventId(databasePath), principal: principal, at: now))
            }
            // Everything written to the copy (a migration, the restore event) into its main file: only that file is
            // renamed into place, and a -wal left beside the copy would be removed with it.
            _ = try await store.dbWriter.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        } catch {
            try? store.close()
            throw error
        }
        try store.close()
        if let problem = report.problem {
            let at = problem.eventId.map { "at event \($0)" } ?? "at the head"
            throw BackupError.auditChainBroken(path: backupPath, problem: "\(at): \(problem)")
        }
        summary.bytes = try FileModes.status(partial.path)?.size ?? 0

        let previous = try keepCurrent(databasePath, now: now)
        for suffix in ["-wal", "-shm"] where unlink(databasePath + suffix) != 0 && errno != ENOENT {
            throw AccessStoreError.fileSystem(path: databasePath + suffix, message: FileModes.lastError())
        }
        try partial.publish(as: databasePath, replace: true)
        return Outcome(restored: summary, previousDatabase: previous)
    }

    /// The `restore` audit event (see ``restore(from:databasePath:masterKey:principal:now:)``).
    static func restoreEvent(from backupPath: String, backupLastEventId: Int64, replacedLastEventId: Int64?,
                             principal: String, at: Date) throws -> AuditEventDraft {
        func json(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        }
        // The file as it was restored: its absolute path and SHA-256, so the event names one backup among many.
        let absolute = URL(fileURLWithPath: backupPath).standardizedFileURL.path
        let digest = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: backupPath), options: .alwaysMapped))
        let sha256 = digest.map { String(format: "%02x", $0) }.joined()
        return AuditEventDraft(at: at, principal: principal, method: "restore", params: try json(["from": absolute, "sha256": sha256]),
                               result: try json(["backupLastEventId": backupLastEventId, "replacedLastEventId": replacedLastEventId ?? NSNull()]),
                               outcome: "ok")
    }

    /// The id of the last audit event of the database at `path`, read-only; nil when there is no such file or it
    /// does not open as an asana-access database (a damaged one is what a restore may be replacing).
    static func lastAuditEventId(_ path: String) -> Int64? {
        guard (try? FileModes.status(path)) != nil else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        defer { try? queue.close() }
        return try? queue.read { try Int64.fetchOne($0, sql: "SELECT max(id) FROM auditEvent") }
    }

    /// Checkpoints the current database when it opens (so its `-wal` holds nothing more), then keeps it under
    /// a hard link `<database>.before-restore-<time>`, with any `-wal` left beside it as that name's `-wal`.
    /// - Returns: the kept name, nil when there is no current database.
    static func keepCurrent(_ databasePath: String, now: Date) throws -> String? {
        guard try FileModes.status(databasePath) != nil else { return nil }
        if let queue = try? DatabaseQueue(path: databasePath) {
            _ = try? queue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try? queue.close()
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var kept = "\(databasePath).before-restore-\(formatter.string(from: now))"
        var attempt = 1
        while link(databasePath, kept) != 0 {
            guard errno == EEXIST, attempt < 100 else { throw AccessStoreError.fileSystem(path: kept, message: FileModes.lastError()) }
            attempt += 1
            kept = "\(databasePath).before-restore-\(formatter.string(from: now))-\(attempt)"
        }
        if let wal = try FileModes.status(databasePath + "-wal"), wal.size > 0, link(databasePath + "-wal", kept + "-wal") != 0 {
            throw AccessStoreError.fileSystem(path: kept + "-wal", message: FileModes.lastError())
        }
        return kept
    }
}
