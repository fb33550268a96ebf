import Foundation

/// `exportAccessReview`: the people of a workspace with every right, as of a moment, as a file an access
/// review attaches (CSV or JSON Lines), returned in chunks over the connection (protocol.md §5,
/// `exportAccessReview`). Role: reader. The first chunk's call is audited.
public enum ExportAccessReview: AccessMethod {
    /// The file formats.
    public enum Format: String, WireEnum, Equatable {
        /// RFC 4180 CSV, UTF-8 with a byte order mark, CRLF line ends: one row per person and team (protocol.md).
        case csv
        /// JSON Lines: one JSON object per person, with their teams, LF line ends.
        case jsonl
        /// One self-contained HTML page (no script, no request): summary, a chart over time, the period's
        /// changes, every person and team with its rights, provenance.
        case html
    }

    /// `{workspace, asOf?, format, since?, cursor?}`.
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name.
        public var workspace: String
        /// The moment of the review, as `listUsers`' `asOf` (a date means its end); absent: now. Ignored with
        /// `cursor` (the moment of the first chunk holds).
        public var asOf: PointInTime?
        public var format: Format
        /// `html` only: the start of the period whose changes the page lists and counts (a date from its start,
        /// a run id after that run); default 90 days before `asOf`.
        public var since: PointInTime?
        /// `nextCursor` of the previous chunk; absent for the first chunk.
        public var cursor: String?

        public init(workspace: String, asOf: PointInTime? = nil, format: Format, since: PointInTime? = nil, cursor: String? = nil) {
            self.workspace = workspace
            self.asOf = asOf
            self.format = format
            self.since = since
            self.cursor = cursor
        }
    }

    /// `{workspace, format, asOf, chunk, rows, nextCursor?}`.
    public struct Result: Codable, Sendable, Equatable {
        public var workspace: WorkspaceRef
        public var format: Format
        /// The moment the whole file shows and the sync run it stands on (as `listUsers` `asOf`).
        public var asOf: ListUsers.AsOf
        /// The next piece of the file: append the chunks in order. The first starts with the header (CSV).
        public var chunk: String
        /// Data rows (CSV: person-team rows; JSON Lines: people) in this chunk, header not counted.
        public var rows: Int
        /// Pass as `cursor` for the next chunk; absent on the last.
        public var nextCursor: String?

        public init(workspace: WorkspaceRef, format: Format, asOf: ListUsers.AsOf, chunk: String, rows: Int, nextCursor: String?) {
            self.workspace = workspace
            self.format = format
            self.asOf = asOf
            self.chunk = chunk
            self.rows = rows
            self.nextCursor = nextCursor
        }
    }

    public static let name = "exportAccessReview"
    public static let summary = "The people of a workspace with every right as of a moment, as CSV, JSON Lines or an HTML report, in chunks."
    public static let minimumRole: AccessRole? = .reader
    public static let paramNames: Set<String> = ["workspace", "asOf", "format", "since", "cursor"]
    /// The default period of an HTML report's changes, before `asOf`: 90 days, in seconds.
    public static let defaultPeriod: TimeInterval = 90 * 86_400
    /// The most changes an HTML report lists (the rest are counted, and `listAccessChanges` lists them).
    public static let maximumListedChanges = 500
    /// The most points of an HTML report's chart.
    public static let chartPoints = 60
}
