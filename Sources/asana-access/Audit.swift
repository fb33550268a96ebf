import AccessProtocol
import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access audit [--since T] [--principal P] [--method M] [--limit N] [--cursor C]`: calls
    /// `listAuditEvents` (admin) and prints one event per line, newest first; the cursor of the next, older
    /// page goes to stderr.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List audit events, newest first: who changed what, when, with which outcome.")

        @Option(help: ArgumentHelp("Only events at or after this ISO 8601 time (e.g. 2026-01-31T09:00:00Z).", valueName: "time"))
        var since: String?

        @Option(help: ArgumentHelp("Only events of this principal, e.g. token:ci or cert:dev-admin.", valueName: "principal"))
        var principal: String?

        @Option(help: ArgumentHelp("Only events of this method, e.g. provision.", valueName: "method"))
        var method: String?

        @Option(help: ArgumentHelp("Events per page, 1 to 1000 (default \(ListAuditEvents.defaultLimit)).", valueName: "n"))
        var limit: Int?

        @Option(help: ArgumentHelp("Continue from this cursor (printed after the previous page).", valueName: "cursor"))
        var cursor: String?

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if let limit, !(1...1000).contains(limit) { throw ValidationError("--limit must be between 1 and 1000.") }
        }

        func run() async throws {
            let params = ListAuditEvents.Params(since: since, principal: principal, method: method, limit: limit, cursor: cursor)
            let (answer, page) = try await connection.call(ListAuditEvents.self, params)
            try connection.print(answer) { page.items.isEmpty ? "no audit events" : Self.table(page.items) }
            if connection.outputMode == .human, let next = page.nextCursor {
                StandardError.write("more: asana-access audit --cursor \(next) (with the same filters)")
            }
        }

        /// `ID AT PRINCIPAL METHOD OUTCOME`, a row per event.
        static func table(_ events: [AuditEvent]) -> String {
            var table = TextTable(header: ["ID", "AT", "PRINCIPAL", "METHOD", "OUTCOME"])
            table.rows = events.map { [String($0.id), TimeText.text($0.at), $0.principal, $0.method, $0.outcome] }
            return table.render()
        }
    }
}
