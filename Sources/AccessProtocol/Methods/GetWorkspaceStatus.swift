import Foundation

/// `getWorkspaceStatus`: one workspace at a glance (protocol.md §5, `getWorkspaceStatus`). Role: reader.
public enum GetWorkspaceStatus: AccessMethod {
    /// `{workspace}`.
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name.
        public var workspace: String

        public init(workspace: String) {
            self.workspace = workspace
        }
    }

    /// `{workspace, credentials, lastRun, nextScheduledRunAt, schedule, pausedReason, capabilities}`; every member present.
    public struct Result: Codable, Sendable, Equatable {
        /// `{gid, name}`; `name` is `null` until a sync stored the workspace.
        public var workspace: WorkspaceName
        /// Stored credentials, `provision` then `sync`.
        public var credentials: [CredentialStatus]
        /// The latest sync run (any trigger, possibly still running), or `null`.
        @Nullable public var lastRun: SyncRun?
        /// When the next scheduled sync is due; `null` unless `schedule` is `active` (and before the scheduler first looked at the workspace).
        @Nullable public var nextScheduledRunAt: Date?
        public var schedule: ScheduleState
        /// Why the schedule is paused (the error of the failing credential and what to do); `null` unless `paused`.
        @Nullable public var pausedReason: String?
        /// What the last successful sync in this server process could read, or `null`.
        @Nullable public var capabilities: Sync.Capabilities?

        public init(workspace: WorkspaceName, credentials: [CredentialStatus], lastRun: SyncRun?, nextScheduledRunAt: Date?,
                    schedule: ScheduleState, pausedReason: String?, capabilities: Sync.Capabilities?) {
            self.workspace = workspace
            self.credentials = credentials
            self.lastRun = lastRun
            self.nextScheduledRunAt = nextScheduledRunAt
            self.schedule = schedule
            self.pausedReason = pausedReason
            self.capabilities = capabilities
        }
    }

    /// A stored credential as the status shows it, never the secret.
    public struct CredentialStatus: Codable, Sendable, Equatable {
        public var purpose: CredentialPurpose
        public var kind: CredentialKind
        /// `"sha256:"` + 12 hex digits of the secret's SHA-256.
        public var fingerprint: String
        /// When the secret was last stored.
        public var updatedAt: Date
        /// `active`, or `reauthorizationRequired` once Asana refused its OAuth refresh token.
        public var state: CredentialState
        /// Why it is not `active`; `null` when it is.
        @Nullable public var stateReason: String?
        /// For a credential from `oauthFinish`: who granted it, to which app, with which scopes; `null` otherwise.
        @Nullable public var oauth: OAuthGrant?

        public init(purpose: CredentialPurpose, kind: CredentialKind, fingerprint: String, updatedAt: Date, state: CredentialState,
                    stateReason: String?, oauth: OAuthGrant?) {
            self.purpose = purpose
            self.kind = kind
            self.fingerprint = fingerprint
            self.updatedAt = updatedAt
            self.state = state
            self.stateReason = stateReason
            self.oauth = oauth
        }
    }

    /// What may be shown of an OAuth credential's grant (no token): for an auditor's "who authorized this?".
    public struct OAuthGrant: Codable, Sendable, Equatable {
        /// The OAuth app's client id.
        public var clientId: String
        /// The scopes granted (`["default"]` for full permissions).
        public var scopes: [String]
        /// The Asana user who granted it.
        public var authorizedUser: AuthorizedUser
        /// When the current access token expires (the server refreshes it before).
        public var accessTokenExpiresAt: Date
        /// Whether a refresh token is held.
        public var refreshable: Bool

        public init(clientId: String, scopes: [String], authorizedUser: AuthorizedUser, accessTokenExpiresAt: Date, refreshable: Bool) {
            self.clientId = clientId
            self.scopes = scopes
            self.authorizedUser = authorizedUser
            self.accessTokenExpiresAt = accessTokenExpiresAt
            self.refreshable = refreshable
        }
    }

    /// Whether the server syncs the workspace on its own.
    public enum ScheduleState: String, WireEnum {
        /// The scheduler syncs the workspace every interval.
        case active
        /// A credential failure (401, reauthorization required, unreadable) stopped scheduled syncs until a new credential is stored.
        case paused
        /// No scheduler runs (`serve --sync-interval 0`, or not a server), or the workspace has no credential that can sync.
        case disabled
    }

    public static let name = "getWorkspaceStatus"
    public static let summary = "One workspace at a glance: stored credentials (fingerprints), the last sync run, the next scheduled sync, whether the schedule is active, paused or disabled, and what the last sync could read."
    public static let minimumRole: AccessRole? = .reader
    public static let paramNames: Set<String> = ["workspace"]
}
