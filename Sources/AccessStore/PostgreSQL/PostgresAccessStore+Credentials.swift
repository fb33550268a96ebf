import AccessProtocol
import Foundation
import Logging
import PostgresNIO

/// Sealed Asana credentials in PostgreSQL: the same sealing (``CredentialSealer``: AES-256-GCM under the master key,
/// bound to workspace, purpose, kind and key version) and the same answers as the SQLite store.
extension PostgresAccessStore {
    @discardableResult
    public func putCredential(workspaceGid: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String,
                              fingerprintOf: String?, at: Date) async throws -> CredentialSummary {
        // Without a precondition the write always happens.
        try await writeCredential(workspaceGid: workspaceGid, purpose: purpose, kind: kind, secret: secret,
                                  fingerprintOf: fingerprintOf, onlyIfFingerprint: nil, at: at)!
    }

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
        let logger = self.logger
        return try await database.write { connection -> CredentialSummary? in
            if let onlyIfFingerprint {
                // FOR UPDATE: a concurrent replacement on another replica waits, then sees the new fingerprint.
                let current = try await connection.query("""
                    SELECT fingerprint FROM credential WHERE workspace_gid = \(workspaceGid) AND purpose = \(purpose.rawValue) FOR UPDATE
                    """, logger: logger).collect().first.map { try $0.get("fingerprint", as: String.self) }
                guard current == onlyIfFingerprint else { return nil }
            }
            // New seals take the key version of the rows already there.
            let keyVersion = try await Self.currentKeyVersion(connection, logger: logger)
            let sealed = try sealer.seal(secret, workspaceGid: workspaceGid, purpose: purpose, kind: kind, keyVersion: keyVersion)
            let rows = try await connection.query("""
                INSERT INTO credential (workspace_gid, purpose, kind, sealed, key_version, fingerprint, created_at, updated_at)
                VALUES (\(workspaceGid), \(purpose.rawValue), \(kind.rawValue), \(sealed), \(keyVersion), \(fingerprint), \(now), \(now))
                ON CONFLICT (workspace_gid, purpose) DO UPDATE SET
                    kind = excluded.kind, sealed = excluded.sealed, key_version = excluded.key_version,
                    fingerprint = excluded.fingerprint, updated_at = excluded.updated_at,
                    state = 'active', state_reason = NULL, state_changed_at = NULL
                RETURNING created_at
                """, logger: logger).collect()
            let createdAt = try rows.first?.get("created_at", as: Int64.self) ?? now
            return CredentialSummary(
                workspaceGid: workspaceGid, purpose: purpose, kind: kind, fingerprint: fingerprint,
                createdAt: UnixMillis.date(createdAt), updatedAt: UnixMillis.date(now))
        }
    }

    /// The key version new seals take: the highest of the stored credentials, OAuth secrets and pending verifiers,
    /// or the initial one.
    static func currentKeyVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            SELECT greatest((SELECT max(key_version) FROM credential), (SELECT max(key_version) FROM oauth_client),
                            (SELECT max(key_version) FROM oauth_flow)) AS version
            """, logger: logger).collect()
        return try rows.first?.get("version", as: Int?.self) ?? CredentialSealer.initialKeyVersion
    }

    @discardableResult
    public func markCredentialReauthorizationRequired(workspaceGid: String, purpose: CredentialPurpose, fingerprint: String,
                                                      reason: String, at: Date) async throws -> Bool {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("""
                UPDATE credential SET state = 'reauthorizationRequired', state_reason = \(reason), state_changed_at = \(UnixMillis.from(at))
                WHERE workspace_gid = \(workspaceGid) AND purpose = \(purpose.rawValue) AND fingerprint = \(fingerprint)
                RETURNING 1
                """, logger: logger).collect().count > 0
        }
    }

    public func credentialSummaries() async throws -> [CredentialSummary] {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.credentialColumns) FROM credential ORDER BY workspace_gid, purpose",
                logger: logger
            ).collect().compactMap { try Self.credentialSummary($0) }
        }
    }

    public func openCredentialWithSummary(workspaceGid: String, purpose: CredentialPurpose) async throws -> (summary: CredentialSummary, secret: String)? {
        let logger = self.logger
        let stored = try await database.read { connection -> (summary: CredentialSummary?, sealed: Data, keyVersion: Int)? in
            try await connection.query("""
                SELECT \(unescaped: Self.credentialColumns), sealed, key_version FROM credential
                WHERE workspace_gid = \(workspaceGid) AND purpose = \(purpose.rawValue)
                """, logger: logger).collect().first.map { row in
                (try Self.credentialSummary(row), try row.get("sealed", as: Data.self), try row.get("key_version", as: Int.self))
            }
        }
        guard let stored else { return nil }
        guard let summary = stored.summary else {
            throw AccessStoreError.credentialTampered(workspaceGid: workspaceGid, purpose: purpose)
        }
        let secret = try CredentialSealer(masterKey: masterKey)
            .open(stored.sealed, workspaceGid: workspaceGid, purpose: purpose, kind: summary.kind, keyVersion: stored.keyVersion)
        return (summary, secret)
    }

    @discardableResult
    public func deleteCredential(workspaceGid: String, purpose: CredentialPurpose) async throws -> Bool {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("""
                DELETE FROM credential WHERE workspace_gid = \(workspaceGid) AND purpose = \(purpose.rawValue) RETURNING 1
                """, logger: logger).collect().count > 0
        }
    }

    static let credentialColumns = "workspace_gid, purpose, kind, fingerprint, created_at, updated_at, state, state_reason"

    /// A summary from a row of ``credentialColumns``; nil when the purpose or kind is not one this build knows.
    static func credentialSummary(_ row: PostgresRow) throws -> CredentialSummary? {
        guard let purpose = CredentialPurpose(rawValue: try row.get("purpose", as: String.self)),
              let kind = CredentialKind(rawValue: try row.get("kind", as: String.self)) else { return nil }
        return CredentialSummary(
            workspaceGid: try row.get("workspace_gid"), purpose: purpose, kind: kind,
            fingerprint: try row.get("fingerprint"),
            createdAt: UnixMillis.date(try row.get("created_at", as: Int64.self)),
            updatedAt: UnixMillis.date(try row.get("updated_at", as: Int64.self)),
            state: CredentialState(rawValue: try row.get("state", as: String.self)) ?? .active,
            stateReason: try row.get("state_reason", as: String?.self))
    }
}
