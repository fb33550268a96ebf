import Foundation

/// `sync`: pull the users, workspace memberships, teams and team memberships of a workspace from Asana
/// into the snapshot (protocol.md §5, `sync`). Role: operator or above. With `progress: true` the server
/// sends ``Progress`` notifications (`sync.progress`) on the connection before the answer.
public enum Sync: AccessMethod {
    /// `{workspace, progress?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name.
        public var workspace: String
        /// When true, `sync.progress` notifications are sent on this connection before the answer.
        public var progress: Bool?

        public init(workspace: String, progress: Bool? = nil) {
            self.workspace = workspace
            self.progress = progress
        }
    }

    /// The answer to `sync`: what the snapshot now holds and what changed.
    public struct Result: Codable, Sendable, Equatable {
        /// The workspace: `{gid, name, isOrganization}`.
        public var workspace: WorkspaceRef
        /// The id of the sync run recorded for this call.
        public var runId: Int64
        /// `succeeded` when everything was read, `partial` when some team data could not be read (see
        /// ``skipped``); a sync that cannot read users or workspace memberships fails instead of answering.
        public var status: SyncRunStatus
        /// What could not be read and why, in the order found; empty when `status` is `succeeded`.
        /// What is listed here was kept as in the last snapshot, never emptied.
        public var skipped: [Skip]
        /// People in the workspace now.
        public var users: Int
        /// People new to the snapshot, or back after having departed.
        public var added: Int
        /// People whose name, email, flags or teams changed.
        public var updated: Int
        /// People absent from this complete sync, now kept with `departedAt` set.
        public var departed: Int
        /// Teams in the workspace (0 for a workspace that is not an organization).
        public var teams: Int
        /// Team memberships in the snapshot.
        public var teamMemberships: Int
        /// HTTP requests made to Asana, retries included.
        public var apiCalls: Int
        /// 429 answers Asana gave during the sync.
        public var rateLimited: Int
        /// Wall time of the sync, in milliseconds.
        public var durationMs: Int64
        /// What the credential could read: `{"membershipFlags": Bool, "teams": Bool}`. Unreadable flags are stored as unknown (null).
        public var capabilities: Capabilities
        /// When the snapshot was committed (or the run recorded).
        public var finishedAt: Date

        public init(workspace: WorkspaceRef, runId: Int64, status: SyncRunStatus, skipped: [Skip], users: Int, added: Int, updated: Int,
                    departed: Int, teams: Int, teamMemberships: Int, apiCalls: Int, rateLimited: Int, durationMs: Int64,
                    capabilities: Capabilities, finishedAt: Date) {
            self.workspace = workspace
            self.runId = runId
            self.status = status
            self.skipped = skipped
            self.users = users
            self.added = added
            self.updated = updated
            self.departed = departed
            self.teams = teams
            self.teamMemberships = teamMemberships
            self.apiCalls = apiCalls
            self.rateLimited = rateLimited
            self.durationMs = durationMs
            self.capabilities = capabilities
            self.finishedAt = finishedAt
        }
    }

    /// One part of a workspace a sync could not read (after the client's retries), so a `partial` run kept
    /// it as in the last snapshot.
    public struct Skip: Codable, Sendable, Equatable {
        /// `"teams"` (the team listing: every team and team membership was kept) or `"teamMemberships"`
        /// (the members of ``team``: that team's memberships were kept).
        public var what: String
        /// The team whose memberships could not be read; `nil` (encoded as `null`) for `"teams"`.
        @Nullable public var team: SkippedTeam?
        /// Why: the error as `message (code name)`, e.g. `… (1101 upstream.forbidden)`.
        public var reason: String

        public init(what: String, team: SkippedTeam?, reason: String) {
            self.what = what
            self.team = team
            self.reason = reason
        }
    }

    /// A team as `skipped` names it: `{gid, name}`.
    public struct SkippedTeam: Codable, Sendable, Equatable {
        public var gid: String
        public var name: String

        public init(gid: String, name: String) {
            self.gid = gid
            self.name = name
        }
    }

    /// What a sync could read with its credential.
    public struct Capabilities: Codable, Sendable, Equatable {
        /// Workspace memberships (active, admin, guest, view-only) were readable.
        public var membershipFlags: Bool
        /// Teams were read (organizations only); `false` also when the team listing failed (then listed in `skipped`).
        public var teams: Bool

        public init(membershipFlags: Bool, teams: Bool) {
            self.membershipFlags = membershipFlags
            self.teams = teams
        }
    }

    /// One `sync.progress` notification: where a sync is (protocol.md §8).
    ///
    /// Phases: `workspace` first; `workspaceMemberships` (then `users`, only after a 403 on the memberships) beside
    /// `teams` and `teamMemberships` (organizations only), so their notifications interleave; `commit` last.
    /// Each phase is announced when it starts (`done` 0); a listing phase is
    /// announced again when it has read everything (`done` = `total` = what it read), and `teamMemberships`
    /// after each 1% of the teams (every team when there are at most 100). Phase `waiting` (``waitingPhase``), at any
    /// point of the reading, says the sync is held by Asana's rate limit for ``waitSeconds`` (``waitReason`` says why).
    public struct Progress: Codable, Sendable, Equatable {
        /// The workspace gid: links the notification to its `sync`.
        public var workspace: String
        /// The phase's name.
        public var phase: String
        /// Items of the phase done so far: users or memberships read, teams whose memberships were listed.
        public var done: Int
        /// Items of the phase in all, or nil while unknown (Asana's lists do not say how long they are).
        @Nullable public var total: Int?
        /// The `id` of the `sync` request this progress belongs to (so that two syncs on one connection, by
        /// name or by gid, are told apart); `null` when `sync` was sent as a notification.
        @Nullable public var requestId: RPCID?
        /// Phase `waiting` only (absent otherwise): whole seconds, rounded up, the sync now waits before Asana may be
        /// asked again.
        public var waitSeconds: Int?
        /// Phase `waiting` only (absent otherwise): ``WaitReason``'s raw value, `rateLimited` or `requestBudget`.
        public var waitReason: String?

        public init(workspace: String, phase: String, done: Int = 0, total: Int? = nil, requestId: RPCID? = nil,
                    waitSeconds: Int? = nil, waitReason: String? = nil) {
            self.workspace = workspace
            self.phase = phase
            self.done = done
            self.total = total
            self.requestId = requestId
            self.waitSeconds = waitSeconds
            self.waitReason = waitReason
        }

        /// A `waiting` notification: the sync waits `seconds` for `reason`.
        public static func waiting(workspace: String, seconds: Int, reason: WaitReason) -> Progress {
            Progress(workspace: workspace, phase: Sync.waitingPhase, waitSeconds: seconds, waitReason: reason.rawValue)
        }
    }

    /// The phase of a sync held by Asana's rate limit (https://developers.asana.com/docs/rate-limits).
    public static let waitingPhase = "waiting"

    /// Why a sync is `waiting`.
    public enum WaitReason: String, Sendable, CaseIterable {
        /// Asana answered 429 Too Many Requests: every request of the credential waits its `Retry-After`.
        case rateLimited
        /// The credential's per-minute budget (`serve --asana-requests-per-minute`) is spent: the next request waits
        /// until the oldest counted one is a minute old. Told only for waits of more than a second.
        case requestBudget
    }

    public static let name = "sync"
    public static let summary = "Pull users, workspace memberships, teams and team memberships of a workspace from Asana into the snapshot."
    public static let minimumRole: AccessRole? = .operator
    public static let paramNames: Set<String> = ["workspace", "progress"]
    /// The method name of the progress notifications.
    public static let progressNotification = "sync.progress"
}
