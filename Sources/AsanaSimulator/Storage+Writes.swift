import Foundation

/// Membership writes, as Asana performs them (Asana OpenAPI operations `addUserForWorkspace`, `removeUserForWorkspace`,
/// `addUserForTeam`, `removeUserForTeam`; "chosen" where [UNCONFIRMED]).
extension Storage {
    /// `POST /workspaces/{gid}/addUser`.
    ///
    /// - Caller must be an active admin of the workspace → else 403 (contract; Asana's docs state no
    ///   requirement for addUser, [UNCONFIRMED]).
    /// - `user` = `me` / gid / email. An unknown email is **invited**: a new user (name = the email's local part,
    ///   chosen) with an active membership (pending invites are `is_active: true`, Asana OpenAPI `WorkspaceMembershipResponse`); guest when
    ///   the domain is not one of an organization's `email_domains` (third-party: https://www.toriihq.com/articles/how-to-create-user-asana).
    ///   An unknown gid → 400.
    /// - Already an active member → 200 with the same user, nothing changes (chosen: idempotent).
    /// - Removed earlier (only inactive memberships) → a **new** active membership; the old stays inactive
    ///   (https://forum.asana.com/t/new-api-resource-workspace-memberships/57272). Team memberships are not restored.
    /// - Opt-in refusals (chosen: a modelling choice of this simulator; Asana does not document these answers):
    ///   - the workspace has `guests_allowed: false` and the email (of the new or existing person) is outside an
    ///     organization's `email_domains` → 403 `<email> is outside this organization's email domains and guests are
    ///     not allowed` (nothing is created);
    ///   - the person has memberships in the workspace, all inactive, and one has `readdable: false` → 403
    ///     `This user was deprovisioned and cannot be re-added to the organization`.
    /// - Returns the user.
    mutating func addUser(_ reference: String, toWorkspace workspaceGid: String, caller: String) throws(AsanaErrorBody) -> SimulatorSeed.User {
        let workspace = try requireAdministeredWorkspace(pathGid: workspaceGid, caller: caller, action: "add users")
        let known = self.user(named: reference, caller: caller)
        let email: String?
        if let known {
            if activeMembership(user: known.gid, workspace: workspace.gid) != nil { return known }
            email = known.email
        } else if reference.contains("@") {
            let trimmed = reference.trimmingCharacters(in: .whitespaces)
            guard Self.isPlausibleEmail(trimmed) else { throw .badRequest("user: Not a valid email address: \(reference)") }
            email = trimmed
        } else {
            throw .notRecognized("user", reference)
        }
        let isGuest = workspace.isOrganization && !Self.isInDomains(email, workspace)
        if isGuest && !workspace.guestsAllowed {
            throw .forbidden("\(email ?? reference) is outside this organization's email domains and guests are not allowed")
        }
        if let known {
            let past = workspaceMemberships(ofUser: known.gid).filter { $0.workspace == workspace.gid }
            if !past.isEmpty, past.allSatisfy({ !$0.isActive }), past.contains(where: { !$0.readdable }) {
                throw .forbidden("This user was deprovisioned and cannot be re-added to the organization")
            }
        }
        let user: SimulatorSeed.User
        if let known {
            user = known
        } else {
            let address = email ?? reference
            let local = address[..<(address.firstIndex(of: "@") ?? address.endIndex)]
            user = SimulatorSeed.User(gid: allocateGid(), name: String(local), email: address)
            insert(user: user)
        }
        let membership = SimulatorSeed.WorkspaceMembership(
            gid: allocateGid(), user: user.gid, workspace: workspace.gid, isActive: true, isAdmin: false,
            isGuest: isGuest, isViewOnly: false)
        store(membership)
        return user
    }

    /// Marks every membership of `user` in `workspace` `readdable: false` (see ``addUser(_:toWorkspace:caller:)``).
    /// - Returns: whether the person has any membership there.
    mutating func markNotReaddable(user: String, workspace: String) -> Bool {
        var found = false
        for var membership in workspaceMemberships(ofUser: user) where membership.workspace == workspace {
            membership.readdable = false
            store(membership)
            found = true
        }
        return found
    }

    /// `POST /workspaces/{gid}/removeUser`.
    ///
    /// - Caller must be an active admin → else 403 (Asana OpenAPI operation `removeUserForWorkspace`; status [inferred]).
    /// - Unknown user → 400 `user: Not a recognized ID` (chosen).
    /// - Sets the person's active membership(s) in the workspace to `is_active: false` (kept, as Asana keeps it,
    ///   https://forum.asana.com/t/new-api-resource-workspace-memberships/57272) and deletes their team memberships in that organization; they
    ///   drop out of `GET /users?workspace=` (chosen: not documented by Asana; cf. https://github.com/rbright/asana/issues/12).
    /// - Someone who is not an active member → 200 `{"data":{}}`, nothing changes (chosen: idempotent).
    /// - Removing yourself is allowed (chosen); you lose access with it.
    mutating func removeUser(_ reference: String, fromWorkspace workspaceGid: String, caller: String) throws(AsanaErrorBody) {
        let workspace = try requireAdministeredWorkspace(pathGid: workspaceGid, caller: caller, action: "remove users")
        let user = try requireUser(reference, caller: caller)
        for var membership in workspaceMemberships(ofUser: user.gid) where membership.workspace == workspace.gid && membership.isActive {
            membership.isActive = false
            store(membership)
        }
        for membership in teamMemberships(ofUser: user.gid) where teams[membership.team]?.organization == workspace.gid {
            removeTeamMembership(gid: membership.gid)
        }
    }

    /// `POST /teams/{gid}/addUser`.
    ///
    /// - Caller: member of the team or admin of its organization → else 403.
    /// - Unknown user → 400; a user without an active membership in the team's organization → 403 with a message
    ///   (Asana OpenAPI operation `addUserForTeam`: "The user being added must exist in the same organization as the
    ///   team"; status chosen).
    /// - Already in the team → 200 with the existing membership (chosen: idempotent).
    /// - New membership: `is_guest` copied from the workspace membership, not admin, not limited access.
    mutating func addUser(_ reference: String, toTeam teamGid: String, caller: String) throws(AsanaErrorBody) -> SimulatorSeed.TeamMembership {
        let team = try requireManagedTeam(pathGid: teamGid, caller: caller)
        let user = try requireUser(reference, caller: caller)
        guard let membership = activeMembership(user: user.gid, workspace: team.organization) else {
            throw .forbidden(
                "user: \(reference) is not an active member of organization \(team.organization). Add them to the organization first.")
        }
        if let existing = teamMemberships(ofUser: user.gid).first(where: { $0.team == team.gid }) {
            return existing
        }
        let created = SimulatorSeed.TeamMembership(
            gid: allocateGid(), user: user.gid, team: team.gid, isAdmin: false, isGuest: membership.isGuest, isLimitedAccess: false)
        insert(teamMembership: created)
        return created
    }

    /// `POST /teams/{gid}/removeUser`: deletes the person's membership of the team.
    ///
    /// - Caller: member of the team or admin of its organization → else 403. Unknown user → 400.
    /// - Not in the team → 200 `{"data":{}}` (chosen: idempotent).
    mutating func removeUser(_ reference: String, fromTeam teamGid: String, caller: String) throws(AsanaErrorBody) {
        let team = try requireManagedTeam(pathGid: teamGid, caller: caller)
        let user = try requireUser(reference, caller: caller)
        for membership in teamMemberships(ofUser: user.gid) where membership.team == team.gid {
            removeTeamMembership(gid: membership.gid)
        }
    }

    /// One `@`, a non-empty local part, a dotted domain, no spaces.
    static func isPlausibleEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return !value.contains { $0.isWhitespace }
    }
}
