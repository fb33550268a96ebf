import AccessProtocol
import AccessStore
import Foundation
import LineRPC

/// The admin actions, one use case each: the RPC method table and `asana-accessd`'s offline commands
/// (`credentials`, `tokens`, `oauth-client`) both call these, so both doors check, store and audit alike.
/// Every change is audited under the RPC method's name (`putCredential`, `createToken`, …) with the
/// caller's principal: `cert:<CN>` or `token:<name>` over RPC, ``localPrincipal(userName:)`` offline.
extension AccessService {
    /// The principal of an offline command run on the server host by the operating-system user `userName`: `local:<userName>`.
    public static func localPrincipal(userName: String = ProcessInfo.processInfo.userName) -> String {
        "local:\(userName)"
    }

    /// What ``putCredential(_:principal:)`` stored, and what the connection test found.
    public struct StoredCredential: Sendable, Equatable {
        /// The stored credential (the RPC answer of `putCredential`).
        public var summary: CredentialSummary
        /// The connection test's result; nil when `check` was `false`.
        public var checks: TestCredential.Result?
        /// `passed`, `forced` (stored with `force` although the `admin` check failed) or `skipped` (`check: false`);
        /// also the `checks` member of the audit event's params.
        public var checked: String
    }

    /// `putCredential`: checks `params.secret` against Asana (the connection test of ``CredentialChecker``,
    /// reads only) unless `params.check` is `false`, then seals and stores it for (workspace, purpose),
    /// replacing the old one, audits `putCredential` with `principal`, clears the workspace-name memory and
    /// resumes a paused schedule.
    ///
    /// A workspace name is resolved with the secret itself; with `check: false` nothing is asked of Asana,
    /// so the workspace must be a gid.
    /// - Throws: `-32602` (`workspace`: not a gid with `check: false`; `secret`: empty or more than one line);
    ///   `workspace.unknown_name`, `workspace.ambiguous_name`, `upstream.*` while resolving a name;
    ///   `credential.checks_failed` (1007) when a check failed that `force` does not cover (only a failed
    ///   `admin` check of a `provision` credential is covered); nothing is stored then.
    public func putCredential(_ params: PutCredential.Params, principal: String?) async throws -> StoredCredential {
        guard !params.secret.trimmingCharacters(in: .whitespaces).isEmpty, !params.secret.contains(where: \.isNewline) else {
            throw RPCError.invalidParams("Invalid params: \"secret\" must be one non-blank line", field: "secret")
        }
        let workspace: String
        var checks: TestCredential.Result?
        let checked: String
        if params.check == false {
            guard try !Self.isName(params.workspace, field: "workspace") else {
                throw RPCError.invalidParams("Invalid params: with \"check\": false the workspace must be a gid (1 to 32 digits): a name can only be resolved by asking Asana", field: "workspace")
            }
            workspace = params.workspace
            checked = "skipped"
        } else {
            workspace = try await resolveWorkspace(params.workspace, token: params.secret)
            let result = await CredentialChecker(asana: asana).run(workspace: workspace, purpose: params.purpose, token: params.secret)
            checks = result
            let failures = result.failures
            if failures.isEmpty {
                checked = "passed"
            } else if params.force == true, params.purpose == .provision, failures.allSatisfy({ $0.name == "admin" }) {
                checked = "forced"
            } else {
                throw AccessError.credentialChecksFailed(result)
            }
        }
        let summary = try await store.putCredential(workspaceGid: workspace, purpose: params.purpose, kind: params.kind, secret: params.secret, at: now())
        try await audit(principal: principal, method: PutCredential.name,
                        params: ["workspace": workspace, "purpose": params.purpose.rawValue, "kind": params.kind.rawValue, "checks": checked],
                        result: summary, outcome: "ok")
        await workspaceNames.clear()
        await schedule.credentialStored(workspace: workspace, at: now())
        return StoredCredential(summary: summary, checks: checks, checked: checked)
    }

    /// `deleteCredential`: revokes an OAuth credential's grant at Asana (``revokeOAuthGrant(workspace:purpose:)``;
    /// a failure there does not stop the delete), deletes the credential, audits `deleteCredential` with
    /// `principal` (outcome `ok` or `not_found`) and clears the workspace-name memory.
    /// - Returns: `{done, revokedAtAsana}`: `done` is `false` when no such credential was stored.
    /// - Throws: `-32602`, `workspace.unknown_name`, `workspace.ambiguous_name`, `upstream.*` for a name.
    public func deleteCredential(_ params: CredentialKey, principal: String?) async throws -> DeleteCredential.Result {
        var params = params
        params.workspace = try await resolveWorkspace(params.workspace)
        let revoked = await revokeOAuthGrant(workspace: params.workspace, purpose: params.purpose)
        let result = DeleteCredential.Result(done: try await store.deleteCredential(workspaceGid: params.workspace, purpose: params.purpose), revokedAtAsana: revoked)
        try await audit(principal: principal, method: DeleteCredential.name, params: params, result: result, outcome: result.done ? "ok" : "not_found")
        await workspaceNames.clear()
        return result
    }

    /// `listCredentials`: every stored credential, fingerprints only, by workspace and purpose.
    public func listCredentials() async throws -> [CredentialSummary] {
        try await store.credentialSummaries()
    }

    /// `createToken`: makes an API token and audits `createToken` with `principal` (the params, never the token text).
    /// - Returns: the token text (`aat_<id>_<secret>`, shown this once) and its summary.
    /// - Throws: `-32602` naming `name` (bad or taken) or the expiry field (see ``tokenExpiry(_:now:)``).
    public func createToken(_ params: CreateToken.Params, principal: String?) async throws -> CreateToken.Result {
        let createdAt = now()
        let expiresAt = try Self.tokenExpiry(params, now: createdAt)
        let created: (token: String, summary: APITokenSummary)
        do {
            created = try await store.createAPIToken(name: params.name, role: params.role, at: createdAt, expiresAt: expiresAt)
        } catch let error as AccessStoreError where !error.isStorageFailure {
            throw RPCError.invalidParams("Invalid params: \(error)", field: "name")
        }
        try await audit(principal: principal, method: CreateToken.name, params: params, result: created.summary, outcome: "ok")
        return CreateToken.Result(token: created.token, summary: created.summary)
    }

    /// `listTokens`: every API token by name, never the token text.
    public func listTokens() async throws -> [APITokenSummary] {
        try await store.apiTokens()
    }

    /// `revokeToken`: revokes the active token `params.name` (connections of this server authenticated with it
    /// lose their identity on their next call) and audits `revokeToken` (outcome `ok` or `not_found`).
    /// - Returns: `{done}`: `false` when no active token has that name.
    public func revokeToken(_ params: RevokeToken.Params, principal: String?) async throws -> Done {
        let done = Done(done: try await store.revokeAPIToken(name: params.name, at: now()))
        if done.done { revokedTokens.record(params.name) }
        try await audit(principal: principal, method: RevokeToken.name, params: params, result: done, outcome: done.done ? "ok" : "not_found")
        return done
    }

    /// `putOAuthClient`: seals and stores an OAuth app's client secret (replacing the old one) and audits
    /// `putOAuthClient` with the client id only.
    /// - Throws: `-32602` naming `clientId` or `clientSecret` (1 to 512 bytes, no control characters).
    public func putOAuthClient(_ params: PutOAuthClient.Params, principal: String?) async throws -> OAuthClientSummary {
        try Self.checkOAuthText(params.clientId, field: "clientId")
        try Self.checkOAuthText(params.clientSecret, field: "clientSecret")
        let summary = try await store.putOAuthClient(clientId: params.clientId, secret: params.clientSecret, at: now())
        try await audit(principal: principal, method: PutOAuthClient.name, params: ["clientId": params.clientId], result: summary, outcome: "ok")
        return summary
    }

    /// `listOAuthClients`: stored OAuth apps, client ids and secret fingerprints.
    public func listOAuthClients() async throws -> [OAuthClientSummary] {
        try await store.oauthClientSummaries()
    }

    /// `deleteOAuthClient`: deletes a stored OAuth app and audits `deleteOAuthClient` (outcome `ok` or `not_found`).
    /// - Returns: `{done}`: `false` when no app with that client id was stored.
    /// - Throws: `-32602` naming `clientId`.
    public func deleteOAuthClient(_ params: DeleteOAuthClient.Params, principal: String?) async throws -> Done {
        try Self.checkOAuthText(params.clientId, field: "clientId")
        let done = Done(done: try await store.deleteOAuthClient(clientId: params.clientId))
        try await audit(principal: principal, method: DeleteOAuthClient.name, params: params, result: done, outcome: done.done ? "ok" : "not_found")
        return done
    }
}

extension AccessService {
    /// Audits a master-key rotation (`asana-accessd rotate-key`, offline only: there is no RPC method) as
    /// `rotateKey`: params `{oldKey}`, result `{newKey, credentials, previousChain}` (all strings), outcome
    /// `ok`, or `chain_was_broken` when the chain was already broken before it was re-MACed.
    /// - Parameters:
    ///   - oldKey, newKey: the keys' fingerprints; `credentials`: how many were re-sealed;
    ///     `previousChain`: what verifying the chain under the old key found.
    public func recordKeyRotation(oldKey: String, newKey: String, credentials: Int, previousChain: String, chainWasIntact: Bool, principal: String) async throws {
        try await audit(principal: principal, method: "rotateKey", params: ["oldKey": oldKey],
                        result: ["newKey": newKey, "credentials": String(credentials), "previousChain": previousChain],
                        outcome: chainWasIntact ? "ok" : "chain_was_broken")
    }

    /// One line of `asana-accessd audit export`: the event as the RPC's `listAuditEvents` encodes it
    /// (sorted keys; `at` as `yyyy-MM-ddTHH:mm:ss.SSSZ`, the very millisecond that is stored and MACed;
    /// `prevHash` and `hash` in hex), followed by LF.
    /// - Throws: `EncodingError` (not expected for a stored event).
    public static func auditExportLine(_ event: AuditEvent) throws -> Data {
        var line = try JSONEncoder.protocolEncoder().encode(event)
        line.append(UInt8(ascii: "\n"))
        return line
    }
}
