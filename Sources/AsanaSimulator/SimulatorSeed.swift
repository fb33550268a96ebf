import Foundation

/// The simulator's data: the JSON seed file format, and the state ``AsanaSimulator/state()`` returns.
///
/// JSON keys are snake_case, as Asana spells the fields (Asana OpenAPI schemas):
/// ```json
/// {"workspaces": [{"gid": "1000", "name": "Acme Corp", "is_organization": true, "email_domains": ["acme.example"]}],
///  "users": [{"gid": "1001", "name": "Ada Admin", "email": "ada.admin@acme.example"}],
///  "workspace_memberships": [{"gid": "5001", "user": "1001", "workspace": "1000",
///                             "is_active": true, "is_admin": true, "is_guest": false, "is_view_only": false}],
///  "teams": [{"gid": "3001", "name": "Engineering", "organization": "1000"}],
///  "team_memberships": [{"gid": "7001", "user": "1001", "team": "3001",
///                        "is_admin": false, "is_guest": false, "is_limited_access": false}],
///  "tokens": [{"token": "demo-admin-token", "user": "1001"}],
///  "oauth_apps": [{"client_id": "demo-client", "client_secret": "demo-client-secret",
///                  "redirect_uris": ["http://127.0.0.1/oauth/callback"], "granular": false}]}
/// ```
/// References (`user`, `workspace`, `team`, `organization`) are gids. gids are strings of digits; objects are
/// listed sorted by gid (numerically). On decoding, boolean flags and `email_domains` may be left out: flags
/// default to `false` except `is_active` (default `true`), `email_domains` to `[]`; a missing top-level array
/// means empty. `email` may be `null` (Asana hides some emails). Optional opt-in keys: `"guests_allowed": false` on a
/// workspace, `"readdable": false` on a workspace membership, `"scopes": [...]` on a token (all chosen, see each type).
public struct SimulatorSeed: Codable, Sendable, Equatable {
    /// Workspaces and organizations.
    public var workspaces: [Workspace]
    /// Every user known to the simulator (members, guests, removed people).
    public var users: [User]
    /// Workspace memberships, active and inactive (a re-added person has two, https://forum.asana.com/t/new-api-resource-workspace-memberships/57272).
    public var workspaceMemberships: [WorkspaceMembership]
    /// Teams (organizations only).
    public var teams: [Team]
    /// Team memberships.
    public var teamMemberships: [TeamMembership]
    /// Personal access tokens and the user each acts as.
    public var tokens: [Token]
    /// OAuth apps that may use `/-/oauth_authorize` and `/-/oauth_token` (https://developers.asana.com/docs/oauth).
    public var oauthApps: [OAuthApp]

    /// A seed from its parts; every array defaults to empty.
    public init(
        workspaces: [Workspace] = [], users: [User] = [], workspaceMemberships: [WorkspaceMembership] = [],
        teams: [Team] = [], teamMemberships: [TeamMembership] = [], tokens: [Token] = [], oauthApps: [OAuthApp] = []
    ) {
        self.oauthApps = oauthApps
        self.workspaces = workspaces
        self.users = users
        self.workspaceMemberships = workspaceMemberships
        self.teams = teams
        self.teamMemberships = teamMemberships
        self.tokens = tokens
    }

    enum CodingKeys: String, CodingKey {
        case workspaces, users, teams, tokens
        case workspaceMemberships = "workspace_memberships"
        case teamMemberships = "team_memberships"
        case oauthApps = "oauth_apps"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workspaces = try c.decodeIfPresent([Workspace].self, forKey: .workspaces) ?? []
        users = try c.decodeIfPresent([User].self, forKey: .users) ?? []
        workspaceMemberships = try c.decodeIfPresent([WorkspaceMembership].self, forKey: .workspaceMemberships) ?? []
        teams = try c.decodeIfPresent([Team].self, forKey: .teams) ?? []
        teamMemberships = try c.decodeIfPresent([TeamMembership].self, forKey: .teamMemberships) ?? []
        tokens = try c.decodeIfPresent([Token].self, forKey: .tokens) ?? []
        oauthApps = try c.decodeIfPresent([OAuthApp].self, forKey: .oauthApps) ?? []
    }

    /// A workspace (`{gid, name, is_organization, email_domains}`); an organization is a workspace tied to
    /// company email domains that can have teams (Asana/developer-docs `_object-hierarchy.html.md`).
    public struct Workspace: Codable, Sendable, Equatable {
        public var gid: String
        public var name: String
        public var isOrganization: Bool
        /// Lower-case domains; an invited email outside them becomes a guest.
        public var emailDomains: [String]
        /// JSON `guests_allowed`, default `true`. When `false`, `addUser` of an email outside an organization's
        /// `email_domains` is refused with 403 (chosen: a modelling choice of this simulator; Asana does not document its answer).
        /// Encoded only when `false`.
        public var guestsAllowed: Bool

        public init(gid: String, name: String, isOrganization: Bool, emailDomains: [String], guestsAllowed: Bool = true) {
            self.gid = gid
            self.name = name
            self.isOrganization = isOrganization
            self.emailDomains = emailDomains
            self.guestsAllowed = guestsAllowed
        }

        enum CodingKeys: String, CodingKey {
            case gid, name
            case isOrganization = "is_organization"
            case emailDomains = "email_domains"
            case guestsAllowed = "guests_allowed"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            gid = try c.decode(String.self, forKey: .gid)
            name = try c.decode(String.self, forKey: .name)
            isOrganization = try c.decodeIfPresent(Bool.self, forKey: .isOrganization) ?? false
            emailDomains = try c.decodeIfPresent([String].self, forKey: .emailDomains) ?? []
            guestsAllowed = try c.decodeIfPresent(Bool.self, forKey: .guestsAllowed) ?? true
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(gid, forKey: .gid)
            try c.encode(name, forKey: .name)
            try c.encode(isOrganization, forKey: .isOrganization)
            try c.encode(emailDomains, forKey: .emailDomains)
            if !guestsAllowed { try c.encode(false, forKey: .guestsAllowed) }
        }
    }

    /// A user (`{gid, name, email}`).
    public struct User: Codable, Sendable, Equatable {
        public var gid: String
        public var name: String
        /// `nil` is encoded as `null`.
        public var email: String?

        public init(gid: String, name: String, email: String?) {
            self.gid = gid
            self.name = name
            self.email = email
        }

        enum CodingKeys: String, CodingKey { case gid, name, email }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(gid, forKey: .gid)
            try c.encode(name, forKey: .name)
            try c.encode(email, forKey: .email)  // explicit null, as Asana sends it
        }
    }

    /// A workspace membership (`{gid, user, workspace, is_active, is_admin, is_guest, is_view_only}`).
    public struct WorkspaceMembership: Codable, Sendable, Equatable {
        public var gid: String
        /// User gid.
        public var user: String
        /// Workspace gid.
        public var workspace: String
        /// `false` once the person was removed (https://forum.asana.com/t/new-api-resource-workspace-memberships/57272); invited people are active.
        public var isActive: Bool
        public var isAdmin: Bool
        public var isGuest: Bool
        public var isViewOnly: Bool
        /// JSON `readdable`, default `true`. `false` on an inactive membership marks a person deprovisioned in a way
        /// that blocks re-adding: while all their memberships in the workspace are inactive, `addUser` → 403 (chosen,
        /// a modelling choice of this simulator, not documented by Asana). Not an Asana field: never rendered by the API; encoded only when `false`.
        public var readdable: Bool

        public init(
            gid: String, user: String, workspace: String, isActive: Bool = true, isAdmin: Bool = false,
            isGuest: Bool = false, isViewOnly: Bool = false, readdable: Bool = true
        ) {
            self.gid = gid
            self.user = user
            self.workspace = workspace
            self.isActive = isActive
            self.isAdmin = isAdmin
            self.isGuest = isGuest
            self.isViewOnly = isViewOnly
            self.readdable = readdable
        }

        enum CodingKeys: String, CodingKey {
            case gid, user, workspace, readdable
            case isActive = "is_active"
            case isAdmin = "is_admin"
            case isGuest = "is_guest"
            case isViewOnly = "is_view_only"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(gid, forKey: .gid)
            try c.encode(user, forKey: .user)
            try c.encode(workspace, forKey: .workspace)
            try c.encode(isActive, forKey: .isActive)
            try c.encode(isAdmin, forKey: .isAdmin)
            try c.encode(isGuest, forKey: .isGuest)
            try c.encode(isViewOnly, forKey: .isViewOnly)
            if !readdable { try c.encode(false, forKey: .readdable) }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            gid = try c.decode(String.self, forKey: .gid)
            user = try c.decode(String.self, forKey: .user)
            workspace = try c.decode(String.self, forKey: .workspace)
            isActive = try c.decodeIfPresent(Bool.self, forKey: .isActive) ?? true
            isAdmin = try c.decodeIfPresent(Bool.self, forKey: .isAdmin) ?? false
            isGuest = try c.decodeIfPresent(Bool.self, forKey: .isGuest) ?? false
            isViewOnly = try c.decodeIfPresent(Bool.self, forKey: .isViewOnly) ?? false
            readdable = try c.decodeIfPresent(Bool.self, forKey: .readdable) ?? true
        }
    }

    /// A team (`{gid, name, organization}`); `organization` is the workspace gid.
    public struct Team: Codable, Sendable, Equatable {
        public var gid: String
        public var name: String
        public var organization: String

        public init(gid: String, name: String, organization: String) {
            self.gid = gid
            self.name = name
            self.organization = organization
        }
    }

    /// A team membership (`{gid, user, team, is_admin, is_guest, is_limited_access}`).
    public struct TeamMembership: Codable, Sendable, Equatable {
        public var gid: String
        /// User gid.
        public var user: String
        /// Team gid.
        public var team: String
        public var isAdmin: Bool
        public var isGuest: Bool
        public var isLimitedAccess: Bool

        public init(gid: String, user: String, team: String, isAdmin: Bool = false, isGuest: Bool = false, isLimitedAccess: Bool = false) {
            self.gid = gid
            self.user = user
            self.team = team
            self.isAdmin = isAdmin
            self.isGuest = isGuest
            self.isLimitedAccess = isLimitedAccess
        }

        enum CodingKeys: String, CodingKey {
            case gid, user, team
            case isAdmin = "is_admin"
            case isGuest = "is_guest"
            case isLimitedAccess = "is_limited_access"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            gid = try c.decode(String.self, forKey: .gid)
            user = try c.decode(String.self, forKey: .user)
            team = try c.decode(String.self, forKey: .team)
            isAdmin = try c.decodeIfPresent(Bool.self, forKey: .isAdmin) ?? false
            isGuest = try c.decodeIfPresent(Bool.self, forKey: .isGuest) ?? false
            isLimitedAccess = try c.decodeIfPresent(Bool.self, forKey: .isLimitedAccess) ?? false
        }
    }

    /// A personal access token (`{token, user, scopes?}`): who the bearer acts as. Tokens are opaque strings
    /// (https://developers.asana.com/docs/personal-access-token).
    public struct Token: Codable, Sendable, Equatable {
        public var token: String
        /// User gid.
        public var user: String
        /// Granular scopes (`["users:read", ...]`, https://developers.asana.com/docs/oauth-scopes); `nil` (absent or `null`) = full permission
        /// (`default`). Encoded only when not nil.
        public var scopes: [String]?

        public init(token: String, user: String, scopes: [String]? = nil) {
            self.token = token
            self.user = user
            self.scopes = scopes
        }
    }

    /// An OAuth app (`{client_id, client_secret, redirect_uris, granular}`, https://developers.asana.com/docs/oauth, https://developers.asana.com/docs/oauth-scopes).
    /// `granular: true` = a granular-scope app (must ask for explicit scopes); `false` = full permissions
    /// (`default`). `redirect_uris` are matched exactly.
    public struct OAuthApp: Codable, Sendable, Equatable {
        public var clientId: String
        public var clientSecret: String
        public var redirectURIs: [String]
        public var granular: Bool

        public init(clientId: String, clientSecret: String, redirectURIs: [String], granular: Bool = false) {
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.redirectURIs = redirectURIs
            self.granular = granular
        }

        enum CodingKeys: String, CodingKey {
            case granular
            case clientId = "client_id"
            case clientSecret = "client_secret"
            case redirectURIs = "redirect_uris"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            clientId = try c.decode(String.self, forKey: .clientId)
            clientSecret = try c.decode(String.self, forKey: .clientSecret)
            redirectURIs = try c.decodeIfPresent([String].self, forKey: .redirectURIs) ?? []
            granular = try c.decodeIfPresent(Bool.self, forKey: .granular) ?? false
        }
    }
}

extension SimulatorSeed {
    /// Reads a seed from a JSON file.
    /// - Throws: the file error, a `DecodingError`, or ``SimulatorSeedError`` when ``validate()`` fails.
    public static func load(fromFile path: String) throws -> SimulatorSeed {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let seed = try JSONDecoder().decode(SimulatorSeed.self, from: data)
        try seed.validate()
        return seed
    }

    /// Pretty-printed JSON with sorted keys (stable for diffs).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Checks that gids are unique, references resolve, emails are unique (case-insensitive), token scopes are
    /// known names, and OAuth apps have unique non-empty client ids, a non-empty secret and ≥ 1 redirect URI.
    /// - Throws: ``SimulatorSeedError/invalid(_:)`` listing every problem found.
    public func validate() throws {
        var problems: [String] = []
        func duplicates(_ values: [String], _ what: String) {
            var seen = Set<String>()
            for value in values where !seen.insert(value).inserted { problems.append("duplicate \(what) \(value)") }
        }
        let allGids = workspaces.map(\.gid) + users.map(\.gid) + workspaceMemberships.map(\.gid) + teams.map(\.gid)
            + teamMemberships.map(\.gid)
        duplicates(allGids, "gid")
        duplicates(users.compactMap { $0.email?.lowercased() }, "email")
        duplicates(tokens.map(\.token), "token")
        for gid in allGids where gid.isEmpty || !gid.allSatisfy(\.isASCIIDigit) {
            problems.append("gid \"\(gid)\" is not a string of digits")
        }
        let userGids = Set(users.map(\.gid))
        let workspaceGids = Set(workspaces.map(\.gid))
        let teamGids = Set(teams.map(\.gid))
        for m in workspaceMemberships {
            if !userGids.contains(m.user) { problems.append("workspace membership \(m.gid): unknown user \(m.user)") }
            if !workspaceGids.contains(m.workspace) { problems.append("workspace membership \(m.gid): unknown workspace \(m.workspace)") }
        }
        for t in teams where !workspaceGids.contains(t.organization) {
            problems.append("team \(t.gid): unknown organization \(t.organization)")
        }
        for m in teamMemberships {
            if !userGids.contains(m.user) { problems.append("team membership \(m.gid): unknown user \(m.user)") }
            if !teamGids.contains(m.team) { problems.append("team membership \(m.gid): unknown team \(m.team)") }
        }
        for t in tokens where !userGids.contains(t.user) { problems.append("token for unknown user \(t.user)") }
        for t in tokens {
            for scope in t.scopes ?? [] where !OAuthScopes.known.contains(scope) {
                problems.append("token for user \(t.user): unknown scope \(scope)")
            }
        }
        duplicates(oauthApps.map(\.clientId), "OAuth client_id")
        for app in oauthApps {
            if app.clientId.isEmpty { problems.append("OAuth app with an empty client_id") }
            if app.clientSecret.isEmpty { problems.append("OAuth app \(app.clientId): empty client_secret") }
            if app.redirectURIs.isEmpty { problems.append("OAuth app \(app.clientId): no redirect_uris") }
        }
        if !problems.isEmpty { throw SimulatorSeedError.invalid(problems) }
    }
}

/// A seed that cannot be served.
public enum SimulatorSeedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every problem found by ``SimulatorSeed/validate()``.
    case invalid([String])

    public var description: String {
        switch self {
        case .invalid(let problems): return "invalid simulator seed: " + problems.joined(separator: "; ")
        }
    }
}

extension Character {
    /// `0`-`9` only (not other Unicode digits).
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
