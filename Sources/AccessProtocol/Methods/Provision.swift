/// `provision`: add people to, or remove them from, a workspace and its teams in Asana, with the workspace's
/// `provision` credential (protocol.md §5, `provision`). Role: admin.
///
/// Asana's writes: `POST /workspaces/{gid}/addUser`, `…/removeUser`, `POST /teams/{gid}/addUser`, `…/removeUser`
/// (https://developers.asana.com/reference/adduserforworkspace, …/removeuserforworkspace, …/adduserforteam,
/// …/removeuserforteam); each names the person by email, which Asana accepts wherever a user is named.
public enum Provision: AccessMethod {
    /// One person (`email`, `action`, `teams`) or several (`users`), never both.
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name.
        public var workspace: String
        /// The person's email address.
        public var email: String?
        /// `add` or `remove`.
        public var action: Action?
        /// Teams by gid or exact name. With `add`: teams to add the person to, after the workspace.
        /// With `remove`: remove the person from these teams only and keep the workspace membership;
        /// without `teams`, `remove` takes the person out of the workspace (and so out of all its teams).
        public var teams: [String]?
        /// Several people at once, each `{email, action, teams?}`; at most ``Provision/maximumUsers``.
        public var users: [Request]?
        /// When true, read Asana's current state and answer with what would be done and the exact
        /// calls that would be made, changing nothing.
        public var dryRun: Bool?
        /// When true, an `add` may invite an email outside the organization's email domains (Asana's
        /// `email_domains`, https://developers.asana.com/reference/getworkspace), so the person joins as a guest.
        /// Absent or false: such an add is refused before anything is sent to Asana, in its workspace target, with
        /// `provision.outside_domain` (1044). Applies to every person of a `users` list. Ignored for `remove` and in
        /// workspaces that are not organizations (they have no email domains and no guests).
        public var allowGuest: Bool?
        /// 1–128 printable ASCII characters chosen by the client. The same key with the same params returns the
        /// stored answer without calling Asana again, for 24 hours; with other params it is refused (`idempotency.conflict`).
        public var idempotencyKey: String?

        public init(workspace: String, email: String? = nil, action: Action? = nil, teams: [String]? = nil, users: [Request]? = nil,
                    dryRun: Bool? = nil, allowGuest: Bool? = nil, idempotencyKey: String? = nil) {
            self.workspace = workspace
            self.email = email
            self.action = action
            self.teams = teams
            self.users = users
            self.dryRun = dryRun
            self.allowGuest = allowGuest
            self.idempotencyKey = idempotencyKey
        }

        /// The people this call is about, validated: one from `email`/`action`/`teams`, or the `users` list.
        /// - Throws: `-32602` naming the field when the shape is wrong.
        public func requests() throws(RPCError) -> [Request] {
            if let users {
                guard email == nil, action == nil, teams == nil else {
                    throw .invalidParams("Invalid params: pass either \"users\" or \"email\"/\"action\"/\"teams\", not both", field: "users")
                }
                guard !users.isEmpty, users.count <= Provision.maximumUsers else {
                    throw .invalidParams("Invalid params: \"users\" must hold 1 to \(Provision.maximumUsers) people", field: "users")
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
            return [Request(email: email, action: action, teams: teams)]
        }
    }

    /// One person to provision: `{email, action, teams?}`.
    public struct Request: Codable, Sendable, Equatable {
        public var email: String
        public var action: Action
        public var teams: [String]?

        public init(email: String, action: Action, teams: [String]? = nil) {
            self.email = email
            self.action = action
            self.teams = teams
        }
    }

    /// What `provision` does.
    public enum Action: String, WireEnum {
        case add, remove
    }

    /// What happened at one target (with `dryRun`: what would happen).
    public enum Outcome: String, WireEnum {
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

    /// What a target is.
    public enum TargetType: String, WireEnum {
        case workspace, team
    }

    /// One target of a provision: the workspace or a team. `{type, gid, name?, outcome, calls, error?}`.
    public struct Target: Codable, Sendable, Equatable {
        /// `workspace` or `team`.
        public var type: TargetType
        public var gid: String
        /// Absent when not known.
        public var name: String?
        public var outcome: Outcome
        /// The Asana write calls made for this target (with `dryRun`: that would be made), e.g.
        /// `POST /workspaces/1000/addUser {"user":"ann@example.com"}`. Empty when nothing needed changing.
        public var calls: [String]
        /// Present when `outcome` is `failed`: an error object as in protocol.md §6.
        public var error: RPCError?

        public init(type: TargetType, gid: String, name: String?, outcome: Outcome, calls: [String], error: RPCError? = nil) {
            self.type = type
            self.gid = gid
            self.name = name
            self.outcome = outcome
            self.calls = calls
            self.error = error
        }
    }

    /// The person a provision acted on: `{gid?, name?, email, guest?}`.
    public struct User: Codable, Sendable, Equatable {
        /// Absent if Asana never returned one.
        public var gid: String?
        /// Absent when not known.
        public var name: String?
        public var email: String
        /// With `add` in an organization that lists email domains: `true` when the email's domain is outside them,
        /// so Asana makes (or, with `dryRun`, would make) the person a guest; for a person who already was a member,
        /// Asana's own `is_guest` flag. Absent for `remove` and in workspaces that are not organizations.
        public var guest: Bool?

        public init(gid: String?, name: String?, email: String, guest: Bool? = nil) {
            self.gid = gid
            self.name = name
            self.email = email
            self.guest = guest
        }
    }

    /// What `provision` did for one person of a `users` list: `{action, user, targets}`.
    public struct PersonResult: Codable, Sendable, Equatable {
        public var action: Action
        public var user: User
        /// Workspace first, then teams in the order given.
        public var targets: [Target]

        public init(action: Action, user: User, targets: [Target]) {
            self.action = action
            self.user = user
            self.targets = targets
        }
    }

    /// How many targets ended in each outcome: `{added, invited, alreadyMember, removed, notMember, failed}`.
    public struct Outcomes: Codable, Sendable, Equatable {
        public var added = 0
        public var invited = 0
        public var alreadyMember = 0
        public var removed = 0
        public var notMember = 0
        public var failed = 0

        /// The counts of `targets`.
        public init(counting targets: [Target]) {
            for target in targets {
                switch target.outcome {
                case .added: added += 1
                case .invited: invited += 1
                case .alreadyMember: alreadyMember += 1
                case .removed: removed += 1
                case .notMember: notMember += 1
                case .failed: failed += 1
                }
            }
        }
    }

    /// The answer for one person (`email`/`action`/`teams`): `{workspace, dryRun, ok, outcomes, action, user, targets}`.
    public struct SingleResult: Codable, Sendable, Equatable {
        public var workspace: WorkspaceRef
        public var dryRun: Bool
        /// `false` when a target failed: check it before trusting the call (failed steps are reported in
        /// their target, never as an error answer, because the steps before them stay done).
        public var ok: Bool
        /// The targets counted by outcome.
        public var outcomes: Outcomes
        public var action: Action
        public var user: User
        public var targets: [Target]

        public init(workspace: WorkspaceRef, dryRun: Bool, action: Action, user: User, targets: [Target]) {
            self.workspace = workspace
            self.dryRun = dryRun
            self.outcomes = Outcomes(counting: targets)
            self.ok = outcomes.failed == 0
            self.action = action
            self.user = user
            self.targets = targets
        }
    }

    /// The answer for `users`: `{workspace, dryRun, ok, outcomes, results}`, one result per person in the order given.
    public struct BulkResult: Codable, Sendable, Equatable {
        public var workspace: WorkspaceRef
        public var dryRun: Bool
        /// `false` when a target of any person failed.
        public var ok: Bool
        /// Every person's targets counted by outcome.
        public var outcomes: Outcomes
        public var results: [PersonResult]

        public init(workspace: WorkspaceRef, dryRun: Bool, results: [PersonResult]) {
            self.workspace = workspace
            self.dryRun = dryRun
            self.outcomes = Outcomes(counting: results.flatMap(\.targets))
            self.ok = outcomes.failed == 0
            self.results = results
        }
    }

    /// The answer: ``SingleResult`` for a call with `email`, ``BulkResult`` for a call with `users`
    /// (a reader tells them apart by the `results` member).
    public enum Result: Codable, Sendable, Equatable {
        case one(SingleResult)
        case many(BulkResult)

        private enum Shape: String, CodingKey { case results }

        public init(from decoder: any Decoder) throws {
            if try decoder.container(keyedBy: Shape.self).contains(.results) {
                self = .many(try BulkResult(from: decoder))
            } else {
                self = .one(try SingleResult(from: decoder))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .one(let result): try result.encode(to: encoder)
            case .many(let result): try result.encode(to: encoder)
            }
        }
    }

    public static let name = "provision"
    public static let summary = "Add a person to, or remove them from, a workspace and its teams in Asana."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["workspace", "email", "action", "teams", "users", "dryRun", "idempotencyKey", "allowGuest"]
    /// Most people in one `users` list.
    public static let maximumUsers = 500
}
