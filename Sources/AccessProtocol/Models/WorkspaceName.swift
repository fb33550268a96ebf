/// A workspace as the name resolver, the connection test and `getWorkspaceStatus` report it: `{gid, name}`,
/// `name` `null` when Asana did not show it (or before a sync stored it). Compare ``WorkspaceRef``, which
/// answers about a synced workspace carry and whose `name` is always known.
public struct WorkspaceName: Codable, Sendable, Equatable {
    /// Asana workspace gid.
    public var gid: String
    /// Its name in Asana, or `null` when unknown.
    @Nullable public var name: String?

    public init(gid: String, name: String?) {
        self.gid = gid
        self.name = name
    }
}
