import AccessProtocol
import Foundation
import GRDB

extension SQLiteAccessStore {
    /// Seals `secret` under the master key and stores it for (workspace, purpose), replacing any
    /// previous credential there (`createdAt` is kept, `updatedAt` = `at`, the state becomes `active`).
    /// The plaintext never reaches the database.
    ///
    /// - Parameters:
    ///   - fingerprintOf: the text whose fingerprint identifies the credential; `secret` when nil. An OAuth
    ///     token set passes its refresh token, so the fingerprint survives access-token refreshes.
    /// - Returns: the stored summary (fingerprint only).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty workspace gid or secret.
    @discardableResult
    public func putCredential(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String,
                              fingerprintOf: String?, at: Date) async throws -> CredentialSummary {
        // Without a precondition the write always happens.
        try await writeCredential(workspaceGid: workspaceGid, purpose: purpose, kind: kind, secret: secret,
                                  fingerprintOf: fingerprintOf, onlyIfFingerprint: nil, at: at)!
    }

    /// Like ``putCredential(workspaceGid:purpose:kind:secret:fingerprintOf:at:)``, but only when the stored
    /// credential of (workspace, purpose) still has fingerprint `onlyIfFingerprint`: an OAuth refresh must not
    /// overwrite a credential authorized again meanwhile.
    /// - Returns: the stored summary, or nil when the fingerprint did not match (nothing written).
    public func replaceCredential(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String,
                                  fingerprintOf: String?, onlyIfFingerprint: String, at: Date) async throws -> CredentialSummary? {
        try await writeCredential(workspaceGid: workspaceGid, purpose: purpose, kind: kind, secret: secret,
                                  fingerprintOf: fingerprintOf, onlyIfFingerprint: onlyIfFingerprint, at: at)
    }

    private func writeCredential(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String,
                                 fingerprintOf: String?, onlyIfFingerprint: String?, at: Date) async throws -> CredentialSummary? {
        guard !workspaceGid.isEmpty else { throw AccessStoreError.invalidArgument("workspaceGid is empty") }
        guard !secret.isEmpty else { throw AccessStoreError.invalidArgument("the secret is empty") }
        let sealer = CredentialSealer(masterKey: masterKey)
        let fingerprint = CredentialSealer.fingerprint(of: fingerprintOf ?? secret)
        let now = UnixMillis.from(at)
        return try await dbWriter.write { db -> CredentialSummary? in
            if let onlyIfFingerprint {
                let current = try String.fetchOne(
                    db, sql: "SELECT fingerprint FROM credential WHERE workspaceGid = ? AND purpose = ?",
                    arguments: [workspaceGid, purpose.rawValue])
                guard current == onlyIfFingerprint else { return nil }
            }
            // New seals take the key version of the rows already there (raised by `resealCredentials`).
            let keyVersion = try Self.currentKeyVersion(db)
            let sealed = try sealer.seal(secret, workspaceGid: workspaceGid, purpose: purpose, kind: kind, keyVersion: keyVersion)
            try db.execute(
                sql: """
                    INSERT INTO credential (workspaceGid, purpose, kind, sealed, keyVersion, fingerprint, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (workspaceGid, purpose) DO UPDATE SET
                        kind = excluded.kind, sealed = excluded.sealed, keyVersion = excluded.keyVersion,
                        fingerprint = excluded.fingerprint, updatedAt = excluded.updatedAt,
                        state = 'active', stateReason = NULL, stateChangedAt = NULL
                    """,
                arguments: [workspaceGid, purpose.rawValue, kind.rawValue, sealed, keyVersion, fingerprint, now, now])
            let createdAt = try Int64.fetchOne(
                db, sql: "SELECT createdAt FROM credential WHERE workspaceGid = ? AND purpose = ?",
                arguments: [workspaceGid, purpose.rawValue]) ?? now
            return CredentialSummary(
                workspaceGid: workspaceGid, purpose: purpose, kind: kind, fingerprint: fingerprint,
                createdAt: UnixMillis.date(createdAt), updatedAt: UnixMillis.date(now))
        }
    }

    /// Marks the credential of (workspace, purpose) as needing a new authorization, with `reason`.
    /// Only the row with fingerprint `fingerprint` is changed, so a credential stored again meanwhile stays active.
    /// - Returns: whether a row changed.
    @discardableResult
    public func markCredentialReauthorizationRequired(workspaceGid: String, purpose: CredentialPurpose, fingerprint: String,
                                                      reason: String, at: Date) async throws -> Bool {
        try await dbWriter.write { db in
            try db.execute(
                sql: """
                    UPDATE credential SET state = 'reauthorizationRequired', stateReason = ?, stateChangedAt = ?
                    WHERE workspaceGid = ? AND purpose = ? AND fingerprint = ?
                    """,
                arguments: [reason, UnixMillis.from(at), workspaceGid, purpose.rawValue, fingerprint])
            return db.changesCount > 0
        }
    }

    /// Summaries of every stored credential, ordered by workspace gid then purpose. No secret is opened.
    public func credentialSummaries() async throws -> [CredentialSummary] {
        try await dbWriter.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.summaryColumns) FROM credential ORDER BY workspaceGid, purpose")
                .compactMap(Self.credentialSummary)
        }
    }

    /// Opens the credential of (workspace, purpose) and returns it with its summary (state, fingerprint), in
    /// one read: for paths that run before every call to Asana.
    /// - Returns: nil when none is stored.
    /// - Throws: ``AccessStoreError/credentialTampered(workspaceGid:purpose:)`` when AES-GCM refuses it
    ///   (altered ciphertext or row, copied from another row, or sealed under another master key).
    public func openCredentialWithSummary(workspaceGid: String, purpose: CredentialPurpose) async throws -> (summary: CredentialSummary, secret: String)? {
        // The row is decoded inside the read (a GRDB row does not leave it); nil fields mean an unreadable row.
        let stored = try await dbWriter.read { db -> (summary: CredentialSummary?, sealed: Data?, keyVersion: Int?)? in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.summaryColumns), sealed, keyVersion FROM credential WHERE workspaceGid = ? AND purpose = ?",
                arguments: [workspaceGid, purpose.rawValue]
            ).map { row in (Self.credentialSummary(row), row["sealed"] as Data?, row["keyVersion"] as Int?) }
        }
        guard let stored else { return nil }
        guard let summary = stored.summary, let sealed = stored.sealed, let keyVersion = stored.keyVersion else {
            throw AccessStoreError.credentialTampered(workspaceGid: workspaceGid, purpose: purpose)
        }
        let secret = try CredentialSealer(masterKey: masterKey)
            .open(sealed, workspaceGid: workspaceGid, purpose: purpose, kind: summary.kind, keyVersion: keyVersion)
        return (summary, secret)
    }

    static let summaryColumns = "workspaceGid, purpose, kind, fingerprint, createdAt, updatedAt, state, stateReason"

    /// The summary of a row read with ``summaryColumns``; nil when its purpose or kind is not one this version knows.
    static func credentialSummary(_ row: Row) -> CredentialSummary? {
        guard let purpose = CredentialPurpose(rawValue: row["purpose"]),
              let kind = CredentialKind(rawValue: row["kind"]) else { return nil }
        return CredentialSummary(
            workspaceGid: row["workspaceGid"], purpose: purpose, kind: kind,
            fingerprint: row["fingerprint"],
            createdAt: UnixMillis.date(row["createdAt"] as Int64),
            updatedAt: UnixMillis.date(row["updatedAt"] as Int64),
            state: CredentialState(rawValue: row["state"]) ?? .active, stateReason: row["stateReason"])
    }

    /// Deletes the credential of (workspace, purpose). With `secure_delete` on, its bytes are zeroed in the file.
    /// - Returns: whether a credential was deleted.
    @discardableResult
    public func deleteCredential(workspaceGid: String, purpose: CredentialPurpose) async throws -> Bool {
        try await dbWriter.write { db in
            try db.execute(
                sql: "DELETE FROM credential WHERE workspaceGid = ? AND purpose = ?",
                arguments: [workspaceGid, purpose.rawValue])
            return db.changesCount > 0
        }
    }

    /// Re-seals every credential (and OAuth secret) under `newKey` and re-MACs the audit chain under
    /// the audit key derived from `newKey`, in one transaction (key rotation); each row's key
    /// version goes up by one. Check the chain first (``verifyAuditChain(expectedHead:)``) if you
    /// want to record its state: after this it verifies under `newKey` whatever it was before. Returns a store that uses `newKey` over the same database; this value
    /// keeps the old key and can no longer open the re-sealed rows.
    ///
    /// Save `newKey` durably *before* calling this: once it commits, only `newKey` opens the credentials.
    /// - Returns: the store using `newKey`, and how many credentials were re-sealed.
    /// - Throws: ``AccessStoreError/credentialTampered(workspaceGid:purpose:)`` if any row fails to open
    ///   with the current key (then nothing changes).
    public func resealCredentials(with newKey: MasterKey, at: Date) async throws -> (store: SQLiteAccessStore, count: Int) {
        let oldSealer = CredentialSealer(masterKey: masterKey)
        let newSealer = CredentialSealer(masterKey: newKey)
        let now = UnixMillis.from(at)
        let count = try await dbWriter.write { db -> Int in
            let rows = try Row.fetchAll(db, sql: "SELECT workspaceGid, purpose, kind, sealed, keyVersion FROM credential")
            for row in rows {
                let workspaceGid: String = row["workspaceGid"]
                guard let purpose = CredentialPurpose(rawValue: row["purpose"]) else { continue }
                guard let kind = CredentialKind(rawValue: row["kind"]),
                      let sealed = row["sealed"] as Data?,
                      let keyVersion = row["keyVersion"] as Int? else {
                    throw AccessStoreError.credentialTampered(workspaceGid: workspaceGid, purpose: purpose)
                }
                let secret = try oldSealer.open(sealed, workspaceGid: workspaceGid, purpose: purpose, kind: kind, keyVersion: keyVersion)
                let resealed = try newSealer.seal(secret, workspaceGid: workspaceGid, purpose: purpose, kind: kind, keyVersion: keyVersion + 1)
                try db.execute(
                    sql: "UPDATE credential SET sealed = ?, keyVersion = ?, updatedAt = ? WHERE workspaceGid = ? AND purpose = ?",
                    arguments: [resealed, keyVersion + 1, now, workspaceGid, purpose.rawValue])
            }
            try Self.resealOAuthSecrets(db, from: oldSealer, to: newSealer)
            // The audit chain's MACs derive from the master key: re-MAC them under the new one here, so
            // the chain verifies with whichever key the database is bound to after this commits.
            _ = try AuditChain.rechain(db, from: .keyed(AuditChain.auditKey(masterKey)), to: AuditChain.auditKey(newKey))
            try MasterKeyCheck.write(db, key: newKey, at: at)
            return rows.count
        }
        return (try SQLiteAccessStore(writer: dbWriter.writer, masterKey: newKey, path: path), count)
    }
}
