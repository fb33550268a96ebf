/// A workspace as answers name it: `{gid, name, isOrganization}`.
public struct WorkspaceRef: Codable, Sendable, Equatable {
    /// Asana workspace gid.
    public var gid: String
    /// Its name in Asana.
    public var name: String
    /// An organization (a workspace tied to a company's email domains, with teams), not a plain workspace.
    public var isOrganization: Bool

    public init(gid: String, name: String, isOrganization: Bool) {
        self.gid = gid
        self.name = name
        self.isOrganization = isOrganization
    }
}
