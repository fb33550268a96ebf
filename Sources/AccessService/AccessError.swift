import AccessStore
import AsanaAPI
import LineRPC

/// The application errors of asana-access, each with a stable code and name (protocol.md, "Errors").
///
/// JSON-RPC 2.0 leaves codes outside `-32768...-32000` to applications; ours are 1000–1999.
public enum AccessError {
    /// -32003: the API token is not valid (unknown, altered or revoked). Deliberately says no more.
    public static func authenticationFailed() -> RPCError {
        RPCError(code: -32003, name: "auth.failed", message: "Authentication failed: the token is not valid", details: [:])
    }

    /// -32004: too many failed authentications on this connection; open a new connection with a valid token.
    public static func tooManyAuthenticationAttempts(_ limit: Int) -> RPCError {
        RPCError(code: -32004, name: "auth.too_many_attempts",
                 message: "\(limit) authentication attempts failed on this connection; open a new connection with a valid token",
                 details: ["maximumFailedAuthentications": .integer(Int64(limit))])
    }

    /// 1001: `listUsers` (or another snapshot read) before the first successful `sync` of that workspace.
    public static func workspaceNotSynced(_ workspace: String) -> RPCError {
        RPCError(code: 1001, name: "workspace.not_synced",
                 message: "Workspace \(workspace) has no snapshot yet: run `sync` for it first",
                 details: ["workspace": .string(workspace)])
    }

    /// 1002: a workspace name that no workspace visible to the stored credentials has (names are exact).
    /// `data.workspaces` lists `[{gid, name}]` of every workspace those credentials can see.
    public static func workspaceUnknownName(_ name: String, visible: [WorkspaceName]) -> RPCError {
        let seen = visible.isEmpty
            ? "no credential is stored that could look names up, or it sees no workspace: pass the workspace gid"
            : "the credentials asked see " + visible.map { "\"\($0.name ?? "")\" (\($0.gid))" }.joined(separator: ", ")
        return RPCError(code: 1002, name: "workspace.unknown_name",
                        message: "No workspace is named \"\(name)\" (exact name, as in Asana's admin console); \(seen)",
                        details: ["workspace": .string(name), "workspaces": .array(visible.map(\.jsonValue))])
    }

    /// 1005: a workspace name shared by several workspaces; `data.gids` lists them: pass one gid instead.
    public static func workspaceAmbiguousName(_ name: String, gids: [String]) -> RPCError {
        RPCError(code: 1005, name: "workspace.ambiguous_name",
                 message: "Workspace name \"\(name)\" is shared by \(gids.count) workspaces (\(gids.joined(separator: ", "))); pass the gid instead",
                 details: ["workspace": .string(name), "gids": .array(gids.map { .string($0) })])
    }

    /// 1003: no stored credential for that workspace and purpose.
    public static func credentialMissing(_ workspace: String, purpose: CredentialPurpose) -> RPCError {
        RPCError(code: 1003, name: "credential.missing",
                 message: "No \(purpose.rawValue) credential is stored for workspace \(workspace): add one with `asana-accessd credentials put --workspace \(workspace) --purpose \(purpose.rawValue)`",
                 details: ["workspace": .string(workspace), "purpose": .string(purpose.rawValue)])
    }

    /// 1004: the stored credential could not be opened (tampered row or a different master key).
    public static func credentialUnreadable(_ workspace: String, purpose: CredentialPurpose) -> RPCError {
        RPCError(code: 1004, name: "credential.unreadable",
                 message: "The \(purpose.rawValue) credential of workspace \(workspace) cannot be decrypted: it was altered or sealed under another master key; store it again",
                 details: ["workspace": .string(workspace), "purpose": .string(purpose.rawValue)])
    }

    /// 1010: a team given by gid or name does not exist in the workspace.
    public static func teamNotFound(_ team: String, workspace: String) -> RPCError {
        RPCError(code: 1010, name: "team.not_found", message: "No team \"\(team)\" in workspace \(workspace)",
                 details: ["team": .string(team), "workspace": .string(workspace)])
    }

    /// 1011: a team name matches more than one team.
    public static func teamAmbiguous(_ team: String, gids: [String]) -> RPCError {
        RPCError(code: 1011, name: "team.ambiguous", message: "Team name \"\(team)\" matches \(gids.count) teams; pass a gid instead",
                 details: ["team": .string(team), "gids": .array(gids.map { .string($0) })])
    }

    /// 1040: refusing to remove the user whose credential provisions: it would lock provisioning out.
    public static func selfRemoval(_ email: String) -> RPCError {
        RPCError(code: 1040, name: "provision.self_removal",
                 message: "\(email) owns the provisioning credential; removing them would lock provisioning out of the workspace. Store another admin's credential first.",
                 details: ["email": .string(email)])
    }

    /// 1050: the idempotency key was used before with other params.
    public static func idempotencyConflict(_ key: String) -> RPCError {
        RPCError(code: 1050, name: "idempotency.conflict",
                 message: "Idempotency key \"\(key)\" was used with other params; use a new key for a new request",
                 details: ["idempotencyKey": .string(key)])
    }

    /// 1051: a call with the same idempotency key is still running.
    public static func idempotencyInProgress(_ key: String) -> RPCError {
        RPCError(code: 1051, name: "idempotency.in_progress",
                 message: "A call with idempotency key \"\(key)\" is still running; retry when it has answered to get its result",
                 details: ["idempotencyKey": .string(key)])
    }

    /// 1020: a sync of the same workspace is already running; retry when it has finished.
    public static func syncInProgress(_ workspace: String) -> RPCError {
        RPCError(code: 1020, name: "sync.in_progress", message: "A sync of workspace \(workspace) is already running; retry when it has finished",
                 details: ["workspace": .string(workspace)])
    }

    /// 1100–1105: Asana refused or failed the call.
    static func upstream(_ error: AsanaAPIError) -> RPCError {
        switch error {
        case .unauthorized(let message):
            return RPCError(code: 1100, name: "upstream.unauthorized",
                            message: "Asana refused the credential (401: \(message)); store a valid token", details: [:])
        case .forbidden(let message):
            return RPCError(code: 1101, name: "upstream.forbidden",
                            message: "Asana refused the call (403: \(message)); the credential's user may lack admin rights or access", details: [:])
        case .rateLimited(let retryAfter):
            var details: [String: JSONValue] = [:]
            if let retryAfter { details["retryAfterMs"] = .integer(retryAfter.milliseconds) }
            return RPCError(code: 1102, name: "upstream.rate_limited",
                            message: "Asana's rate limit was hit and retries ran out; retry later", details: details)
        case .server(let status, _, let phrase):
            // Asana's 500s carry a `phrase`, its handle for a support request (asana-api.md §2): keep it.
            var details: [String: JSONValue] = ["status": .integer(Int64(status))]
            if let phrase { details["asanaPhrase"] = .string(phrase) }
            return RPCError(code: 1103, name: "upstream.unavailable", message: "Asana is unavailable: \(error)", details: details)
        case .transport:
            return RPCError(code: 1103, name: "upstream.unavailable", message: "Asana is unavailable: \(error)", details: [:])
        case .badRequest(let message), .notFound(let message):
            return RPCError(code: 1104, name: "upstream.rejected", message: "Asana rejected the call: \(message)", details: [:])
        case .oauth(let status, let oauthError, let description):
            let message = description.map { "\(oauthError): \($0)" } ?? oauthError
            return RPCError(code: 1104, name: "upstream.rejected", message: "Asana rejected the call (\(status)): \(message)", details: [:])
        case .malformedPage, .malformedResponse:
            return RPCError(code: 1105, name: "upstream.malformed", message: "Asana sent an answer that cannot be trusted: \(error)", details: [:])
        }
    }
}
