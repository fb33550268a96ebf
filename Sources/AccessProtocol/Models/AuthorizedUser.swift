/// The Asana user who granted an OAuth authorization: `{gid, name, email}`, each `null` when Asana's token
/// answer did not carry it (the `data` member of the token response, https://developers.asana.com/docs/oauth).
public struct AuthorizedUser: Codable, Sendable, Equatable {
    @Nullable public var gid: String?
    @Nullable public var name: String?
    @Nullable public var email: String?

    public init(gid: String?, name: String?, email: String?) {
        self.gid = gid
        self.name = name
        self.email = email
    }
}
