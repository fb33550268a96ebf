import AccessProtocol
import Foundation
import PostgresNIO

/// OAuth apps and pending authorizations in PostgreSQL, sealed like the SQLite store's. A pending authorization is
/// taken once across all replicas (`DELETE … RETURNING`); the cap on pending ones holds across replicas because
/// inserts take a transaction-scoped advisory lock.
extension PostgresAccessStore {
    /// The advisory lock key that serializes inserts of pending authorizations ("asana-access oauth").
    static let oauthFlowLockKey: Int64 = 0x6173_616e_6f61_7574

    @discardableResult
    public func putOAuthClient(clientId: String, secret: String, at: Date) async throws -> OAuthClientSummary {
        try OAuthClientSummary.checkNew(clientId: clientId, secret: secret)
        let sealer = CredentialSealer(masterKey: masterKey)
        let fingerprint = CredentialSealer.fingerprint(of: secret)
        let now = UnixMillis.from(at)
        let logger = self.logger
        return try await database.write { connection in
            let keyVersion = try await Self.currentKeyVersion(connection, logger: logger)
            let sealed = try sealer.seal(secret, associatedData: CredentialSealer.oauthClientAssociatedData(clientId: clientId, keyVersion: keyVersion))
            let rows = try await connection.query("""
                INSERT INTO oauth_client (client_id, sealed, key_version, fingerprint, created_at, updated_at)
                VALUES (\(clientId), \(sealed), \(keyVersion), \(fingerprint), \(now), \(now))
                ON CONFLICT (client_id) DO UPDATE SET
                    sealed = excluded.sealed, key_version = excluded.key_version, fingerprint = excluded.fingerprint,
                    updated_at = excluded.updated_at
                RETURNING created_at
                """, logger: logger).collect()
            let createdAt = try rows.first?.get("created_at", as: Int64.self) ?? now
            return OAuthClientSummary(clientId: clientId, fingerprint: fingerprint, createdAt: UnixMillis.date(createdAt), updatedAt: UnixMillis.date(now))
        }
    }

    public func oauthClientSummaries() async throws -> [OAuthClientSummary] {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query(
                "SELECT client_id, fingerprint, created_at, updated_at FROM oauth_client ORDER BY client_id", logger: logger
            ).collect().map { row in
                OAuthClientSummary(
                    clientId: try row.get("client_id"), fingerprint: try row.get("fingerprint"),
                    createdAt: UnixMillis.date(try row.get("created_at", as: Int64.self)),
                    updatedAt: UnixMillis.date(try row.get("updated_at", as: Int64.self)))
            }
        }
    }

    public func openOAuthClientSecret(clientId: String) async throws -> String? {
        let logger = self.logger
        let stored = try await database.read { connection -> (sealed: Data, keyVersion: Int)? in
            try await connection.query(
                "SELECT sealed, key_version FROM oauth_client WHERE client_id = \(clientId)", logger: logger
            ).collect().first.map { row in (try row.get("sealed", as: Data.self), try row.get("key_version", as: Int.self)) }
        }
        guard let stored else { return nil }
        guard let secret = CredentialSealer(masterKey: masterKey)
            .open(stored.sealed, associatedData: CredentialSealer.oauthClientAssociatedData(clientId: clientId, keyVersion: stored.keyVersion))
        else { throw AccessStoreError.oauthClientTampered(clientId: clientId) }
        return secret
    }

    @discardableResult
    public func deleteOAuthClient(clientId: String) async throws -> Bool {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query(
                "DELETE FROM oauth_client WHERE client_id = \(clientId) RETURNING 1", logger: logger).collect().count > 0
        }
    }

    public func insertOAuthFlow(_ flow: OAuthFlow) async throws {
        guard !flow.state.isEmpty else { throw AccessStoreError.invalidArgument("the OAuth state is empty") }
        let sealer = CredentialSealer(masterKey: masterKey)
        let stateHash = SQLiteAccessStore.oauthStateHash(flow.state)
        let logger = self.logger
        try await database.write { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.oauthFlowLockKey))", logger: logger)
            try await connection.query(
                "DELETE FROM oauth_flow WHERE expires_at <= \(UnixMillis.from(flow.createdAt))", logger: logger)
            let pending = try await connection.query("SELECT count(*) AS n FROM oauth_flow", logger: logger)
                .collect().first?.get("n", as: Int64.self) ?? 0
            guard pending < StoreLimits.maxPendingOAuthFlows else {
                throw AccessStoreError.invalidArgument("\(StoreLimits.maxPendingOAuthFlows) OAuth authorizations are already waiting to be finished; finish them or let them expire")
            }
            let keyVersion = try await Self.currentKeyVersion(connection, logger: logger)
            let sealed = try sealer.seal(flow.codeVerifier, associatedData: CredentialSealer.oauthFlowAssociatedData(stateHash: stateHash, keyVersion: keyVersion))
            let inserted = try await connection.query("""
                INSERT INTO oauth_flow (state_hash, workspace, purpose, client_id, redirect_uri, scopes, sealed_verifier, key_version,
                                        principal, created_at, expires_at)
                VALUES (\(stateHash), \(flow.workspace), \(flow.purpose.rawValue), \(flow.clientId), \(flow.redirectUri),
                        \(flow.scopes.joined(separator: " ")), \(sealed), \(keyVersion), \(flow.principal),
                        \(UnixMillis.from(flow.createdAt)), \(UnixMillis.from(flow.expiresAt)))
                ON CONFLICT (state_hash) DO NOTHING RETURNING 1
                """, logger: logger).collect().count
            guard inserted == 1 else { throw AccessStoreError.invalidArgument("this OAuth state is already pending") }
        }
    }

    public func takeOAuthFlow(state: String, at: Date) async throws -> OAuthFlow? {
        let stateHash = SQLiteAccessStore.oauthStateHash(state)
        let logger = self.logger
        // Deleted and returned in one statement: of two replicas taking the same state, one gets the row.
        let row = try await database.write { connection in
            try await connection.query("""
                DELETE FROM oauth_flow WHERE state_hash = \(stateHash)
                RETURNING workspace, purpose, client_id, redirect_uri, scopes, sealed_verifier, key_version, principal, created_at, expires_at
                """, logger: logger).collect().first.map { row in
                (workspace: try row.get("workspace", as: String.self), purpose: try row.get("purpose", as: String.self),
                 clientId: try row.get("client_id", as: String.self), redirectUri: try row.get("redirect_uri", as: String.self),
                 scopes: try row.get("scopes", as: String.self), sealed: try row.get("sealed_verifier", as: Data.self),
                 keyVersion: try row.get("key_version", as: Int.self), principal: try row.get("principal", as: String.self),
                 createdAt: try row.get("created_at", as: Int64.self), expiresAt: try row.get("expires_at", as: Int64.self))
            }
        }
        guard let row else { return nil }
        let expiresAt = UnixMillis.date(row.expiresAt)
        guard expiresAt > at else { return nil }
        guard let purpose = CredentialPurpose(rawValue: row.purpose),
              let verifier = CredentialSealer(masterKey: masterKey)
                .open(row.sealed, associatedData: CredentialSealer.oauthFlowAssociatedData(stateHash: stateHash, keyVersion: row.keyVersion))
        else { throw AccessStoreError.invalidArgument("the pending OAuth authorization cannot be opened (altered, or sealed under another key); start again") }
        return OAuthFlow(state: state, workspace: row.workspace, purpose: purpose, clientId: row.clientId, redirectUri: row.redirectUri,
                         scopes: row.scopes.split(separator: " ").map(String.init), codeVerifier: verifier, principal: row.principal,
                         createdAt: UnixMillis.date(row.createdAt), expiresAt: expiresAt)
    }
}
