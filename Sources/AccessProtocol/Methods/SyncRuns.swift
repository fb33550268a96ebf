/// `listSyncRuns`: recent sync runs, newest first (protocol.md §5, `listSyncRuns`). Role: reader.
public enum ListSyncRuns: AccessMethod {
    /// `{workspace?, limit?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// Only runs of this workspace (gid or exact name).
        public var workspace: String?
        /// 1–1000, default 50; newest first.
        public var limit: Int?

        public init(workspace: String? = nil, limit: Int? = nil) {
            self.workspace = workspace
            self.limit = limit
        }
    }

    /// `{items: [SyncRun]}`, newest first.
    public typealias Result = ItemList<SyncRun>

    public static let name = "listSyncRuns"
    public static let summary = "Recent sync runs, newest first."
    public static let minimumRole: AccessRole? = .reader
    public static let paramNames: Set<String> = ["workspace", "limit"]
    /// Default `limit`.
    public static let defaultLimit = 50
    /// Largest `limit`.
    public static let maximumLimit = 1000
}

/// `getSyncRun`: one sync run by id (protocol.md §5, `getSyncRun`). Role: reader.
public enum GetSyncRun: AccessMethod {
    /// `{id}`.
    public struct Params: Codable, Sendable, Equatable {
        /// A sync run id: a JSON integer (``SyncRun/id``).
        public var id: Int64

        public init(id: Int64) {
            self.id = id
        }
    }

    public typealias Result = SyncRun

    public static let name = "getSyncRun"
    public static let summary = "One sync run by id."
    public static let minimumRole: AccessRole? = .reader
    public static let paramNames: Set<String> = ["id"]
}
