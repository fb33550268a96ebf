import AccessProtocol
import AccessStore
import Foundation
import LineRPC

// Admin methods for tokens, credentials, sync runs and the audit log. Secrets go in, never out:
// answers carry fingerprints, and audit events carry params with the secret removed.

extension AccessService {
    /// The expiry `createToken` asks for: `expiresIn` (`Nd`/`Nh`/`Nm`) from `now`, or `expiresAt` (ISO 8601), or nil.
    /// - Throws: `-32602` naming the field when both are given, one does not parse, or the expiry is not
    ///   between 1 minute and 3650 days after `now`.
    static func tokenExpiry(_ params: CreateToken.Params, now: Date) throws(RPCError) -> Date? {
        guard let expiry = try requestedTokenExpiry(params, now: now) else { return nil }
        let lifetime = expiry.timeIntervalSince(now)
        guard lifetime >= StoreLimits.minimumAPITokenLifetime, lifetime <= StoreLimits.maximumAPITokenLifetime else {
            let field = params.expiresIn != nil ? "expiresIn" : "expiresAt"
            throw .invalidParams("Invalid params: \"\(field)\" must put the expiry between 1 minute and 3650 days from now", field: field)
        }
        return expiry
    }

    private static func requestedTokenExpiry(_ params: CreateToken.Params, now: Date) throws(RPCError) -> Date? {
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
        // Each admin action is one use case below, called here and by `asana-accessd`'s offline commands.
        table.register(CreateToken.self) { context, params in
            try await createToken(params, principal: context.identity?.principal)
        }
        table.register(ListTokens.self) { _, _ in
            ItemList(items: try await listTokens())
        }
        table.register(RevokeToken.self) { context, params in
            try await revokeToken(params, principal: context.identity?.principal)
        }
        table.register(PutCredential.self) { context, params in
            try await putCredential(params, principal: context.identity?.principal).summary
        }
        table.register(TestCredential.self) { _, params in
            try await testCredential(params)
        }
        table.register(ListCredentials.self) { _, _ in
            ItemList(items: try await listCredentials())
        }
        table.register(DeleteCredential.self) { context, params in
            try await deleteCredential(params, principal: context.identity?.principal)
        }
        table.register(ListSyncRuns.self, bulk: true) { _, params in
            let limit = params.limit ?? 50
            guard (1...1000).contains(limit) else { throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and 1000", field: "limit") }
            var workspace: String?
            if let given = params.workspace { workspace = try await resolveWorkspace(given) }
            return ItemList(items: try await store.syncRuns(workspaceGid: workspace, limit: limit))
        }
        table.register(GetWorkspaceStatus.self) { _, params in
            try await workspaceStatus(workspace: params.workspace)
        }
        table.register(GetSyncRun.self) { _, params in
            guard let run = try await store.syncRun(id: params.id) else {
                throw RPCError(.syncRunNotFound, message: "No sync run \(params.id)", details: ["id": .integer(params.id)])
            }
            return run
        }
        table.register(ListAuditEvents.self, bulk: true) { _, params in
            try await listAuditEvents(params)
        }
    }

    /// One page of audit events, newest first.
    /// - Throws: `-32602` for a `since` that is not ISO 8601, an empty `principal` or `method`,
    ///   a `limit` outside 1...1000, or a cursor this server did not issue.
    public func listAuditEvents(_ params: ListAuditEvents.Params) async throws -> ListAuditEvents.Result {
        let limit = params.limit ?? 100
        guard (1...AuditQuery.maxLimit).contains(limit) else {
            throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and \(AuditQuery.maxLimit)", field: "limit")
        }
        var since: Date?
        if let text = params.since {
            guard let date = Self.parseTimeOrDate(text) else {
                throw RPCError.invalidParams("Invalid params: \"since\" must be an ISO 8601 date-time such as 2025-01-31T09:00:00Z, or a date such as 2025-01-31 (its start, UTC)", field: "since")
            }
            since = date
        }
        for (field, value) in [("principal", params.principal), ("method", params.method)] where value?.isEmpty == true {
            throw RPCError.invalidParams("Invalid params: \"\(field)\" is empty", field: field)
        }
        do {
            let page = try await store.auditEvents(query: AuditQuery(
                since: since, principal: params.principal, method: params.method, limit: limit, cursor: params.cursor))
            return ListAuditEvents.Result(items: page.events, nextCursor: page.nextCursor)
        } catch AccessStoreError.invalidCursor {
            throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued", field: "cursor")
        }
    }

    /// An ISO 8601 (RFC 3339) date-time with a time zone, with or without fractional seconds, every field in range.
    public static func parseISO8601(_ text: String) -> Date? {
        ISO8601Time.parseDateTime(text)
    }

    /// A lower bound of time as `changedSince` and `since` take it: an ISO 8601 date-time (``parseISO8601(_:)``)
    /// or a bare date `YYYY-MM-DD`, which stands for the start of that day in UTC.
    public static func parseTimeOrDate(_ text: String) -> Date? {
        ISO8601Time.parseDateTimeOrDate(text)
    }
}
