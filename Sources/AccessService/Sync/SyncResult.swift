import AccessStore
import Foundation

/// The answer to `sync`: what the snapshot now holds and what changed.
public struct SyncResult: Codable, Sendable {
    /// The workspace: `{gid, name, isOrganization}`.
    public var workspace: WorkspaceRef
    /// The id of the sync run recorded for this call.
    public var runId: Int64
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

/// What a sync could read with its credential.
public struct SyncCapabilities: Codable, Sendable, Equatable {
    /// Workspace memberships (active, admin, guest, view-only) were readable.
    public var membershipFlags: Bool
    /// Teams and team memberships were read (organizations only).
    public var teams: Bool
}

/// A workspace as answers name it.
public struct WorkspaceRef: Codable, Sendable, Equatable {
    public var gid: String
    public var name: String
    public var isOrganization: Bool
}
