import AccessProtocol
import AccessStore
import Foundation
import LineRPC

/// Params of `getWorkspaceStatus`.
public struct WorkspaceStatusParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["workspace"]
    /// Workspace gid or exact name.
    public var workspace: String
}

/// A stored credential as `getWorkspaceStatus` shows it: never the secret.
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
    public var stateReason: String?
    /// For a credential from `oauthFinish`: who granted it, to which app, with which scopes; `null` otherwise.
    public var oauth: OAuthGrantStatus?

    enum CodingKeys: String, CodingKey { case purpose, kind, fingerprint, updatedAt, state, stateReason, oauth }

    /// Encodes every member, an absent reason as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(purpose, forKey: .purpose)
        try container.encode(kind, forKey: .kind)
        try container.encode(fingerprint, forKey: .fingerprint)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(state, forKey: .state)
        try container.encode(stateReason, forKey: .stateReason)
        try container.encode(oauth, forKey: .oauth)
    }
}

/// What may be shown of an OAuth credential's grant (no token): for an auditor's "who authorized this?".
public struct OAuthGrantStatus: Codable, Sendable, Equatable {
    /// The OAuth app's client id.
    public var clientId: String
    /// The scopes granted (`["default"]` for full permissions).
    public var scopes: [String]
    /// The Asana user who granted it.
    public var authorizedUser: AuthorizedUserResult
    /// When the current access token expires (the server refreshes it before).
    public var accessTokenExpiresAt: Date
    /// Whether a refresh token is held.
    public var refreshable: Bool
}

/// The answer to `getWorkspaceStatus`: credentials, last run, schedule and capabilities of one workspace.
public struct WorkspaceStatus: Codable, Sendable {
    /// `{gid, name}`; `name` is `null` until a sync stored the workspace.
    public var workspace: WorkspaceName
    /// Stored credentials, `provision` then `sync`.
    public var credentials: [CredentialStatus]
    /// The latest sync run (any trigger, possibly still running), or `null`.
    public var lastRun: SyncRun?
    /// When the next scheduled sync is due; `null` unless `schedule` is `active` (and before the scheduler first looked at the workspace).
    public var nextScheduledRunAt: Date?
    /// `active`, `paused` or `disabled`.
    public var schedule: ScheduleState
    /// Why the schedule is paused (the error of the failing credential and what to do); `null` unless `paused`.
    public var pausedReason: String?
    /// What the last successful sync in this server process could read, or `null`.
    public var capabilities: Sync.Capabilities?

    enum CodingKeys: String, CodingKey { case workspace, credentials, lastRun, nextScheduledRunAt, schedule, pausedReason, capabilities }

    /// Encodes every member, an absent value as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workspace, forKey: .workspace)
        try container.encode(credentials, forKey: .credentials)
        try container.encode(lastRun, forKey: .lastRun)
        try container.encode(nextScheduledRunAt, forKey: .nextScheduledRunAt)
        try container.encode(schedule, forKey: .schedule)
        try container.encode(pausedReason, forKey: .pausedReason)
        try container.encode(capabilities, forKey: .capabilities)
    }
}

extension AccessService {
    /// The grant of the OAuth credential of (workspace, purpose), or nil for a PAT, a bare token, or one that does not open.
    func oauthGrant(workspace: String, purpose: CredentialPurpose) -> OAuthGrantStatus? {
        guard let opened = try? store.openCredential(workspaceGid: workspace, purpose: purpose), opened.kind == .oauth,
              let tokens = OAuthTokenSet.decode(opened.secret) else { return nil }
        return OAuthGrantStatus(
            clientId: tokens.clientId, scopes: tokens.scopes,
            authorizedUser: AuthorizedUserResult(gid: tokens.authorizedUser.gid, name: tokens.authorizedUser.name, email: tokens.authorizedUser.email),
            accessTokenExpiresAt: tokens.expiresAt, refreshable: tokens.refreshToken != nil)
    }

    /// The status of `workspace` (a gid or an exact name): stored credentials, last sync run, schedule, capabilities.
    /// Reads only the store and the in-memory schedule; asks Asana nothing (except to resolve a name).
    public func workspaceStatus(workspace: String) async throws -> WorkspaceStatus {
        let gid = try await resolveWorkspace(workspace)
        let credentials = try store.credentialSummaries().filter { $0.workspaceGid == gid }
            .sorted { $0.purpose.rawValue < $1.purpose.rawValue }
        let canSync = credentials.contains { $0.purpose == .sync || $0.purpose == .provision }
        let scheduled = await schedule.status(workspace: gid, canSync: canSync)
        return WorkspaceStatus(
            workspace: WorkspaceName(gid: gid, name: try store.workspace(gid: gid)?.name),
            credentials: credentials.map {
                CredentialStatus(purpose: $0.purpose, kind: $0.kind, fingerprint: $0.fingerprint, updatedAt: $0.updatedAt,
                                 state: $0.state, stateReason: $0.stateReason, oauth: oauthGrant(workspace: gid, purpose: $0.purpose))
            },
            lastRun: try store.syncRuns(workspaceGid: gid, limit: 1).first,
            nextScheduledRunAt: scheduled.nextRunAt,
            schedule: scheduled.state,
            pausedReason: scheduled.pausedReason,
            capabilities: scheduled.capabilities)
    }
}
