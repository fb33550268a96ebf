/// Asana's OAuth scope names the simulator knows (asana-api.md §4.3, §4.4).
///
/// Two app modes exclude each other: full permissions (`default`, also what an absent `scope` means) and granular
/// scopes (`<resource>:<action>`). `openid`, `email` and `profile` (OpenID Connect) are allowed in both.
enum OAuthScopes {
    /// Full permissions.
    static let fullPermission = "default"
    /// The OpenID Connect scopes, allowed with either mode.
    static let openID: Set<String> = ["openid", "email", "profile"]
    /// The granular scopes relevant to this API subset (spelling of the OAS: `workspaces.typeahead:read`).
    static let granular: Set<String> = [
        "users:read", "teams:read", "team_memberships:read", "workspaces:read", "workspaces.typeahead:read",
    ]
    /// Every scope name accepted at authorize time and in seeds.
    static let known: Set<String> = granular.union(openID).union([fullPermission])

    /// Splits a space-delimited `scope` parameter (`+` already decoded to a space); empty names dropped,
    /// duplicates dropped, first-seen order kept.
    static func parse(_ raw: String?) -> [String] {
        var seen = Set<String>()
        return (raw ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).filter { seen.insert($0).inserted }
    }
}
