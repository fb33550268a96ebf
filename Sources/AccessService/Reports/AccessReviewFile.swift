import AccessProtocol
import Foundation

/// The rows of an access review file (`exportAccessReview`): RFC 4180 CSV or JSON Lines. Pure: the
/// service pages through the people and appends what this returns.
enum AccessReviewFile {
    /// The CSV columns, in order (protocol.md §5, `exportAccessReview`).
    static let csvColumns = [
        "workspace_gid", "workspace_name", "as_of", "user_gid", "name", "email", "is_active", "is_admin", "is_guest", "is_view_only",
        "first_seen_at", "team_gid", "team_name", "team_is_admin", "team_is_guest", "team_is_limited_access",
    ]

    /// The UTF-8 byte order mark: spreadsheets (Excel) read a CSV as UTF-8 only with it.
    static let byteOrderMark = "\u{FEFF}"

    /// The first line of a CSV file: the byte order mark and the header, CRLF-terminated.
    static var csvHeader: String { byteOrderMark + csvColumns.joined(separator: ",") + "\r\n" }

    /// One CSV row per team of `person` (one row with empty team columns when they have none), CRLF-terminated.
    static func csvRows(_ person: Person, workspace: WorkspaceRef, asOf: Date) -> [String] {
        let personFields = [
            workspace.gid, text(workspace.name), JSONEncoder.protocolTimestamp(asOf), person.gid, text(person.name ?? ""), text(person.email ?? ""),
            flag(person.isActive), flag(person.isAdmin), flag(person.isGuest), flag(person.isViewOnly),
            person.firstSeenAt.map(JSONEncoder.protocolTimestamp) ?? "",
        ]
        let teamFields: [[String]] = person.teams.isEmpty
            ? [["", "", "", "", ""]]
            : person.teams.map { [$0.gid, text($0.name), flag($0.isAdmin), flag($0.isGuest), flag($0.isLimitedAccess)] }
        return teamFields.map { team in (personFields + team).map(field).joined(separator: ",") + "\r\n" }
    }

    /// `person` as one line of JSON Lines: the user object `listUsers` answers, LF-terminated.
    static func jsonLine(_ person: Person, encoder: JSONEncoder) throws -> String {
        String(decoding: try encoder.encode(person), as: UTF8.self) + "\n"
    }

    /// `true`, `false`, or `unknown` for a flag Asana did not show (never guessed).
    static func flag(_ value: Bool?) -> String {
        value.map { $0 ? "true" : "false" } ?? "unknown"
    }

    /// Free text (names, emails) made safe to open in a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`,
    /// a tab or a carriage return would be run as a formula, so it gets a leading `'` (OWASP, "CSV Injection":
    /// https://owasp.org/www-community/attacks/CSV_Injection).
    static func text(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return value }
        return "'" + value
    }

    /// One RFC 4180 field: quoted (quotes doubled) when it holds a comma, a quote, CR or LF
    /// (https://www.rfc-editor.org/rfc/rfc4180#section-2).
    static func field(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
