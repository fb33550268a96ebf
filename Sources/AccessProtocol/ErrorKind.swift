/// Every error the protocol defines, by its stable name (`error.data.name` on the wire): its
/// JSON-RPC error code, when it happens and whether retrying helps. The table in protocol.md §6 is
/// this catalogue, row for row and word for word (a test compares them), in the same order: grouped
/// by kind, not sorted.
///
/// A code may be shared by several names (JSON-RPC 2.0 reserves -32000 to -32099 for server
/// errors and defines -32600 for every invalid request): programs tell errors apart by name.
public enum ErrorKind: String, CaseIterable, Codable, Sendable {
    case rpcParseError = "rpc.parse_error"
    case rpcInvalidRequest = "rpc.invalid_request"
    case limitLineBytes = "limit.line_bytes"
    case limitLineSeconds = "limit.line_seconds"
    case limitConnections = "limit.connections"
    case limitAnswerBytes = "limit.answer_bytes"
    case serverShuttingDown = "server.shutting_down"
    case limitJsonDepth = "limit.json_depth"
    case limitBatchLength = "limit.batch_length"
    case limitJsonValues = "limit.json_values"
    case rpcMethodNotFound = "rpc.method_not_found"
    case rpcInvalidParams = "rpc.invalid_params"
    case rpcInternalError = "rpc.internal_error"
    case authRequired = "auth.required"
    case authForbidden = "auth.forbidden"
    case authFailed = "auth.failed"
    case authTooManyAttempts = "auth.too_many_attempts"
    case authTokenRevoked = "auth.token_revoked"
    case authTokenExpired = "auth.token_expired"
    case authCertificateRejected = "auth.certificate_rejected"
    case workspaceNotSynced = "workspace.not_synced"
    case workspaceUnknownName = "workspace.unknown_name"
    case workspaceAmbiguousName = "workspace.ambiguous_name"
    case credentialMissing = "credential.missing"
    case credentialUnreadable = "credential.unreadable"
    case credentialReauthorizationRequired = "credential.reauthorization_required"
    case credentialChecksFailed = "credential.checks_failed"
    case oauthUnknownState = "oauth.unknown_state"
    case oauthClientUnknown = "oauth.client_unknown"
    case oauthExchangeRefused = "oauth.exchange_refused"
    case oauthWorkspaceNotGranted = "oauth.workspace_not_granted"
    case oauthChecksFailed = "oauth.checks_failed"
    case oauthRefreshRefused = "oauth.refresh_refused"
    case oauthClientUnreadable = "oauth.client_unreadable"
    case limitOauthPending = "limit.oauth_pending"
    case teamNotFound = "team.not_found"
    case teamAmbiguous = "team.ambiguous"
    case syncRunNotFound = "sync_run.not_found"
    case historyBeforeFirstSync = "history.before_first_sync"
    case historyPruned = "history.pruned"
    case idempotencyConflict = "idempotency.conflict"
    case idempotencyInProgress = "idempotency.in_progress"
    case provisionSelfRemoval = "provision.self_removal"
    case provisionNotAdmin = "provision.not_admin"
    case provisionGuestNotAllowed = "provision.guest_not_allowed"
    case provisionOutsideDomain = "provision.outside_domain"
    case provisionNotReaddable = "provision.not_readdable"
    case syncInProgress = "sync.in_progress"
    case syncDeadlineExceeded = "sync.deadline_exceeded"
    case upstreamUnauthorized = "upstream.unauthorized"
    case upstreamForbidden = "upstream.forbidden"
    case upstreamRateLimited = "upstream.rate_limited"
    case upstreamUnavailable = "upstream.unavailable"
    case upstreamRejected = "upstream.rejected"
    case upstreamMalformed = "upstream.malformed"
    case storageFull = "storage.full"
    case storageUnavailable = "storage.unavailable"

    /// The stable name, `error.data.name` on the wire.
    public var name: String { rawValue }

    /// The JSON-RPC error code, `error.code` on the wire.
    public var code: Int {
        switch self {
        case .rpcParseError: -32700
        case .rpcInvalidRequest, .limitLineBytes, .limitLineSeconds, .limitJsonDepth, .limitBatchLength, .limitJsonValues: -32600
        case .limitConnections, .limitAnswerBytes, .serverShuttingDown, .limitOauthPending: -32000
        case .rpcMethodNotFound: -32601
        case .rpcInvalidParams: -32602
        case .rpcInternalError: -32603
        case .authRequired: -32001
        case .authForbidden: -32002
        case .authFailed: -32003
        case .authTooManyAttempts: -32004
        case .authTokenRevoked: -32005
        case .authTokenExpired: -32006
        case .authCertificateRejected: -32007
        case .workspaceNotSynced: 1001
        case .workspaceUnknownName: 1002
        case .workspaceAmbiguousName: 1005
        case .credentialMissing: 1003
        case .credentialUnreadable: 1004
        case .credentialReauthorizationRequired: 1006
        case .credentialChecksFailed: 1007
        case .oauthUnknownState: 1060
        case .oauthClientUnknown: 1061
        case .oauthExchangeRefused: 1062
        case .oauthWorkspaceNotGranted: 1063
        case .oauthChecksFailed: 1066
        case .oauthRefreshRefused: 1065
        case .oauthClientUnreadable: 1064
        case .teamNotFound: 1010
        case .teamAmbiguous: 1011
        case .syncRunNotFound: 1030
        case .historyBeforeFirstSync: 1031
        case .historyPruned: 1032
        case .idempotencyConflict: 1050
        case .idempotencyInProgress: 1051
        case .provisionSelfRemoval: 1040
        case .provisionNotAdmin: 1041
        case .provisionGuestNotAllowed: 1042
        case .provisionOutsideDomain: 1044
        case .provisionNotReaddable: 1043
        case .syncInProgress: 1020
        case .syncDeadlineExceeded: 1021
        case .upstreamUnauthorized: 1100
        case .upstreamForbidden: 1101
        case .upstreamRateLimited: 1102
        case .upstreamUnavailable: 1103
        case .upstreamRejected: 1104
        case .upstreamMalformed: 1105
        case .storageFull: 1070
        case .storageUnavailable: 1071
        }
    }

    /// When the error happens and which `error.data` members it carries (Markdown, as in protocol.md §6).
    public var meaning: String {
        switch self {
        case .rpcParseError: "the line is not strict JSON; `data.offset` is the byte where it failed"
        case .rpcInvalidRequest: "valid JSON but not a JSON-RPC request (bad `jsonrpc`, `method`, `id` or `params` type, empty batch)"
        case .limitLineBytes: "line longer than the limit (`data.maximumLineBytes`)"
        case .limitLineSeconds: "a line was started but its LF did not arrive within `data.maximumLineSeconds`; the connection is then closed"
        case .limitConnections: "the server is at its connection limit (`data.maximumConnections`) and every open connection has an identity: sent as the only line on the new connection, which is then closed. Also sent to a connection without an identity when a newcomer takes its place (§7); a request it had in progress gets no answer"
        case .limitAnswerBytes: "an answer did not fit in an answer line (`data.maximumAnswerBytes`, §7). `data.ran: true`: the request ran (its effects happened) but its answer is not sent; `data.ran: false`: a batch element that was not run because the batch's answers had filled the line, or the connection's room for answers not yet read (`data.maximumQueuedBytes`)"
        case .serverShuttingDown: "the connection arrived while the server drains on SIGTERM/SIGINT; sent as its only line, then it is closed. Also the answer to a call still running when the drain limit passed (`data.cutOff: true`): it may have been partly done"
        case .limitJsonDepth: "JSON nested deeper than `data.maximumJSONDepth`"
        case .limitBatchLength: "batch longer than `data.maximumBatchLength`"
        case .limitJsonValues: "the line holds more JSON values (scalars, arrays and objects; member names not counted) than `data.maximumJSONValues`, counted before anything decodes it"
        case .rpcMethodNotFound: "no such method (`data.method`)"
        case .rpcInvalidParams: "a param is missing, unknown, of the wrong type or out of range; `data.field` names it when one param is at fault (`users[1].email` for array elements); params sent as an array have no `field`"
        case .rpcInternalError: "a server fault; details are in the server log"
        case .authRequired: "the method needs an identity; `authenticate` first (§4)"
        case .authForbidden: "the identity's role may not call the method; `data.allowedRoles`"
        case .authFailed: "the API token is not valid (unknown, altered, revoked or expired)"
        case .authTooManyAttempts: "5 failed `authenticate` calls on this connection"
        case .authTokenRevoked: "the token this connection authenticated with was revoked; the call did not run and the connection is unauthenticated now (§4); `data.token`"
        case .authTokenExpired: "the token this connection authenticated with has expired; the call did not run and the connection is unauthenticated now (§4); `data.token`, `data.expiredAt`"
        case .authCertificateRejected: "the client certificate's subject holds more than one common name; the connection is closed"
        case .workspaceNotSynced: "the workspace has no snapshot yet; `data.credentialStored` is `false` when no credential is stored for it either (the gid may be mistyped)"
        case .workspaceUnknownName: "no workspace visible to the stored credentials has that exact name; `data.workspaces` lists `[{gid, name}]` of those they see (§5)"
        case .workspaceAmbiguousName: "several visible workspaces have that name; `data.gids` lists them (§5)"
        case .credentialMissing: "no credential of the needed purpose for the workspace"
        case .credentialUnreadable: "the stored credential cannot be decrypted (altered, or another master key)"
        case .credentialReauthorizationRequired: "the OAuth credential must be authorized again: Asana refused its refresh token (`invalid_grant`), or it has none and expired; `data.workspace`, `data.purpose`, `data.reason`. Nothing was sent to Asana"
        case .credentialChecksFailed: "the connection test of `putCredential` (or `asana-accessd credentials put`) failed, nothing stored; `data.checks` `[{name, ok, detail, fix}]`, `data.workspace`, `data.purpose`"
        case .oauthUnknownState: "`oauthFinish` with a state that was never started, already finished, or expired (10 minutes)"
        case .oauthClientUnknown: "no client secret is stored for that `clientId`"
        case .oauthExchangeRefused: "Asana refused the code; `data.status`, `data.asanaError` (`invalid_grant`, `invalid_client`, …), `data.asanaErrorDescription`"
        case .oauthWorkspaceNotGranted: "the granted token cannot see the workspace (`data.workspaces` lists what it sees), or may not list workspaces at all (`data.workspaces` empty: authorize with `workspaces:read`)"
        case .oauthChecksFailed: "the connection test with the granted token failed, nothing stored; `data.checks` `[{name, ok, detail, fix}]`"
        case .oauthRefreshRefused: "Asana refused to refresh an OAuth access token for another reason than `invalid_grant`; `data.asanaError` (`invalid_client`: the stored client secret of `data.clientId` is wrong), `data.workspace`, `data.purpose`. The credential stays `active`"
        case .oauthClientUnreadable: "the stored client secret of that `clientId` cannot be decrypted (altered, or another master key)"
        case .limitOauthPending: "1,000 authorizations already wait for `oauthFinish`"
        case .teamNotFound: "no team with that gid or exact name; `data.closeNames` lists `[{gid, name}]` of teams with a close name (another case, a few letters off)"
        case .teamAmbiguous: "that team name matches several teams (`data.gids`)"
        case .syncRunNotFound: "no sync run with that id"
        case .historyBeforeFirstSync: "`asOf` is before any sync of the workspace committed: there is no picture of it then; `data.workspace`, `data.asOf`"
        case .historyPruned: "the moment (`asOf`, or `since` of `listAccessChanges`) is before the history this server keeps (`serve --history-retention`); `data.workspace`, `data.keptFrom`"
        case .idempotencyConflict: "the `idempotencyKey` was used with other params"
        case .idempotencyInProgress: "a call with the same `idempotencyKey` is still running"
        case .provisionSelfRemoval: "refusing to remove the user whose credential provisions"
        case .provisionNotAdmin: "Asana refused (403) an add because the provisioning credential's user is not an active admin of the workspace; `data.provisioner`, `data.asanaMessage`"
        case .provisionGuestNotAllowed: "Asana refused (403) to add an email outside the organization's email domains (the person would be a guest); `data.emailDomains`, `data.asanaMessage`"
        case .provisionOutsideDomain: "an `add` of an email outside the organization's email domains without `allowGuest: true` (Asana would make the person a guest; often a typo); reported in the person's workspace target, nothing sent to Asana; `data.email`, `data.domain`, `data.emailDomains`, `data.workspace` (§5 `provision`)"
        case .provisionNotReaddable: "Asana refused (403) to add back a person who was deprovisioned before (they have only inactive memberships); `data.asanaMessage`"
        case .syncInProgress: "a sync of that workspace is already running"
        case .syncDeadlineExceeded: "the sync was still reading Asana when its deadline passed (`serve --sync-deadline`, default 3,600 s); nothing committed, the run recorded `failed` with this reason, the workspace free again; `data.workspace`, `data.deadlineSeconds`, `data.phase`"
        case .upstreamUnauthorized: "Asana refused the token (401)"
        case .upstreamForbidden: "Asana refused the call (403), e.g. the provisioning user is not a workspace admin"
        case .upstreamRateLimited: "Asana kept answering 429 after the client's retries; `data.retryAfterMs` when Asana said"
        case .upstreamUnavailable: "Asana answered 5xx or could not be reached, after retries for reads (a connection refused or not up within the connect timeout: after 3 tries, any method); `data.status` is Asana's HTTP status and `data.asanaPhrase` the phrase Asana gives on a 500 for its support team"
        case .upstreamRejected: "Asana answered 400/404 (e.g. an unknown workspace gid)"
        case .upstreamMalformed: "Asana's answer broke its own contract (e.g. a list page without `next_page`, a repeated `next_page.offset`, or a listing still going after 20,000 pages: the message names the listing and the bound)"
        case .storageFull: "the disk holding the database is full (SQLite `SQLITE_FULL`); the call's transaction was rolled back: nothing was committed to the database (a `provision` that failed this way may already have changed Asana: `sync` shows it)"
        case .storageUnavailable: "the database could not be read or written for another reason (I/O error, read-only file or file system, or a PostgreSQL store the server cannot reach within about 5 s); nothing was committed"
        }
    }

    /// Whether and when retrying helps (Markdown, as in protocol.md §6).
    public var retry: String {
        switch self {
        case .rpcParseError: "no: fix the line"
        case .rpcInvalidRequest: "no"
        case .limitLineBytes: "no"
        case .limitLineSeconds: "reconnect; send whole lines"
        case .limitConnections: "yes, later; authenticate right after connecting"
        case .limitAnswerBytes: "ask for less, or send the request on its own"
        case .serverShuttingDown: "yes, on a new connection (to this server once restarted, or another); after `cutOff`, check the call's effects first (`provision` records each Asana write ahead in the audit log)"
        case .limitJsonDepth: "no"
        case .limitBatchLength: "no: split it"
        case .limitJsonValues: "no: send less per line"
        case .rpcMethodNotFound: "no"
        case .rpcInvalidParams: "no"
        case .rpcInternalError: "maybe, later"
        case .authRequired: "after authenticating"
        case .authForbidden: "no"
        case .authFailed: "no"
        case .authTooManyAttempts: "on a new connection"
        case .authTokenRevoked: "after `authenticate` with another token"
        case .authTokenExpired: "after `authenticate` with a current token"
        case .authCertificateRejected: "no: use a certificate with one CN"
        case .workspaceNotSynced: "after a `sync`"
        case .workspaceUnknownName: "no: use a listed name or gid"
        case .workspaceAmbiguousName: "no: pass a gid"
        case .credentialMissing: "after `asana-accessd credentials put`"
        case .credentialUnreadable: "after storing it again"
        case .credentialReauthorizationRequired: "after `oauthStart` + `oauthFinish`"
        case .credentialChecksFailed: "after fixing what a `fix` says; `force: true` for a non-admin `provision` credential; `check: false` when Asana cannot be reached"
        case .oauthUnknownState: "no: start again"
        case .oauthClientUnknown: "after `putOAuthClient`"
        case .oauthExchangeRefused: "no: start again"
        case .oauthWorkspaceNotGranted: "no: authorize for that workspace"
        case .oauthChecksFailed: "after fixing what a `fix` says; `force: true` for a non-admin `provision` grant"
        case .oauthRefreshRefused: "after `putOAuthClient` with the right secret"
        case .oauthClientUnreadable: "after `putOAuthClient`"
        case .limitOauthPending: "yes, when some finish or expire"
        case .teamNotFound: "no"
        case .teamAmbiguous: "use a gid"
        case .syncRunNotFound: "no"
        case .historyBeforeFirstSync: "no: ask for a later moment (`listSyncRuns` shows when the first committed)"
        case .historyPruned: "no: ask for a moment from `data.keptFrom` on"
        case .idempotencyConflict: "no: use a new key"
        case .idempotencyInProgress: "yes, to get its stored answer"
        case .provisionSelfRemoval: "no: store another admin's credential first"
        case .provisionNotAdmin: "after storing an admin's credential"
        case .provisionGuestNotAllowed: "no: use the company address, or invite the guest in Asana"
        case .provisionOutsideDomain: "no: fix the address, or send `allowGuest: true` (`asana-access provision --allow-guest`)"
        case .provisionNotReaddable: "no: reactivate them in Asana's admin console"
        case .syncInProgress: "yes, when it has finished"
        case .syncDeadlineExceeded: "yes, later (Asana may be slow or broken), or with a longer deadline"
        case .upstreamUnauthorized: "after storing a valid token"
        case .upstreamForbidden: "no"
        case .upstreamRateLimited: "yes, after `retryAfterMs`"
        case .upstreamUnavailable: "yes, with backoff"
        case .upstreamRejected: "no"
        case .upstreamMalformed: "maybe, later"
        case .storageFull: "after the operator frees space"
        case .storageUnavailable: "later, after the operator checks the disk or the database server"
        }
    }
}
