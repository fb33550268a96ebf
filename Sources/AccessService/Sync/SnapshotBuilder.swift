import AccessStore
import AsanaAPI

/// Turns what Asana returned for one workspace into the snapshot the store keeps.
///
/// - The people in the workspace are everyone with an active workspace membership (memberships carry name
///   and email), plus everyone `GET /users?workspace=` lists when that was read (only when the memberships could
///   not be: `users` is empty otherwise); a person whose only memberships are inactive and who is not listed has
///   left (the store marks them departed).
/// - Access flags come from workspace memberships, never from presence in `/users`
///   (https://forum.asana.com/t/new-api-resource-workspace-memberships/57272, https://github.com/rbright/asana/issues/12). A removed and re-added person has several memberships: the active one wins.
/// - When memberships could not be read (`memberships == nil`), every flag is unknown (`nil`), never guessed.
enum SnapshotBuilder {
    static func build(
        workspace: AsanaWorkspace,
        users: [AsanaUser],
        memberships: [AsanaWorkspaceMembership]?,
        teams: [AsanaTeam],
        teamMemberships: [String: [AsanaTeamMembership]]
    ) -> WorkspaceSnapshot {
        var membershipByUser: [String: AsanaWorkspaceMembership] = [:]
        for membership in memberships ?? [] {
            guard let userGid = membership.user?.gid else { continue }
            if let current = membershipByUser[userGid], current.isActive == true, membership.isActive != true { continue }
            membershipByUser[userGid] = membership
        }
        var people: [String: SnapshotUser] = [:]
        var order: [String] = []
        func add(gid: String, name: String?, email: String?) {
            let membership = membershipByUser[gid]
            if var existing = people[gid] {
                existing.name = existing.name ?? name
                existing.email = existing.email ?? email
                people[gid] = existing
                return
            }
            order.append(gid)
            people[gid] = SnapshotUser(
                gid: gid, name: name, email: email,
                isActive: membership?.isActive, isAdmin: membership?.isAdmin,
                isGuest: membership?.isGuest, isViewOnly: membership?.isViewOnly)
        }
        for user in users { add(gid: user.gid, name: user.name, email: user.email) }
        for membership in memberships ?? [] {  // in listing order, so the snapshot's order does not depend on hashing
            guard let gid = membership.user?.gid, let chosen = membershipByUser[gid], chosen.isActive == true else { continue }
            add(gid: gid, name: chosen.user?.name, email: chosen.user?.email)
        }
        let snapshotTeams = teams.map { SnapshotTeam(gid: $0.gid, name: $0.name ?? $0.gid) }
        var snapshotTeamMemberships: [SnapshotTeamMembership] = []
        for team in teams {
            for membership in teamMemberships[team.gid] ?? [] {
                guard let userGid = membership.user?.gid, people[userGid] != nil else { continue }
                snapshotTeamMemberships.append(SnapshotTeamMembership(
                    teamGid: team.gid, userGid: userGid,
                    isAdmin: membership.isAdmin, isGuest: membership.isGuest, isLimitedAccess: membership.isLimitedAccess))
            }
        }
        return WorkspaceSnapshot(
            workspace: SnapshotWorkspace(gid: workspace.gid, name: workspace.name ?? workspace.gid, isOrganization: workspace.isOrganization ?? false),
            users: order.compactMap { people[$0] },
            teams: snapshotTeams,
            teamMemberships: snapshotTeamMemberships)
    }
}
