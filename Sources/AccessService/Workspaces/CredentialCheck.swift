import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

/// The connection test run on save: reads only, never writes to Asana.
///
/// 1. `token`: `GET /users/me` answers, and says whose token it is.
/// 2. `workspace`: `GET /workspaces/{gid}` answers (the token's user can see the workspace).
/// 3. `provision`: `admin`: the user's own workspace membership (`…/workspace_memberships?user=<gid>`) is
///    active and `is_admin` (Asana lets only Admins and Super Admins add and remove people);
///    in an organization also `teams` (provision resolves team names).
///    `sync`: one page (`limit=1`) of each read the sync makes: `users`, `workspaceMemberships`,
///    and in an organization `teams` and one team's `teamMemberships`. A 403 on workspace memberships
///    is a capability gap (flags would be stored as unknown), reported with `ok: true` and a `fix`.
public struct CredentialChecker: Sendable {
    public let asana: AsanaClientFactory

    public init(asana: AsanaClientFactory) { self.asana = asana }

    /// Runs the checks of `purpose` for `token` against workspace `workspace` (a gid).
    public func run(workspace: String, purpose: CredentialPurpose, token: String) async -> TestCredential.Result {
        await run(workspace: workspace, purpose: purpose, client: asana.client(token: token))
    }

    /// Runs the checks of `purpose` with `client` (a stored credential's) against workspace `workspace` (a gid).
    public func run(workspace: String, purpose: CredentialPurpose, client: AsanaClient) async -> TestCredential.Result {
        var checks: [TestCredential.Check] = []
        var capabilities = Sync.Capabilities(membershipFlags: false, teams: false)
        var workspaceName = WorkspaceName(gid: workspace, name: nil)
        func finish() -> TestCredential.Result {
            TestCredential.Result(workspace: workspaceName, purpose: purpose, ok: checks.allSatisfy(\.ok), checks: checks, capabilities: capabilities)
        }

        let me: AsanaUser
        do {
            me = try await client.me()
            checks.append(TestCredential.Check(name: "token", ok: true, detail: "the token works (GET /users/me): it belongs to \(Self.person(me))"))
        } catch {
            checks.append(TestCredential.Check(name: "token", ok: false, detail: "GET /users/me failed: \(Self.text(error))",
                                          fix: Self.fix(error, otherwise: "Create a new personal access token in Asana (My settings → Apps → Developer apps) and store it.")))
            return finish()
        }

        let details: AsanaWorkspace
        do {
            details = try await client.workspace(gid: workspace)
            workspaceName.name = details.name
            let kind = details.isOrganization == true ? "an organization" : "a workspace (not an organization: no teams)"
            checks.append(TestCredential.Check(name: "workspace", ok: true, detail: "\(Self.label(workspaceName)) is visible to \(me.name ?? me.gid); it is \(kind)"))
        } catch {
            let visible = (try? await client.workspaces())?.map { "\"\($0.name ?? "")\" (\($0.gid))" } ?? []
            let seen = visible.isEmpty ? "" : " This token sees: \(visible.joined(separator: ", "))."
            checks.append(TestCredential.Check(name: "workspace", ok: false, detail: "GET /workspaces/\(workspace) failed: \(Self.text(error))",
                                          fix: Self.fix(error, otherwise: "Check the workspace gid, or use the token of a member of workspace \(workspace).") + seen))
            return finish()
        }
        let isOrganization = details.isOrganization == true

        switch purpose {
        case .provision:
            do {
                let memberships = try await client.workspaceMembership(workspace: workspace, user: me.gid)
                capabilities.membershipFlags = true
                let active = memberships.first { $0.isActive == true }
                let who = me.name ?? me.gid
                if active?.isAdmin == true {
                    checks.append(TestCredential.Check(name: "admin", ok: true, detail: "\(who) is an active admin of \(Self.label(workspaceName)), so they may add and remove people"))
                } else {
                    let state = active == nil ? "is not an active member of" : "is a member but not an admin of"
                    checks.append(TestCredential.Check(
                        name: "admin", ok: false,
                        detail: "\(who) \(state) \(Self.label(workspaceName)); Asana lets only workspace Admins and Super Admins add and remove people",
                        fix: "Store the token of an Admin or Super Admin of \(Self.label(workspaceName)), or make \(who) an admin in Asana's admin console (Members tab); `asana-accessd credentials put --force` stores this token anyway."))
                }
            } catch {
                checks.append(TestCredential.Check(name: "admin", ok: false, detail: "reading \(me.name ?? me.gid)'s workspace membership failed: \(Self.text(error))",
                                              fix: Self.fix(error, otherwise: "Use the token of a workspace Admin or Super Admin: it can read its own membership.")))
            }
            if isOrganization {
                await probe(.teams(workspace: workspace), with: client, name: "teams", what: "teams (provision resolves team names)", into: &checks)
                capabilities.teams = checks.last?.ok == true
            }
        case .sync:
            await probe(.users(workspace: workspace), with: client, name: "users", what: "people (GET /users?workspace=)", into: &checks)
            do {
                _ = try await client.firstPage(.workspaceMemberships(workspace: workspace))
                capabilities.membershipFlags = true
                checks.append(TestCredential.Check(name: "workspaceMemberships", ok: true, detail: "workspace memberships can be read: active, admin, guest and view-only flags will be known"))
            } catch AsanaAPIError.forbidden(let message) {
                checks.append(TestCredential.Check(
                    name: "workspaceMemberships", ok: true,
                    detail: "capability gap: Asana refused the workspace memberships (403: \(message)); a sync works, but every person's active/admin/guest/view-only flags will be unknown (null)",
                    fix: "For the flags, store a token that may read workspace memberships: a personal access token, or an OAuth token with full permissions rather than granular scopes."))
            } catch {
                checks.append(TestCredential.Check(name: "workspaceMemberships", ok: false, detail: "reading workspace memberships failed: \(Self.text(error))",
                                              fix: Self.fix(error, otherwise: "Retry later, or store another token.")))
            }
            if isOrganization {
                let teams = await probe(.teams(workspace: workspace), with: client, name: "teams", what: "teams", into: &checks)
                if let team = teams?.first {
                    let members = await probe(.teamMemberships(team: team), with: client, name: "teamMemberships", what: "team memberships (team \(team))", into: &checks)
                    capabilities.teams = members != nil
                } else if teams != nil {
                    capabilities.teams = true
                    checks.append(TestCredential.Check(name: "teamMemberships", ok: true, detail: "the organization has no team visible to this token: no team memberships to read"))
                }
            }
        }
        return finish()
    }

    /// Reads the first page of `read` and records a check; the gids on the page, or nil on failure.
    @discardableResult
    private func probe(_ read: AsanaClient.ReadProbe, with client: AsanaClient, name: String, what: String, into checks: inout [TestCredential.Check]) async -> [String]? {
        do {
            let gids = try await client.firstPage(read)
            checks.append(TestCredential.Check(name: name, ok: true, detail: "\(what) can be read"))
            return gids
        } catch {
            checks.append(TestCredential.Check(name: name, ok: false, detail: "reading \(what) failed: \(Self.text(error))",
                                          fix: Self.fix(error, otherwise: "Retry later, or store another token.")))
            return nil
        }
    }

    static func person(_ user: AsanaUser) -> String {
        let name = user.name ?? "(no name)"
        return user.email.map { "\(name) <\($0)> (gid \(user.gid))" } ?? "\(name) (gid \(user.gid))"
    }

    /// `"Acme Corp" (1000)`, or `workspace 1000` when the name is unknown.
    public static func label(_ workspace: WorkspaceName) -> String {
        workspace.name.map { "\"\($0)\" (\(workspace.gid))" } ?? "workspace \(workspace.gid)"
    }

    static func text(_ error: any Error) -> String {
        (error as? AsanaAPIError).map(\.description) ?? "\(error)"
    }

    /// What to do about `error`; `otherwise` for a refusal specific to the check.
    static func fix(_ error: any Error, otherwise: String) -> String {
        switch error as? AsanaAPIError {
        case .unauthorized?:
            return "Asana does not accept this token (revoked, expired or mistyped): create a new one in Asana and store it."
        case .rateLimited?:
            return "Asana's rate limit was hit: retry in a minute."
        case .server?, .transport?:
            return "Asana could not be reached: check the network and --asana-base-url, then retry (`credentials put --no-check` stores without checking)."
        case .malformedPage?, .malformedResponse?:
            return "The answer was not Asana's: check --asana-base-url."
        default:
            return otherwise
        }
    }
}

extension AccessService {
    /// Runs the connection test (``CredentialChecker``) on the stored credential of `purpose` for a
    /// workspace given by gid or exact name. Reads only; writes nothing to Asana or to the store.
    /// - Throws: `-32602`, `workspace.unknown_name`, `workspace.ambiguous_name`, `credential.missing`,
    ///   `credential.unreadable`. Asana's refusals are not errors: they are failed checks in the answer.
    public func testCredential(_ params: CredentialKey) async throws -> TestCredential.Result {
        let workspace = try await resolveWorkspace(params.workspace)
        let client = try await self.client(workspace: workspace, purpose: params.purpose)
        return await CredentialChecker(asana: asana).run(workspace: workspace, purpose: params.purpose, client: client)
    }
}
