import AccessProtocol
import AccessStore
import Foundation

/// The answer to `sync`: what the snapshot now holds and what changed.
public struct SyncResult: Codable, Sendable {
    /// The workspace: `{gid, name, isOrganization}`.
    public var workspace: WorkspaceRef
    /// The id of the sync run recorded for this call.
    public var runId: Int64
    /// `succeeded` when everything was read, `partial` when some team data could not be read (see
    /// ``skipped``); a sync that cannot read users or workspace memberships fails instead of answering.
    public var status: SyncRunStatus
    /// What could not be read and why, in the order found; empty when `status` is `succeeded`.
    /// What is listed here was kept as in the last snapshot, never emptied.
    public var skipped: [SyncSkip]
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
    public var capabilities: SyncCapabilities
    public var finishedAt: Date
}

/// One part of a workspace a sync could not read (after the client's retries), so a `partial` run kept
/// it as in the last snapshot.
public struct SyncSkip: Codable, Sendable, Equatable {
    /// `"teams"` (the team listing: every team and team membership was kept) or `"teamMemberships"`
    /// (the members of ``team``: that team's memberships were kept).
    public var what: String
    /// The team whose memberships could not be read; `nil` (encoded as `null`) for `"teams"`.
    public var team: SkippedTeam?
    /// Why: the error as `message (code name)`, e.g. `… (1101 upstream.forbidden)`.
    public var reason: String

    public init(what: String, team: SkippedTeam?, reason: String) {
        self.what = what
        self.team = team
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case what, team, reason }

    /// Encodes every member, `team` as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(what, forKey: .what)
        try container.encode(team, forKey: .team)
        try container.encode(reason, forKey: .reason)
    }

    /// The skip as one line of a run's `error` text: `teams: <reason>` or `teamMemberships of team <gid> "<name>": <reason>`.
    var line: String {
        guard let team else { return "\(what): \(reason)" }
        return "\(what) of team \(team.gid) \"\(team.name)\": \(reason)"
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
public struct SyncCapabilities: Codable, Sendable, Equatable {
    /// Workspace memberships (active, admin, guest, view-only) were readable.
    public var membershipFlags: Bool
    /// Teams were read (organizations only); `false` also when the team listing failed (then listed in `skipped`).
    public var teams: Bool
}
