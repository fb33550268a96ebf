import AccessProtocol
import Crypto
import Foundation
import GRDB

extension SQLiteAccessStore {
    // MARK: - OAuth apps

    /// Seals and stores the client secret of the OAuth app `clientId`, replacing any previous one.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty client id or secret, one over 512 bytes, or a
    ///   client id with a control character (SQLite text would end at a NUL).
    @discardableResult
    public func putOAuthClient(clientId: String, secret: String, at: Date) async throws -> OAuthClientSummary {
        try OAuthClientSummary.checkNew(clientId: clientId, secret: secret)
        let sealer = CredentialSealer(masterKey: masterKey)
        let fingerprint = CredentialSealer.fingerprint(of: secret)
        let now = UnixMillis.from(at)
        return try await dbWriter.write { db in
            let keyVersion = try Self.currentKeyVersion(db)
            let sealed = try sealer.seal(secret, associatedData: CredentialSealer.oauthClientAssociatedData(clientId: clientId, keyVersion: keyVersion))
            try db.execute(
                sql: """
                    INSERT INTO oauthClient (clientId, sealed, keyVersion, fingerprint, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (clientId) DO UPDATE SET
                        sealed = excluded.sealed, keyVersion = excluded.keyVersion, fingerprint = excluded.fingerprint, updatedAt = excluded.updatedAt
                    """,
                arguments: [clientId, sealed, keyVersion, fingerprint, now, now])
            let createdAt = try Int64.fetchOne(db, sql: "SELECT createdAt FROM oauthClient WHERE clientId = ?", arguments: [clientId]) ?? now
            return OAuthClientSummary(clientId: clientId, fingerprint: fingerprint, createdAt: UnixMillis.date(createdAt), updatedAt: UnixMillis.date(now))
        }
    }

    /// Every stored OAuth app, by client id. No secret is opened.
    public func oauthClientSummaries() async throws -> [OAuthClientSummary] {
        try await dbWriter.read { db in
            try Row.fetchAll(db, sql: "SELECT clientId, fingerprint, createdAt, updatedAt FROM oauthClient ORDER BY clientId").map { row in
                OAuthClientSummary(clientId: row["clientId"], fingerprint: row["fingerprint"],
                                   createdAt: UnixMillis.date(row["createdAt"] as Int64), updatedAt: UnixMillis.date(row["updatedAt"] as Int64))
            }
        }
    }

    /// The client secret of `clientId`, or nil when none is stored.
    /// - Throws: ``AccessStoreError/oauthClientTampered(clientId:)`` when AES-GCM refuses the row.
    public func openOAuthClientSecret(clientId: String) async throws -> String? {
        let stored = try await dbWriter.read { db -> (sealed: Data?, keyVersion: Int?)? in
            try Row.fetchOne(db, sql: "SELECT sealed, keyVersion FROM oauthClient WHERE clientId = ?", arguments: [clientId])
                .map { row in (row["sealed"] as Data?, row["keyVersion"] as Int?) }
        }
        guard let stored else { return nil }
        guard let sealed = stored.sealed, let keyVersion = stored.keyVersion,
              let secret = CredentialSealer(masterKey: masterKey)
                .open(sealed, associatedData: CredentialSealer.oauthClientAssociatedData(clientId: clientId, keyVersion: keyVersion))
        else { throw AccessStoreError.oauthClientTampered(clientId: clientId) }
        return secret
    }

    /// Deletes the OAuth app `clientId`. Credentials it issued stay, but cannot be refreshed any more.
    /// - Returns: whether a row was deleted.
    @discardableResult
    public func deleteOAuthClient(clientId: String) async throws -> Bool {
        try await dbWriter.write { db in
            try db.execute(sql: "DELETE FROM oauthClient WHERE clientId = ?", arguments: [clientId])
            return db.changesCount > 0
        }
    }

    // MARK: - Pending authorizations

    /// Stores a started authorization. Expired flows are dropped first.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when ``StoreLimits/maxPendingOAuthFlows`` unexpired flows are
    ///   already waiting, or the state is empty or already pending.
    public func insertOAuthFlow(_ flow: OAuthFlow) async throws {
        guard !flow.state.isEmpty else { throw AccessStoreError.invalidArgument("the OAuth state is empty") }
        let sealer = CredentialSealer(masterKey: masterKey)
        let stateHash = Self.oauthStateHash(flow.state)
        try await dbWriter.write { db in
            try db.execute(sql: "DELETE FROM oauthFlow WHERE expiresAt <= ?", arguments: [UnixMillis.from(flow.createdAt)])
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM oauthFlow") ?? 0
            guard pending < StoreLimits.maxPendingOAuthFlows else {
                throw AccessStoreError.invalidArgument("\(StoreLimits.maxPendingOAuthFlows) OAuth authorizations are already waiting to be finished; finish them or let them expire")
            }
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM oauthFlow WHERE stateHash = ?", arguments: [stateHash]) == nil else {
                throw AccessStoreError.invalidArgument("this OAuth state is already pending")
            }
            let keyVersion = try Self.currentKeyVersion(db)
            let sealed = try sealer.seal(flow.codeVerifier, associatedData: CredentialSealer.oauthFlowAssociatedData(stateHash: stateHash, keyVersion: keyVersion))
            try db.execute(
                sql: """
                    INSERT INTO oauthFlow (stateHash, workspace, purpose, clientId, redirectUri, scopes, sealedVerifier, keyVersion, principal, createdAt, expiresAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [stateHash, flow.workspace, flow.purpose.rawValue, flow.clientId, flow.redirectUri, flow.scopes.joined(separator: " "),
                            sealed, keyVersion, flow.principal, UnixMillis.from(flow.createdAt), UnixMillis.from(flow.expiresAt)])
        }
    }

    /// Removes and returns the authorization started with `state`: a state can be finished once.
    /// - Returns: nil when no flow has this state, or it expired at `at` (an expired one is removed too).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when its sealed verifier fails to open (the row is removed).
    public func takeOAuthFlow(state: String, at: Date) async throws -> OAuthFlow? {
        let stateHash = Self.oauthStateHash(state)
        let row = try await dbWriter.write { db -> PendingOAuthFlow? in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM oauthFlow WHERE stateHash = ?", arguments: [stateHash]).map(PendingOAuthFlow.init)
            try db.execute(sql: "DELETE FROM oauthFlow WHERE stateHash = ?", arguments: [stateHash])
            return row
        }
        guard let row else { return nil }
        let expiresAt = UnixMillis.date(row.expiresAt)
        guard expiresAt > at else { return nil }
        guard let sealed = row.sealedVerifier, let keyVersion = row.keyVersion,
              let purpose = CredentialPurpose(rawValue: row.purpose),
              let verifier = CredentialSealer(masterKey: masterKey)
                .open(sealed, associatedData: CredentialSealer.oauthFlowAssociatedData(stateHash: stateHash, keyVersion: keyVersion))
        else { throw AccessStoreError.invalidArgument("the pending OAuth authorization cannot be opened (altered, or sealed under another key); start again") }
        let scopes = row.scopes.split(separator: " ").map(String.init)
        return OAuthFlow(state: state, workspace: row.workspace, purpose: purpose, clientId: row.clientId, redirectUri: row.redirectUri,
                         scopes: scopes, codeVerifier: verifier, principal: row.principal,
                         createdAt: UnixMillis.date(row.createdAt), expiresAt: expiresAt)
    }

    /// An `oauthFlow` row as read, before its verifier is opened (a GRDB row does not leave its transaction).
    private struct PendingOAuthFlow: Sendable {
        var workspace: String
        var purpose: String
        var clientId: String
        var redirectUri: String
        var scopes: String
        var sealedVerifier: Data?
        var keyVersion: Int?
        var principal: String
        var createdAt: Int64
        var expiresAt: Int64

        init(_ row: Row) {
            workspace = row["workspace"]
            purpose = row["purpose"]
            clientId = row["clientId"]
            redirectUri = row["redirectUri"]
            scopes = row["scopes"]
            sealedVerifier = row["sealedVerifier"]
            keyVersion = row["keyVersion"]
            principal = row["principal"]
            createdAt = row["createdAt"]
            expiresAt = row["expiresAt"]
        }
    }

    // MARK: - Support

    /// Lowercase hex SHA-256 of the state's UTF-8 bytes: the key of a pending flow.
    static func oauthStateHash(_ state: String) -> String {
        SHA256.hash(data: Array(state.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The key version new seals use: that of the credentials already stored (raised by key rotation).
    static func currentKeyVersion(_ db: Database) throws -> Int {
        let versions = try Int?.fetchAll(db, sql: """
            SELECT max(keyVersion) FROM credential UNION ALL SELECT max(keyVersion) FROM oauthClient
            UNION ALL SELECT max(keyVersion) FROM oauthFlow
            """)
        return versions.compactMap { $0 }.max() ?? CredentialSealer.initialKeyVersion
    }

    /// Re-seals every OAuth client secret and pending verifier from `old` to `new` (key rotation), raising
    /// each row's key version by one. A row that does not open with `old` fails the rotation.
    static func resealOAuthSecrets(_ db: Database, from old: CredentialSealer, to new: CredentialSealer) throws {
        for row in try Row.fetchAll(db, sql: "SELECT clientId, sealed, keyVersion FROM oauthClient") {
            let clientId: String = row["clientId"]
            let keyVersion: Int = row["keyVersion"]
            guard let secret = old.open(row["sealed"], associatedData: CredentialSealer.oauthClientAssociatedData(clientId: clientId, keyVersion: keyVersion))
            else { throw AccessStoreError.oauthClientTampered(clientId: clientId) }
            let sealed = try new.seal(secret, associatedData: CredentialSealer.oauthClientAssociatedData(clientId: clientId, keyVersion: keyVersion + 1))
            try db.execute(sql: "UPDATE oauthClient SET sealed = ?, keyVersion = ? WHERE clientId = ?", arguments: [sealed, keyVersion + 1, clientId])
        }
        for row in try Row.fetchAll(db, sql: "SELECT stateHash, sealedVerifier, keyVersion FROM oauthFlow") {
            let stateHash: String = row["stateHash"]
            let keyVersion: Int = row["keyVersion"]
            guard let verifier = old.open(row["sealedVerifier"], associatedData: CredentialSealer.oauthFlowAssociatedData(stateHash: stateHash, keyVersion: keyVersion)) else {
                // A pending authorization that cannot be opened is useless: drop it rather than fail the rotation.
                try db.execute(sql: "DELETE FROM oauthFlow WHERE stateHash = ?", arguments: [stateHash])
                continue
            }
            let sealed = try new.seal(verifier, associatedData: CredentialSealer.oauthFlowAssociatedData(stateHash: stateHash, keyVersion: keyVersion + 1))
            try db.execute(sql: "UPDATE oauthFlow SET sealedVerifier = ?, keyVersion = ? WHERE stateHash = ?", arguments: [sealed, keyVersion + 1, stateHash])
        }
    }
}
