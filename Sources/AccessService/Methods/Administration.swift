import AccessProtocol
import AccessStore
import Foundation
import LineRPC

// Admin methods for tokens, credentials, sync runs and the audit log. Secrets go in, never out:
// answers carry fingerprints, and audit events carry params with the secret removed.

/// Params of `createToken`.
public struct CreateTokenParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["name", "role", "expiresIn", "expiresAt"]
    /// 1–64 characters of `A-Z a-z 0-9 . _ -`, unique.
    public var name: String
    public var role: AccessRole
    /// Lifetime from now: `Nd`, `Nh` or `Nm` (days, hours, minutes), e.g. `90d`; at most one of `expiresIn`/`expiresAt`.
    public var expiresIn: String?
    /// ISO 8601 date-time at which the token stops verifying (e.g. `2026-01-31T00:00:00Z`).
    public var expiresAt: String?
}

/// The answer to `createToken`: the token text appears here once and is never shown again.
public struct CreatedToken: Codable, Sendable {
    public var token: String
    public var summary: APITokenSummary
}

/// Params naming a token.
public struct TokenNameParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["name"]
    public var name: String
}

/// Params of `putCredential`.
public struct PutCredentialParams: RPCParams {
    public static let memberNames: Set<String> = ["workspace", "purpose", "kind", "secret"]
    /// Workspace gid or exact name; a name is resolved with `secret` itself.
    public var workspace: String
    public var purpose: CredentialPurpose
    public var kind: CredentialKind
    /// The Asana token; sealed at once, never logged, never returned.
    public var secret: String
}

/// Params naming a credential.
public struct CredentialKeyParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["workspace", "purpose"]
    public var workspace: String
    public var purpose: CredentialPurpose
}

/// Params of `listSyncRuns`.
public struct ListSyncRunsParams: RPCParams {
    public static let memberNames: Set<String> = ["workspace", "limit"]
    /// Only runs of this workspace (gid or exact name).
    public var workspace: String?
    /// 1–1000, default 50; newest first.
    public var limit: Int?
}

/// Params of `getSyncRun`.
public struct GetSyncRunParams: RPCParams {
    public static let memberNames: Set<String> = ["id"]
    public var id: Int64
}

/// Params of `listAuditEvents`.
public struct ListAuditEventsParams: RPCParams {
    public static let memberNames: Set<String> = ["since", "principal", "method", "limit", "cursor"]
    /// ISO 8601 date-time (e.g. `2025-01-31T09:00:00Z`, fractional seconds allowed): only events at or after it.
    public var since: String?
    /// Only events of this principal (exact match).
    public var principal: String?
    /// Only events of this method (exact match), e.g. `provision`, `credentials.put`.
    public var method: String?
    /// 1–1000, default 100; newest first.
    public var limit: Int?
    /// `nextCursor` of the previous page.
    public var cursor: String?
}

/// The answer to `listAuditEvents`.
public struct AuditEventList: Codable, Sendable {
    /// Newest first.
    public var items: [AuditEvent]
    /// Pass as `cursor` (with the same filters) for the next, older page; absent on the last page.
    public var nextCursor: String?
}

/// A list answer: `{"items": [...]}`.
public struct ItemList<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
}

/// The answer to `deleteCredential`.
public struct DeletedCredential: Codable, Sendable {
    /// Whether a credential was deleted.
    public var done: Bool
    /// For an OAuth credential: whether Asana confirmed revoking its refresh token (and so its access tokens);
    /// `false` when the revocation failed (the credential is deleted anyway: revoke the app in Asana);
    /// `null` for a PAT, which only its owner can revoke in Asana.
    public var revokedAtAsana: Bool?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(done, forKey: .done)
        try container.encode(revokedAtAsana, forKey: .revokedAtAsana)
    }
}

/// A yes/no answer: `{"done": Bool}`.
public struct Done: Codable, Sendable {
    public var done: Bool
}

extension AccessService {
    /// The expiry `createToken` asks for: `expiresIn` (`Nd`/`Nh`/`Nm`) from `now`, or `expiresAt` (ISO 8601), or nil.
    /// - Throws: `-32602` naming the field when both are given, one does not parse, or the expiry is not
    ///   between 1 minute and 3650 days after `now`.
    static func tokenExpiry(_ params: CreateTokenParams, now: Date) throws(RPCError) -> Date? {
        guard let expiry = try requestedTokenExpiry(params, now: now) else { return nil }
        let lifetime = expiry.timeIntervalSince(now)
        guard lifetime >= AccessStore.minimumAPITokenLifetime, lifetime <= AccessStore.maximumAPITokenLifetime else {
            let field = params.expiresIn != nil ? "expiresIn" : "expiresAt"
            throw .invalidParams("Invalid params: \"\(field)\" must put the expiry between 1 minute and 3650 days from now", field: field)
        }
        return expiry
    }

    private static func requestedTokenExpiry(_ params: CreateTokenParams, now: Date) throws(RPCError) -> Date? {
        switch (params.expiresIn, params.expiresAt) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw .invalidParams("Invalid params: give \"expiresIn\" or \"expiresAt\", not both", field: "expiresAt")
        case (let text?, nil):
            guard let lifetime = APITokenLifetime.parse(text) else {
                throw .invalidParams("Invalid params: \"expiresIn\" must be Nd, Nh or Nm (days, hours, minutes), e.g. 90d", field: "expiresIn")
            }
            return now.addingTimeInterval(lifetime)
        case (nil, let text?):
            guard let date = parseISO8601(text) else {
                throw .invalidParams("Invalid params: \"expiresAt\" must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z", field: "expiresAt")
            }
            return date
        }
    }

    func registerAdministration(in table: inout RPCMethodTable) {
        table.register("createToken", summary: "Make an API token with a role; the answer holds the token text, once.", access: Self.access(.admin), params: CreateTokenParams.self) { context, params in
            let created: (token: String, summary: APITokenSummary)
            let createdAt = now()
            let expiresAt = try Self.tokenExpiry(params, now: createdAt)
            do {
                created = try store.createAPIToken(name: params.name, role: params.role, at: createdAt, expiresAt: expiresAt)
            } catch let error as AccessStoreError where !error.isStorageFailure {
                throw RPCError.invalidParams("Invalid params: \(error)", field: "name")
            }
            try audit(principal: context.identity?.principal, method: "createToken", params: params, result: created.summary, outcome: "ok")
            return CreatedToken(token: created.token, summary: created.summary)
        }
        table.register("listTokens", summary: "List API tokens (names, roles, dates; never the token text).", access: Self.access(.admin), params: NoParams.self) { _, _ in
            ItemList(items: try store.apiTokens())
        }
        table.register("revokeToken", summary: "Revoke an API token by name; connections authenticated with it lose their identity on their next call.", access: Self.access(.admin), params: TokenNameParams.self) { context, params in
            let done = Done(done: try store.revokeAPIToken(name: params.name, at: now()))
            if done.done { revokedTokens.record(params.name) }
            try audit(principal: context.identity?.principal, method: "revokeToken", params: params, result: done, outcome: done.done ? "ok" : "not_found")
            return done
        }
        table.register("putCredential", summary: "Seal and store an Asana credential for a workspace and purpose (replaces the old one).", access: Self.access(.admin), params: PutCredentialParams.self) { context, params in
            let workspace = try await resolveWorkspace(params.workspace, token: params.secret)
            let summary = try store.putCredential(workspaceGid: workspace, purpose: params.purpose, kind: params.kind, secret: params.secret, at: now())
            try audit(principal: context.identity?.principal, method: "putCredential",
                      params: ["workspace": workspace, "purpose": params.purpose.rawValue, "kind": params.kind.rawValue],
                      result: summary, outcome: "ok")
            await workspaceNames.clear()
            await schedule.credentialStored(workspace: workspace, at: now())
            return summary
        }
        table.register("testCredential", summary: "Check a stored credential against Asana without writing anything: the token works, the workspace is visible, an admin for provision, each read a sync needs.", access: Self.access(.admin), params: TestCredentialParams.self) { _, params in
            try await testCredential(params)
        }
        table.register("listCredentials", summary: "List stored credentials (fingerprints only, never secrets).", access: Self.access(.admin), params: NoParams.self) { _, _ in
            ItemList(items: try store.credentialSummaries())
        }
        table.register("deleteCredential", summary: "Delete a stored credential; an OAuth one is first revoked at Asana.", access: Self.access(.admin), params: CredentialKeyParams.self) { context, params in
            var params = params
            params.workspace = try await resolveWorkspace(params.workspace)
            let revoked = await revokeOAuthGrant(workspace: params.workspace, purpose: params.purpose)
            let result = DeletedCredential(done: try store.deleteCredential(workspaceGid: params.workspace, purpose: params.purpose), revokedAtAsana: revoked)
            try audit(principal: context.identity?.principal, method: "deleteCredential", params: params, result: result, outcome: result.done ? "ok" : "not_found")
            await workspaceNames.clear()
            return result
        }
        table.register("listSyncRuns", summary: "Recent sync runs, newest first.", access: Self.access(.reader), bulk: true, params: ListSyncRunsParams.self) { _, params in
            let limit = params.limit ?? 50
            guard (1...1000).contains(limit) else { throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and 1000", field: "limit") }
            var workspace: String?
            if let given = params.workspace { workspace = try await resolveWorkspace(given) }
            return ItemList(items: try store.syncRuns(workspaceGid: workspace, limit: limit))
        }
        table.register("getWorkspaceStatus", summary: "One workspace at a glance: stored credentials (fingerprints), the last sync run, the next scheduled sync, whether the schedule is active, paused or disabled, and what the last sync could read.", access: Self.access(.reader), params: WorkspaceStatusParams.self) { _, params in
            try await workspaceStatus(workspace: params.workspace)
        }
        table.register("getSyncRun", summary: "One sync run by id.", access: Self.access(.reader), params: GetSyncRunParams.self) { _, params in
            guard let run = try store.syncRun(id: params.id) else {
                throw RPCError(.syncRunNotFound, message: "No sync run \(params.id)", details: ["id": .integer(params.id)])
            }
            return run
        }
        table.register("listAuditEvents", summary: "Audit events, newest first: who changed what, when, with which result; filters since, principal, method; paged by cursor.", access: Self.access(.admin), bulk: true, params: ListAuditEventsParams.self) { _, params in
            try listAuditEvents(params)
        }
    }

    /// One page of audit events, newest first.
    /// - Throws: `-32602` for a `since` that is not ISO 8601, an empty `principal` or `method`,
    ///   a `limit` outside 1...1000, or a cursor this server did not issue.
    public func listAuditEvents(_ params: ListAuditEventsParams) throws -> AuditEventList {
        let limit = params.limit ?? 100
        guard (1...AuditQuery.maxLimit).contains(limit) else {
            throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and \(AuditQuery.maxLimit)", field: "limit")
        }
        var since: Date?
        if let text = params.since {
            guard let date = Self.parseISO8601(text) else {
                throw RPCError.invalidParams("Invalid params: \"since\" must be an ISO 8601 date-time such as 2025-01-31T09:00:00Z", field: "since")
            }
            since = date
        }
        for (field, value) in [("principal", params.principal), ("method", params.method)] where value?.isEmpty == true {
            throw RPCError.invalidParams("Invalid params: \"\(field)\" is empty", field: field)
        }
        do {
            let page = try store.auditEvents(query: AuditQuery(
                since: since, principal: params.principal, method: params.method, limit: limit, cursor: params.cursor))
            return AuditEventList(items: page.events, nextCursor: page.nextCursor)
        } catch AccessStoreError.invalidCursor {
            throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued", field: "cursor")
        }
    }

    /// An ISO 8601 date-time with a time zone, with or without fractional seconds.
    static func parseISO8601(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
