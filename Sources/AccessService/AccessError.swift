import AccessProtocol
import AccessStore
import Foundation
import AsanaAPI
import LineRPC

/// The application errors of asana-access, each built from its entry in the catalogue
/// (``AccessProtocol/ErrorKind``, protocol.md §6), which gives its code and stable name.
///
/// JSON-RPC 2.0 leaves codes outside `-32768...-32000` to applications; ours are 1000–1999.
public enum AccessError {
    /// -32003: the API token is not valid (unknown, altered or revoked). Deliberately says no more.
    public static func authenticationFailed() -> RPCError {
        RPCError(.authFailed, message: "Authentication failed: the token is not valid", details: [:])
    }

    /// -32005: the API token this connection authenticated with was revoked; the connection is unauthenticated again.
    public static func tokenRevoked(_ name: String) -> RPCError {
        RPCError(.authTokenRevoked,
                 message: "The API token \(name) this connection authenticated with was revoked; the connection is unauthenticated now: authenticate with another token",
                 details: ["token": .string(name)])
    }

    /// -32006: the API token this connection authenticated with expired; the connection is unauthenticated again.
    public static func tokenExpired(_ name: String, at expiry: Date) -> RPCError {
        RPCError(.authTokenExpired,
                 message: "The API token \(name) this connection authenticated with expired at \(JSONEncoder.protocolTimestamp(expiry)); the connection is unauthenticated now: authenticate with a current token",
                 details: ["token": .string(name), "expiredAt": .string(JSONEncoder.protocolTimestamp(expiry))])
    }

    /// -32004: too many failed authentications on this connection; open a new connection with a valid token.
    public static func tooManyAuthenticationAttempts(_ limit: Int) -> RPCError {
        RPCError(.authTooManyAttempts,
                 message: "\(limit) authentication attempts failed on this connection; open a new connection with a valid token",
                 details: ["maximumFailedAuthentications": .integer(Int64(limit))])
    }

    /// 1070: the disk holding the database is full (SQLite's `SQLITE_FULL`): the call's transaction was
    /// rolled back, nothing of it was committed. Free space and retry.
    public static func storageFull() -> RPCError {
        RPCError(.storageFull,
                 message: "The disk holding the database is full; nothing was committed; free space and retry",
                 details: [:])
    }

    /// 1071: the database file could not be read or written for another reason (I/O error, read-only file or
    /// file system, file gone): nothing was committed. The operator checks the disk; retry later.
    public static func storageUnavailable() -> RPCError {
        RPCError(.storageUnavailable,
                 message: "The server could not read or write its database (an I/O error, or its PostgreSQL server is unreachable); nothing was committed; retry later (the operator should check the disk or the database server)",
                 details: [:])
    }

    /// `storage.full` or `storage.unavailable` for a storage failure of the store, nil for any other error.
    /// The answer never carries the database path.
    public static func storage(_ error: any Error) -> RPCError? {
        switch error as? AccessStoreError {
        case .storageFull?: return storageFull()
        case .storageUnavailable?: return storageUnavailable()
        default: return nil
        }
    }

    /// 1001: `listUsers` (or another snapshot read) before the first successful `sync` of that workspace;
    /// `data.credentialStored` `false` (and a message saying the workspace is unknown) when no credential is
    /// stored for it either, so a mistyped gid is not answered "run sync".
    public static func workspaceNotSynced(_ workspace: String, credentialStored: Bool = true) -> RPCError {
        let message = credentialStored
            ? "Workspace \(workspace) has no snapshot yet: run `sync` for it first"
            : "Workspace \(workspace) is unknown to this server: it was never synced and no credential is stored for it; check the gid (listCredentials shows the workspaces that have one) or store a credential first"
        return RPCError(.workspaceNotSynced, message: message,
                        details: ["workspace": .string(workspace), "credentialStored": .bool(credentialStored)])
    }

    /// 1031: `asOf` is before any sync of the workspace committed; `data.workspace`, `data.asOf`.
    public static func historyBeforeFirstSync(_ workspace: String, asOf: Date) -> RPCError {
        let time = JSONEncoder.protocolTimestamp(asOf)
        return RPCError(.historyBeforeFirstSync,
                        message: "No sync of workspace \(workspace) had committed by \(time): ask for a later moment (listSyncRuns shows when the first committed)",
                        details: ["workspace": .string(workspace), "asOf": .string(time)])
    }

    /// 1002: a workspace name that no workspace visible to the stored credentials has (names are exact).
    /// `data.workspaces` lists `[{gid, name}]` of every workspace those credentials can see.
    public static func workspaceUnknownName(_ name: String, visible: [WorkspaceName]) -> RPCError {
        let seen = visible.isEmpty
            ? "no credential is stored that could look names up, or it sees no workspace: pass the workspace gid"
            : "the credentials asked see " + visible.map { "\"\($0.name ?? "")\" (\($0.gid))" }.joined(separator: ", ")
        return RPCError(.workspaceUnknownName,
                        message: "No workspace is named \"\(name)\" (exact name, as in Asana's admin console); \(seen)",
                        details: ["workspace": .string(name), "workspaces": .array(visible.map(\.jsonValue))])
    }

    /// 1005: a workspace name shared by several workspaces; `data.gids` lists them: pass one gid instead.
    public static func workspaceAmbiguousName(_ name: String, gids: [String]) -> RPCError {
        RPCError(.workspaceAmbiguousName,
                 message: "Workspace name \"\(name)\" is shared by \(gids.count) workspaces (\(gids.joined(separator: ", "))); pass the gid instead",
                 details: ["workspace": .string(name), "gids": .array(gids.map { .string($0) })])
    }

    /// 1003: no stored credential for that workspace and purpose.
    public static func credentialMissing(_ workspace: String, purpose: CredentialPurpose) -> RPCError {
        RPCError(.credentialMissing,
                 message: "No \(purpose.rawValue) credential is stored for workspace \(workspace): add one with `asana-accessd credentials put --workspace \(workspace) --purpose \(purpose.rawValue)`",
                 details: ["workspace": .string(workspace), "purpose": .string(purpose.rawValue)])
    }

    /// 1004: the stored credential could not be opened (tampered row or a different master key).
    public static func credentialUnreadable(_ workspace: String, purpose: CredentialPurpose) -> RPCError {
        RPCError(.credentialUnreadable,
                 message: "The \(purpose.rawValue) credential of workspace \(workspace) cannot be decrypted: it was altered or sealed under another master key; store it again",
                 details: ["workspace": .string(workspace), "purpose": .string(purpose.rawValue)])
    }

    /// 1007: the connection test of `putCredential` failed with the secret being stored; nothing was stored.
    /// `data.checks` holds every check that ran (`[{name, ok, detail, fix}]`), `data.workspace` the gid, `data.purpose`.
    public static func credentialChecksFailed(_ result: TestCredential.Result) -> RPCError {
        let failures = result.failures
        let fixes = failures.map { "\($0.name): \($0.detail)\($0.fix.map { " — \($0)" } ?? "")" }.joined(separator: "; ")
        let forceHint = result.purpose == .provision && failures.allSatisfy({ $0.name == "admin" }) ? " (force: true stores it anyway)" : ""
        let checks = (try? JSONValue(encoding: result.checks)) ?? .array([])
        return RPCError(.credentialChecksFailed,
                        message: "The credential failed \(failures.count) check\(failures.count == 1 ? "" : "s") (\(failures.map(\.name).joined(separator: ", "))), nothing was stored\(forceHint): \(fixes)",
                        details: ["checks": checks, "workspace": .string(result.workspace.gid), "purpose": .string(result.purpose.rawValue)])
    }

    /// 1006: the OAuth credential of (workspace, purpose) must be authorized again: Asana refused its refresh
    /// token (`invalid_grant`), or it has none and the access token expired. Nothing is sent to Asana with it
    /// until `oauthStart` + `oauthFinish` store a new one. `data.reason` says why.
    public static func credentialReauthorizationRequired(_ workspace: String, purpose: CredentialPurpose, reason: String?) -> RPCError {
        var details: [String: JSONValue] = ["workspace": .string(workspace), "purpose": .string(purpose.rawValue)]
        if let reason { details["reason"] = .string(reason) }
        return RPCError(.credentialReauthorizationRequired,
                        message: "The \(purpose.rawValue) credential of workspace \(workspace) must be authorized again\(reason.map { " (\($0))" } ?? ""): run `asana-access oauth start --workspace \(workspace) --purpose \(purpose.rawValue) …`, open the URL, then `asana-access oauth finish`",
                        details: details)
    }

    /// 1060: `oauthFinish` with a state no authorization is waiting for: never started, already finished, or expired.
    public static func oauthUnknownState() -> RPCError {
        RPCError(.oauthUnknownState,
                 message: "No OAuth authorization is waiting for this state: it was never started here, was already finished, or expired (\(Int(AccessService.oauthFlowLifetime / 60)) minutes after oauthStart); start again with `asana-access oauth start` (oauthStart)",
                 details: [:])
    }

    /// 1061: no client secret is stored for the OAuth app `clientId`.
    public static func oauthClientUnknown(_ clientId: String) -> RPCError {
        RPCError(.oauthClientUnknown,
                 message: "No client secret is stored for OAuth app \(clientId): store it with `asana-access oauth client-put --client-id \(clientId)` (putOAuthClient; or `asana-accessd oauth-client put` on the server host), secret on stdin",
                 details: ["clientId": .string(clientId)])
    }

    /// 1062: Asana refused the authorization code (`data.asanaError`, e.g. `invalid_grant`: used, expired, or a
    /// PKCE or redirect URI mismatch; `invalid_client`: wrong client secret). Start again.
    public static func oauthExchangeRefused(status: Int, error: String, description: String?) -> RPCError {
        var details: [String: JSONValue] = ["status": .integer(Int64(status)), "asanaError": .string(error)]
        if let description { details["asanaErrorDescription"] = .string(description) }
        let fix = error == "invalid_client"
            ? "check the client secret stored with `asana-access oauth client-put` (putOAuthClient)"
            : "start again with `asana-access oauth start` (oauthStart): a code is single use and expires within minutes"
        let said = description.map { ": " + $0.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) } ?? ""
        return RPCError(.oauthExchangeRefused,
                        message: "Asana refused the authorization code (\(status) \(error)\(said)); \(fix)",
                        details: details)
    }

    /// 1065: Asana refused to refresh the access token for a reason other than `invalid_grant` (e.g.
    /// `invalid_client`: the stored client secret is wrong). The credential stays `active`: fix the app secret.
    public static func oauthRefreshRefused(_ workspace: String, purpose: CredentialPurpose, clientId: String, status: Int, error: String, description: String?) -> RPCError {
        var details: [String: JSONValue] = ["workspace": .string(workspace), "purpose": .string(purpose.rawValue), "clientId": .string(clientId),
                                            "status": .integer(Int64(status)), "asanaError": .string(error)]
        if let description { details["asanaErrorDescription"] = .string(description) }
        let said = description.map { ": " + $0.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) } ?? ""
        let fix = error == "invalid_client"
            ? "the client secret stored for OAuth app \(clientId) is wrong: store the right one with `asana-access oauth client-put --client-id \(clientId)`"
            : "retry later; if it persists, authorize again with `asana-access oauth start`"
        return RPCError(.oauthRefreshRefused,
                        message: "Asana refused to refresh the access token of the \(purpose.rawValue) credential of workspace \(workspace) (\(status) \(error)\(said)); \(fix)",
                        details: details)
    }

    /// 1066: the connection test with the granted token failed, so nothing was stored; `data.checks` lists every
    /// check `[{name, ok, detail, fix}]`. A provision grant whose user is not an admin is stored with `force`.
    public static func oauthChecksFailed(_ result: TestCredential.Result) -> RPCError {
        let failures = result.failures
        let fixes = failures.map { "\($0.name): \($0.detail)\($0.fix.map { " — \($0)" } ?? "")" }.joined(separator: "; ")
        let forceHint = result.purpose == .provision && failures.allSatisfy({ $0.name == "admin" }) ? " (force: true stores it anyway)" : ""
        let checks = (try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(result.checks))) ?? .array([])
        return RPCError(.oauthChecksFailed,
                        message: "The granted authorization failed \(failures.count) check\(failures.count == 1 ? "" : "s"), nothing was stored\(forceHint): \(fixes)",
                        details: ["checks": checks, "workspace": .string(result.workspace.gid), "purpose": .string(result.purpose.rawValue)])
    }

    /// 1064: the stored client secret of `clientId` does not open (altered, or sealed under another master key).
    public static func oauthClientUnreadable(_ clientId: String) -> RPCError {
        RPCError(.oauthClientUnreadable,
                 message: "The stored client secret of OAuth app \(clientId) cannot be decrypted: it was altered or sealed under another master key; store it again with putOAuthClient",
                 details: ["clientId": .string(clientId)])
    }

    /// 1063: the granted token may not list workspaces (403), so the workspace cannot be checked.
    public static func oauthWorkspacesNotReadable(_ workspace: String, asanaError: String) -> RPCError {
        RPCError(.oauthWorkspaceNotGranted,
                 message: "The authorization cannot list workspaces, so workspace \(workspace) cannot be checked (\(asanaError)); authorize again with the workspaces:read scope (or full permissions)",
                 details: ["workspace": .string(workspace), "workspaces": .array([])])
    }

    /// 1063: the authorized token cannot see the workspace named at `oauthStart`; `data.workspaces` lists what it sees.
    public static func oauthWorkspaceNotGranted(_ workspace: String, visible: [WorkspaceName]) -> RPCError {
        let seen = visible.isEmpty ? "it sees no workspace" : "it sees " + visible.map { "\"\($0.name ?? "")\" (\($0.gid))" }.joined(separator: ", ")
        return RPCError(.oauthWorkspaceNotGranted,
                        message: "The authorization does not reach workspace \(workspace): \(seen); authorize again and pick that workspace at Asana's consent screen",
                        details: ["workspace": .string(workspace), "workspaces": .array(visible.map(\.jsonValue))])
    }

    /// 1010: a team given by gid or name does not exist in the workspace; `data.closeNames` `[{gid, name}]`
    /// lists teams with a close name (``CloseNames``), also named in the message.
    public static func teamNotFound(_ team: String, workspace: String, closeNames: [(gid: String, name: String)] = []) -> RPCError {
        let hint = closeNames.isEmpty ? "" : "; did you mean " + closeNames.map { "\"\($0.name)\" (\($0.gid))" }.joined(separator: ", ") + "?"
        return RPCError(.teamNotFound, message: "No team \"\(team)\" in workspace \(workspace)\(hint)",
                        details: ["team": .string(team), "workspace": .string(workspace),
                                  "closeNames": .array(closeNames.map { ["gid": .string($0.gid), "name": .string($0.name)] })])
    }

    /// 1011: a team name matches more than one team.
    public static func teamAmbiguous(_ team: String, gids: [String]) -> RPCError {
        RPCError(.teamAmbiguous, message: "Team name \"\(team)\" matches \(gids.count) teams; pass a gid instead",
                 details: ["team": .string(team), "gids": .array(gids.map { .string($0) })])
    }

    /// 1040: refusing to remove the user whose credential provisions: it would lock provisioning out.
    public static func selfRemoval(_ email: String) -> RPCError {
        RPCError(.provisionSelfRemoval,
                 message: "\(email) owns the provisioning credential; removing them would lock provisioning out of the workspace. Store another admin's credential first.",
                 details: ["email": .string(email)])
    }

    /// 1041: Asana refused to add a person because the provisioning credential's user is not an active admin
    /// of the workspace (Asana lets only Admins and Super Admins add and remove people).
    public static func provisionNotAdmin(_ provisioner: String, workspace: String, asanaMessage: String) -> RPCError {
        RPCError(.provisionNotAdmin,
                 message: "Asana refused: the provisioning credential's user \(provisioner) is not an admin of workspace \(workspace) (Asana: \(asanaMessage)); store an admin's token with `asana-accessd credentials put --purpose provision`",
                 details: ["provisioner": .string(provisioner), "workspace": .string(workspace), "asanaMessage": .string(asanaMessage)])
    }

    /// 1042: Asana refused to add an email outside the organization's email domains: the person would be a
    /// guest and the organization does not accept guests this way. `data.emailDomains` lists the domains.
    public static func provisionGuestNotAllowed(_ email: String, domains: [String], asanaMessage: String) -> RPCError {
        RPCError(.provisionGuestNotAllowed,
                 message: "Asana refused to add \(email): the address is outside the organization's email domains (\(domains.joined(separator: ", "))), so the person would join as a guest, which the organization refuses (Asana: \(asanaMessage)); use their company address or invite the guest from Asana",
                 details: ["email": .string(email), "emailDomains": .array(domains.map { .string($0) }), "asanaMessage": .string(asanaMessage)])
    }

    /// 1044: an `add` of an email outside the organization's email domains (Asana's `email_domains`,
    /// https://developers.asana.com/reference/getworkspace) without `allowGuest: true`: Asana would invite the
    /// person as a guest, often a typo. Nothing was sent to Asana. `data`: `{email, domain, emailDomains, workspace}`.
    public static func provisionOutsideDomain(_ email: String, domains: [String], workspace: String) -> RPCError {
        let domain = email.split(separator: "@").last.map { $0.lowercased() } ?? ""
        return RPCError(.provisionOutsideDomain,
                        message: "Refused to add \(email): its domain \(domain) is not one of the organization's email domains (\(domains.joined(separator: ", "))), so Asana would invite the person as a guest. Check the address for a typo; to invite a guest on purpose, send allowGuest: true (asana-access provision --allow-guest)",
                        details: ["email": .string(email), "domain": .string(domain), "emailDomains": .array(domains.map { .string($0) }),
                                  "workspace": .string(workspace)])
    }

    /// 1043: Asana refused to add back a person who was removed (deprovisioned) before and cannot be re-added.
    public static func provisionNotReaddable(_ email: String, asanaMessage: String) -> RPCError {
        RPCError(.provisionNotReaddable,
                 message: "Asana refused to add \(email) back: the person was deprovisioned before and cannot be re-added through the API (Asana: \(asanaMessage)); reactivate them in Asana's admin console",
                 details: ["email": .string(email), "asanaMessage": .string(asanaMessage)])
    }

    /// 1050: the idempotency key was used before with other params.
    public static func idempotencyConflict(_ key: String) -> RPCError {
        RPCError(.idempotencyConflict,
                 message: "Idempotency key \"\(key)\" was used with other params; use a new key for a new request",
                 details: ["idempotencyKey": .string(key)])
    }

    /// 1051: a call with the same idempotency key is still running.
    public static func idempotencyInProgress(_ key: String) -> RPCError {
        RPCError(.idempotencyInProgress,
                 message: "A call with idempotency key \"\(key)\" is still running; retry when it has answered to get its result",
                 details: ["idempotencyKey": .string(key)])
    }

    /// 1020: a sync of the same workspace is already running; retry when it has finished.
    public static func syncInProgress(_ workspace: String) -> RPCError {
        RPCError(.syncInProgress, message: "A sync of workspace \(workspace) is already running; retry when it has finished",
                 details: ["workspace": .string(workspace)])
    }

    /// 1021: the sync did not finish reading Asana within the server's sync deadline (`serve --sync-deadline`,
    /// default 3600 s): its Asana calls were stopped, nothing was committed (the last snapshot stands), the run
    /// is recorded failed with this reason, and the workspace may be synced again at once.
    /// `data`: `{workspace, deadlineSeconds, phase}` (`phase`: what the sync was reading, e.g. `workspaceMemberships`).
    public static func syncDeadlineExceeded(_ workspace: String, deadline: Duration, phase: String) -> RPCError {
        let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
        let shown = seconds == seconds.rounded() ? "\(Int64(seconds))" : "\(seconds)"
        return RPCError(.syncDeadlineExceeded,
                        message: "The sync of workspace \(workspace) did not finish within its deadline of \(shown) s (it was reading \(phase)); it was stopped and nothing was committed, the last snapshot stands. Asana may be slow or broken: retry later, or raise `asana-accessd serve --sync-deadline`",
                        details: ["workspace": .string(workspace), "deadlineSeconds": seconds == seconds.rounded() ? .integer(Int64(seconds)) : .double(seconds), "phase": .string(phase)])
    }

    /// 1100–1105: Asana refused or failed the call.
    static func upstream(_ error: AsanaAPIError) -> RPCError {
        switch error {
        case .unauthorized(let message):
            return RPCError(.upstreamUnauthorized,
                            message: "Asana refused the credential (401: \(message)); store a valid token", details: [:])
        case .forbidden(let message):
            return RPCError(.upstreamForbidden,
                            message: "Asana refused the call (403: \(message)); the credential's user may lack admin rights or access", details: [:])
        case .rateLimited(let retryAfter):
            var details: [String: JSONValue] = [:]
            if let retryAfter { details["retryAfterMs"] = .integer(retryAfter.milliseconds) }
            return RPCError(.upstreamRateLimited,
                            message: "Asana's rate limit was hit and retries ran out; retry later", details: details)
        case .server(let status, _, let phrase):
            // Asana's 500s carry a `phrase`, its handle for a support request (Asana OpenAPI schema `Error.phrase`; https://developers.asana.com/docs/errors): keep it.
            var details: [String: JSONValue] = ["status": .integer(Int64(status))]
            if let phrase { details["asanaPhrase"] = .string(phrase) }
            return RPCError(.upstreamUnavailable, message: "Asana is unavailable: \(error)", details: details)
        case .transport:
            return RPCError(.upstreamUnavailable, message: "Asana is unavailable: \(error)", details: [:])
        case .badRequest(let message), .notFound(let message):
            return RPCError(.upstreamRejected, message: "Asana rejected the call: \(message)", details: [:])
        case .oauth(let status, let oauthError, let description):
            let message = description.map { "\(oauthError): \($0)" } ?? oauthError
            return RPCError(.upstreamRejected, message: "Asana rejected the call (\(status)): \(message)", details: [:])
        case .malformedPage, .malformedResponse:
            return RPCError(.upstreamMalformed, message: "Asana sent an answer that cannot be trusted: \(error)", details: [:])
        }
    }
}
