import AccessProtocol
import AccessStore
import Foundation
import LineRPC

extension AccessService {
    /// The grant of the OAuth credential of (workspace, purpose), or nil for a PAT, a bare token, or one that does not open.
    func oauthGrant(workspace: String, purpose: CredentialPurpose) async -> GetWorkspaceStatus.OAuthGrant? {
        guard let opened = try? await store.openCredential(workspaceGid: workspace, purpose: purpose), opened.kind == .oauth,
              let tokens = OAuthTokenSet.decode(opened.secret) else { return nil }
        return GetWorkspaceStatus.OAuthGrant(
            clientId: tokens.clientId, scopes: tokens.scopes,
            authorizedUser: AuthorizedUser(gid: tokens.authorizedUser.gid, name: tokens.authorizedUser.name, email: tokens.authorizedUser.email),
            accessTokenExpiresAt: tokens.expiresAt, refreshable: tokens.refreshToken != nil)
    }

    /// The status of `workspace` (a gid or an exact name): stored credentials, last sync run, schedule, capabilities.
    /// Reads only the store; asks Asana nothing (except to resolve a name).
    /// - Throws: `1001 workspace.not_synced` with `credentialStored: false` for a workspace the server knows
    ///   nothing of (no credential, no snapshot, no sync run): most likely a mistyped gid.
    public func workspaceStatus(workspace: String) async throws -> GetWorkspaceStatus.Result {
        let gid = try await resolveWorkspace(workspace)
        let credentials = try await store.credentialSummaries().filter { $0.workspaceGid == gid }
            .sorted { $0.purpose.rawValue < $1.purpose.rawValue }
        let canSync = credentials.contains { $0.purpose == .sync || $0.purpose == .provision }
        let scheduled = try await schedule.status(workspace: gid, canSync: canSync)
        var statuses: [GetWorkspaceStatus.CredentialStatus] = []
        for credential in credentials {
            statuses.append(GetWorkspaceStatus.CredentialStatus(
                purpose: credential.purpose, kind: credential.kind, fingerprint: credential.fingerprint, updatedAt: credential.updatedAt,
                state: credential.state, stateReason: credential.stateReason, oauth: await oauthGrant(workspace: gid, purpose: credential.purpose)))
        }
        let stored = try await store.workspace(gid: gid)
        let lastRun = try await store.syncRuns(workspaceGid: gid, limit: 1).first
        // Nothing at all is known of it: most likely a mistyped gid, so say so rather than "disabled".
        if credentials.isEmpty, stored == nil, lastRun == nil { throw AccessError.workspaceNotSynced(gid, credentialStored: false) }
        return GetWorkspaceStatus.Result(
            workspace: WorkspaceName(gid: gid, name: stored?.name),
            credentials: statuses,
            lastRun: lastRun,
            nextScheduledRunAt: scheduled.nextRunAt,
            schedule: scheduled.state,
            pausedReason: scheduled.pausedReason,
            capabilities: scheduled.capabilities)
    }
}
