import AccessProtocol
import AccessStore
import Foundation

/// The HTML access review (`exportAccessReview` `"html"`): one self-contained page — inline CSS, an inline
/// SVG chart, no script, no request for anything (its Content-Security-Policy allows none) — with a summary,
/// the headcount, admins and guests over time, the changes of the period, every person with every right (one
/// table row per person and team, as the CSV), and its provenance. Pure: the service gathers the facts.
enum AccessReviewHTML {
    /// What the page says above the table of people.
    struct Facts {
        var workspace: WorkspaceRef
        var asOf: ListUsers.AsOf
        /// When the run the picture stands on committed.
        var syncedAt: Date
        /// The period whose changes are listed and counted: `[since, asOf]`.
        var since: Date
        /// The people present at `asOf`, counted.
        var now: AccessCounts
        /// The counts at moments from the start of history (or of the chart's span) to `asOf`, oldest first.
        var series: [AccessCounts]
        /// Changes of each kind in the period.
        var changeCounts: [AccessChange.Kind: Int]
        /// The first changes of the period, oldest first; `moreChanges` were left out.
        var changes: [AccessChange]
        var moreChanges: Int
        var provenance: Provenance
    }

    /// Where the page comes from.
    struct Provenance {
        var serverVersion: String
        var generatedAt: Date
        var principal: String
        /// The audit chain's last event id and MAC (hex), and whether the whole chain verified when the page was made.
        var auditHeadId: Int64
        var auditHeadMAC: String
        var auditChainIntact: Bool
    }

    /// The table's columns (one row per person and team, as the CSV).
    static let columns = ["Name", "Email", "User gid", "Active", "Admin", "Guest", "View-only", "Team", "Team admin", "Team guest", "Limited access"]

    /// Everything up to the first row of the people table.
    static func head(_ facts: Facts) -> String {
        let asOf = time(facts.asOf.time)
        let title = "Access review: \(escape(facts.workspace.name)) as of \(asOf)"
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>\(style)</style>
            </head>
            <body>
            <header><h1>\(title)</h1>
            <p>The picture sync run \(facts.asOf.syncRunId) saw when it committed at \(time(facts.syncedAt)), plus the provisions made through this server up to \(asOf). \
            A change made in Asana is seen by the next sync: each change below happened between its “not before” time and when it was observed. \
            History is complete from \(time(facts.asOf.historyFrom)).</p></header>

            """
        html += summary(facts)
        html += provenance(facts)
        html += chart(facts.series)
        html += changeTable(facts)
        html += """
            <section id="people"><h2>People and their rights (\(facts.now.people))</h2>
            <p>One row per person and team; a person in no team has one row. <q>unknown</q>: Asana did not show the flag to the credential (never guessed).</p>
            <table id="access"><thead><tr>\(columns.map { "<th>\($0)</th>" }.joined())</tr></thead><tbody>

            """
        return html
    }

    /// The table rows of one person: one per team, or one without a team.
    static func rows(_ person: Person) -> [String] {
        let cells = [cell(person.name ?? "—"), cell(person.email ?? "—"), "<td>\(escape(person.gid))</td>",
                     flag(person.isActive), flag(person.isAdmin), flag(person.isGuest), flag(person.isViewOnly)]
        let teams = person.teams.isEmpty
            ? [["<td>—</td>", "<td></td>", "<td></td>", "<td></td>"]]
            : person.teams.map { [cell($0.name), flag($0.isAdmin), flag($0.isGuest), flag($0.isLimitedAccess)] }
        return teams.map { "<tr class=\"access-row\">" + (cells + $0).joined() + "</tr>\n" }
    }

    /// Everything after the last row of the people table.
    static let tail = "</tbody></table></section>\n</body>\n</html>\n"

    // MARK: Parts

    private static func provenance(_ facts: Facts) -> String {
        let provenance = facts.provenance
        return """
            <section id="provenance"><h2>Provenance</h2><dl>
            <dt>Server</dt><dd>asana-accessd \(escape(provenance.serverVersion))</dd>
            <dt>Workspace</dt><dd>\(escape(facts.workspace.name)) (gid \(escape(facts.workspace.gid)))</dd>
            <dt>As of</dt><dd>\(time(facts.asOf.time)), sync run \(facts.asOf.syncRunId)</dd>
            <dt>History complete from</dt><dd>\(time(facts.asOf.historyFrom))</dd>
            <dt>Audit chain head</dt><dd>event \(provenance.auditHeadId), MAC \(escape(provenance.auditHeadMAC)); \
            \(provenance.auditChainIntact ? "the whole chain verified" : "<strong>the chain did NOT verify</strong> (run asana-accessd audit verify)")</dd>
            <dt>Generated</dt><dd>\(time(provenance.generatedAt)) for \(escape(provenance.principal))</dd>
            </dl></section>

            """
    }

    private static func summary(_ facts: Facts) -> String {
        let joined = (facts.changeCounts[.joined] ?? 0) + (facts.changeCounts[.returned] ?? 0)
        let departed = facts.changeCounts[.left] ?? 0
        let granted = facts.changeCounts[.adminGranted] ?? 0
        let revoked = facts.changeCounts[.adminRevoked] ?? 0
        return """
            <section id="summary"><h2>Summary</h2><dl>
            <dt>People</dt><dd id="count-people">\(facts.now.people)</dd>
            <dt>Workspace admins</dt><dd id="count-admins">\(facts.now.admins)</dd>
            <dt>Guests</dt><dd id="count-guests">\(facts.now.guests)</dd>
            <dt>View-only</dt><dd id="count-view-only">\(facts.now.viewOnly)</dd>
            <dt>Joined or returned since \(time(facts.since))</dt><dd id="count-joined">\(joined)</dd>
            <dt>Departed since \(time(facts.since))</dt><dd id="count-departed">\(departed)</dd>
            <dt>Admin rights granted / revoked since \(time(facts.since))</dt><dd>\(granted) / \(revoked)</dd>
            </dl>\(facts.since < facts.asOf.historyFrom ? """
            <p id="period-warning"><strong>The period starts before history is complete (\(time(facts.asOf.historyFrom))):</strong> \
            changes before then are not known, and everyone the first sync saw counts as joined.</p>
            """ : "")
            <p>People who joined as admins or guests are counted under “joined” (see the table of changes); a flag that \
            became known after having been unknown (e.g. read by a sync after a provision) is not a grant.</p></section>

            """
    }

    /// Headcount, admins and guests over time as an inline SVG line chart (800 × 260).
    static func chart(_ series: [AccessCounts]) -> String {
        let width = 800.0, height = 260.0, left = 56.0, right = 16.0, top = 16.0, bottom = 40.0
        guard let first = series.first, let last = series.last else { return "" }
        let span = last.at.timeIntervalSince(first.at)
        let maxValue = Double(max(series.map(\.people).max() ?? 0, 1))
        func x(_ date: Date) -> Double { left + (width - left - right) * (span > 0 ? date.timeIntervalSince(first.at) / span : 0.5) }
        func y(_ value: Int) -> Double { top + (height - top - bottom) * (1 - Double(value) / maxValue) }
        func line(_ value: (AccessCounts) -> Int, _ color: String, _ name: String) -> String {
            let points = series.map { String(format: "%.1f,%.1f", x($0.at), y(value($0))) }.joined(separator: " ")
            let dots = series.count == 1 ? "<circle cx=\"\(String(format: "%.1f", x(first.at)))\" cy=\"\(String(format: "%.1f", y(value(first))))\" r=\"3\" fill=\"\(color)\"/>" : ""
            return "<polyline class=\"series\" data-series=\"\(name)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\(dots)"
        }
        // Dates on the axis; times too when the whole span is within one day.
        let sameDay = time(first.at).prefix(10) == time(last.at).prefix(10)
        let day = { (date: Date) in sameDay ? String(time(date).prefix(16)).replacingOccurrences(of: "T", with: " ") : String(time(date).prefix(10)) }
        return """
            <section id="chart"><h2>Over time</h2>
            <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="People, admins and guests over time" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))">
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="#888"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="#888"/>
            <text x="\(left - 6)" y="\(top + 4)" text-anchor="end" font-size="12">\(Int(maxValue))</text>
            <text x="\(left - 6)" y="\(height - bottom + 4)" text-anchor="end" font-size="12">0</text>
            <text x="\(left)" y="\(height - bottom + 18)" font-size="12">\(day(first.at))</text>
            <text x="\(width - right)" y="\(height - bottom + 18)" text-anchor="end" font-size="12">\(day(last.at))</text>
            \(line(\.people, "#1f77b4", "people"))\(line(\.admins, "#d62728", "admins"))\(line(\.guests, "#2ca02c", "guests"))
            <text x="\(left + 8)" y="\(height - 6)" font-size="12"><tspan fill="#1f77b4">■ people</tspan> <tspan fill="#d62728">■ admins</tspan> <tspan fill="#2ca02c">■ guests</tspan></text>
            </svg></section>

            """
    }

    private static func changeTable(_ facts: Facts) -> String {
        var html = "<section id=\"changes\"><h2>Changes from \(time(facts.since)) to \(time(facts.asOf.time))</h2>\n"
        guard !facts.changes.isEmpty else { return html + "<p>No change was observed in this period.</p></section>\n" }
        html += "<table><thead><tr><th>Observed</th><th>Not before</th><th>Change</th><th>Person</th><th>Team</th><th>Before</th><th>After</th><th>Seen by</th></tr></thead><tbody>\n"
        for change in facts.changes {
            let seenBy = change.syncRunId.map { "sync run \($0)" } ?? change.provision.map { "provision by \(escape($0.principal))" } ?? "—"
            html += "<tr class=\"change-row\"><td>\(time(change.observedAt))</td><td>\(change.notBefore.map(time) ?? "—")</td><td>\(change.kind.rawValue)</td>"
                + cell(change.person.name ?? change.person.email ?? change.person.gid) + cell(change.team?.name ?? "—")
                + cell(values(change.before)) + cell(values(change.after)) + "<td>\(seenBy)</td></tr>\n"
        }
        html += "</tbody></table>\n"
        if facts.moreChanges > 0 {
            html += "<p>And \(facts.moreChanges) more: <code>asana-access changes --workspace \(escape(facts.workspace.gid)) --since \(time(facts.since))</code> lists them all.</p>\n"
        }
        return html + "</section>\n"
    }

    // MARK: Text

    private static func cell(_ text: String) -> String { "<td dir=\"auto\">\(escape(text))</td>" }

    private static func flag(_ value: Bool?) -> String {
        switch value {
        case true?: "<td class=\"yes\">yes</td>"
        case false?: "<td class=\"no\">no</td>"
        case nil: "<td class=\"unknown\">unknown</td>"
        }
    }

    /// `{"isAdmin": false}` as `isAdmin: no`; none as `—`.
    private static func values(_ value: JSONValue?) -> String {
        guard case .object(let members)? = value else { return "—" }
        return members.keys.sorted().map { key in
            let text = switch members[key]! {
            case .bool(let flag): flag ? "yes" : "no"
            case .null: "unknown"
            case .string(let string): string
            case let other: other.jsonText
            }
            return "\(key): \(text)"
        }.joined(separator: ", ")
    }

    private static func time(_ date: Date) -> String { JSONEncoder.protocolTimestamp(date) }

    /// Text as HTML: `&`, `<`, `>`, `"` and `'` escaped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}h1{font-size:1.5em}table{border-collapse:collapse;margin:.5em 0}\
        th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}\
        td.yes{color:#0a6}td.no{color:#555}td.unknown{color:#b60;font-style:italic}dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}\
        dt{font-weight:600}dd{margin:0}@media print{body{margin:0}section{break-inside:avoid-page}}
        """
}
