import AccessProtocol
import LineRPC

/// Params of `provision`: one person (`email`, `action`, `teams`) or several (`users`), never both.
public struct ProvisionParams: RPCParams, Encodable {
    public static let memberNames: Set<String> = ["workspace", "email", "action", "teams", "users", "dryRun", "idempotencyKey", "allowGuest"]
    /// Most people in one `users` list.
    public static let maximumUsers = 500

    /// Workspace gid.
    public var workspace: String
    /// The person's email address (Asana accepts an email wherever a user is named, asana-api.md §1).
    public var email: String?
    /// `add` or `remove`.
    public var action: ProvisionAction?
    /// Teams by gid or exact name. With `add`: teams to add the person to, after the workspace.
    /// With `remove`: remove the person from these teams only and keep the workspace membership;
    /// without `teams`, `remove` takes the person out of the workspace (and so out of all its teams).
    public var teams: [String]?
    /// Several people at once, each `{email, action, teams?}`; at most ``maximumUsers``.
    public var users: [ProvisionRequest]?
    /// When true, read Asana's current state and answer with what would be done and the exact
    /// calls that would be made, changing nothing.
    public var dryRun: Bool?
    /// When true, an `add` may invite an email outside the organization's email domains (Asana's
    /// `email_domains`, https://developers.asana.com/reference/getworkspace), so the person joins as a guest.
    /// Absent or false: such an add is refused before anything is sent to Asana, in its workspace target, with
    /// `provision.outside_domain` (1044). Applies to every person of a `users` list. Ignored for `remove` and in
    /// workspaces that are not organizations (they have no email domains and no guests).
    public var allowGuest: Bool?
    /// 1–128 printable ASCII characters chosen by the client. The same key with the same params
    /// returns the stored answer without calling Asana again, for ``AccessService/idempotencyLifetime``;
    /// with other params it is refused (`idempotency.conflict`).
    public var idempotencyKey: String?

    /// The people this call is about, validated: one from `email`/`action`/`teams`, or the `users` list.
    /// - Throws: `-32602` naming the field when the shape is wrong.
    func requests() throws(RPCError) -> [ProvisionRequest] {
        if let users {
            guard email == nil, action == nil, teams == nil else {
                throw .invalidParams("Invalid params: pass either \"users\" or \"email\"/\"action\"/\"teams\", not both", field: "users")
            }
            guard !users.isEmpty, users.count <= Self.maximumUsers else {
                throw .invalidParams("Invalid params: \"users\" must hold 1 to \(Self.maximumUsers) people", field: "users")
            }
            for (index, user) in users.enumerated() where user.teams?.isEmpty == true {
                throw .invalidParams("Invalid params: \"teams\" must not be empty; leave it out to act on the workspace", field: "users[\(index)].teams")
            }
            return users
        }
        guard let email else { throw .invalidParams("Invalid params: \"email\" is required", field: "email") }
        if teams?.isEmpty == true {
            throw .invalidParams("Invalid params: \"teams\" must not be empty; leave it out to act on the workspace", field: "teams")
        }
        guard let action else { throw .invalidParams("Invalid params: \"action\" is required", field: "action") }
        return [ProvisionRequest(email: email, action: action, teams: teams)]
    }
}

/// One person to provision.
public struct ProvisionRequest: Codable, Sendable, Equatable {
    public var email: String
    public var action: ProvisionAction
    public var teams: [String]?

    public init(email: String, action: ProvisionAction, teams: [String]? = nil) {
        self.email = email
        self.action = action
        self.teams = teams
    }
}

/// What `provision` does.
public enum ProvisionAction: String, Codable, Sendable {
    case add, remove
}

/// What happened at one target (with `dryRun`: what would happen).
public enum ProvisionOutcome: String, Codable, Sendable {
    /// The person, already known to Asana, was added by this call.
    case added
    /// The email was new to Asana: Asana invited it and created the user.
    case invited
    /// The person was already an active member; nothing was sent to Asana.
    case alreadyMember
    /// The person was removed by this call.
    case removed
    /// The person was not a member; nothing was sent to Asana.
    case notMember
    /// Asana refused or failed this step, or it was refused before calling Asana; `error` says why.
    /// Earlier steps stay done; later steps for this person did not run.
    case failed
}

/// One target of a provision: the workspace or a team.
public struct ProvisionTarget: Codable, Sendable {
    /// `workspace` or `team`.
    public var type: String
    public var gid: String
    public var name: String?
    public var outcome: ProvisionOutcome
    /// The Asana write calls made for this target (with `dryRun`: that would be made), e.g.
    /// `POST /workspaces/1000/addUser {"user":"ann@example.com"}`. Empty when nothing needed changing.
    public var calls: [String]
    /// Present when `outcome` is `failed`.
    public var error: RPCError?
}

/// What `provision` did for one person.
public struct ProvisionPersonResult: Codable, Sendable {
    public var action: ProvisionAction
    /// The person, as Asana knows them: `{gid, name, email}` (gid absent if Asana never returned one).
    public var user: ProvisionedUser
    /// Workspace first, then teams in the order given.
    public var targets: [ProvisionTarget]
}

/// The answer to `provision` for one person (`email`/`action`/`teams`).
public struct ProvisionResult: Codable, Sendable {
    public var workspace: WorkspaceRef
    public var dryRun: Bool
    public var action: ProvisionAction
    public var user: ProvisionedUser
    public var targets: [ProvisionTarget]
}

/// The answer to `provision` with `users`: one result per person, in the order given.
public struct BulkProvisionResult: Codable, Sendable {
    public var workspace: WorkspaceRef
    public var dryRun: Bool
    public var results: [ProvisionPersonResult]
}

/// The person a provision acted on.
public struct ProvisionedUser: Codable, Sendable {
    public var gid: String?
    public var name: String?
    public var email: String
    /// With `add` in an organization that lists email domains: `true` when the email's domain is outside them,
    /// so Asana makes (or, with `dryRun`, would make) the person a guest; for a person who already was a member,
    /// Asana's own `is_guest` flag. Absent for `remove` and in workspaces that are not organizations.
    public var guest: Bool?
}
