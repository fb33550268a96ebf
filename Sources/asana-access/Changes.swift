import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access changes --workspace W --since MOMENT [--until MOMENT] [--person P] [--kind K]... [--limit N] [--cursor C] [--all]`:
    /// calls `listAccessChanges` and prints one change per line, oldest first: when it was seen, what changed,
    /// for whom, the values before and after, and which sync run or provision saw it.
    struct Changes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List changes of people's access to a workspace between two moments (who joined, left, gained or lost rights), oldest first.")

        @Option(help: ArgumentHelp("Workspace: gid or exact name.", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @Option(help: ArgumentHelp("From this moment (\(MomentArgument.help)); a run id means after that run, a date from its start.", valueName: "moment"))
        var since: String

        @Option(help: ArgumentHelp("Up to this moment (same forms); a run id includes that run's changes, a date its whole day. Default: now.", valueName: "moment"))
        var until: String?

        @Option(help: ArgumentHelp("Only this person's changes: user gid or email.", valueName: "gid-or-email"))
        var person: String?

        @Option(name: .customLong("kind"), help: ArgumentHelp("Only changes of this kind; repeat for several.", valueName: "kind"),
                completion: .list(AccessChange.Kind.allCases.map(\.rawValue)))
        var kinds: [String] = []

        @Option(help: ArgumentHelp("Changes per page, 1 to \(ListAccessChanges.maximumLimit) (default \(ListAccessChanges.defaultLimit); \(ListAccessChanges.maximumLimit) with --all).", valueName: "n"))
        var limit: Int?

        @Option(help: ArgumentHelp("Continue from this cursor (printed after the previous page).", valueName: "cursor"))
        var cursor: String?

        @Flag(help: "Follow nextCursor until the last page and print everything.")
        var all = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
            _ = try params
            if let limit, !(1...ListAccessChanges.maximumLimit).contains(limit) {
                throw ValidationError("--limit must be between 1 and \(ListAccessChanges.maximumLimit).")
            }
        }

        /// The params of the first page.
        /// - Throws: `ValidationError` for a bad moment or an unknown kind.
        var params: ListAccessChanges.Params {
            get throws {
                let kinds = try self.kinds.map { name in
                    guard let kind = AccessChange.Kind(rawValue: name) else {
                        throw ValidationError("--kind \(name) is not a kind of change (kinds: \(AccessChange.Kind.allCases.map(\.rawValue).joined(separator: ", "))).")
                    }
                    return kind
                }
                return ListAccessChanges.Params(
                    workspace: workspace, since: try MomentArgument.param(since, option: "--since"),
                    until: try until.map { try MomentArgument.param($0, option: "--until") }, person: person,
                    kinds: kinds.isEmpty ? nil : kinds, limit: limit ?? (all ? ListAccessChanges.maximumLimit : nil), cursor: cursor)
            }
        }

        func run() async throws {
            var params = try params
            var pages: [ListAccessChanges.Result] = []
            var answers: [JSONValue] = []
            try await connection.withClient { client in
                while true {
                    let answer = try await client.call(ListAccessChanges.name, params: JSONValue(encoding: params))
                    let page = try ListAccessChanges.result(from: answer)
                    answers.append(answer)
                    pages.append(page)
                    guard all, let next = page.nextCursor else { break }
                    guard next != params.cursor else {
                        throw ClientFailure.connection(.malformedResponse("listAccessChanges returned the cursor \(next) twice"))
                    }
                    params.cursor = next
                }
            }
            let changes = pages.flatMap(\.changes)
            switch connection.outputMode {
            case .json:
                // One answer: the first page's members, every change, the last page's nextCursor.
                guard case .object(var merged)? = answers.first else { return }
                merged["changes"] = .array(answers.flatMap { $0["changes"]?.asArray ?? [] })
                merged["nextCursor"] = answers.last?["nextCursor"]
                try OutputMode.printJSON(.object(merged))
            case .human:
                print(changes.isEmpty ? "no changes" : Self.table(changes))
                if let next = pages.last?.nextCursor {
                    StandardError.write("more: --cursor \(next) (or --all)")
                }
            }
        }

        /// `OBSERVED NOT-BEFORE KIND PERSON TEAM BEFORE AFTER SEEN-BY`, a row per change: it happened between
        /// NOT BEFORE and OBSERVED (`-`: before the workspace's first sync).
        static func table(_ changes: [AccessChange]) -> String {
            var table = TextTable(header: ["OBSERVED", "NOT BEFORE", "KIND", "PERSON", "TEAM", "BEFORE", "AFTER", "SEEN BY"])
            for change in changes {
                let person = change.person.email ?? change.person.name ?? change.person.gid
                let seenBy = change.syncRunId.map { "sync run \($0)" } ?? change.provision.map { "provision by \($0.principal)" } ?? "-"
                table.rows.append([TimeText.text(change.observedAt), TimeText.text(change.notBefore), change.kind.rawValue, person, change.team?.name ?? "-",
                                   values(change.before), values(change.after), seenBy])
            }
            return table.render()
        }

        /// `{"isAdmin": false}` as `isAdmin=no`; `null` (none) as `-`; unknown flags as `?`.
        static func values(_ value: JSONValue?) -> String {
            guard case .object(let members)? = value else { return "-" }
            return members.keys.sorted().map { key in
                let text = switch members[key]! {
                case .bool(let flag): flag ? "yes" : "no"
                case .null: "?"
                case let other: other.asText ?? "?"
                }
                return "\(key)=\(text)"
            }.joined(separator: " ")
        }
    }
}
