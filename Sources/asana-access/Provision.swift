import AccessProtocol
import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access provision --workspace GID|NAME --email E --action add|remove [--team T ...] [--dry-run] [--allow-guest]`:
    /// calls `provision`.
    ///
    /// The answer lists one target per line, workspace first: `workspace Acme Corp (1000): added`.
    /// When any target failed, each failure is printed to stderr as `error CODE NAME: message (…)`
    /// after the result, and the exit code is 1.
    struct Provision: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a person to a workspace and teams, or remove them.")

        @Option(help: ArgumentHelp("Workspace: gid or exact name (as in Asana's admin console).", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @Option(help: ArgumentHelp("The person's email address.", valueName: "email"))
        var email: String

        @Option(help: "What to do.")
        var action: AccessProtocol.Provision.Action

        @Option(name: .customLong("team"),
                help: ArgumentHelp("A team (gid or exact name); repeat for several. With remove: only these teams.", valueName: "gid-or-name"),
                completion: .custom(NameCache.completeTeam))
        var teams: [String] = []

        @Flag(name: .customLong("dry-run"), help: "Show what would be done and the exact Asana calls, changing nothing.")
        var dryRun = false

        @Flag(name: .customLong("allow-guest"), help: "Allow adding an email outside the organization's email domains (the person joins as a guest).")
        var allowGuest = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
            if !email.contains("@") { throw ValidationError("--email must be an email address, got \"\(email)\".") }
            if teams.contains(where: \.isEmpty) { throw ValidationError("--team must not be empty.") }
        }

        func run() async throws {
            let params = AccessProtocol.Provision.Params(
                workspace: workspace, email: email, action: action, teams: teams.isEmpty ? nil : teams,
                dryRun: dryRun ? true : nil, allowGuest: allowGuest ? true : nil)
            let answer = try await connection.withClient { client in
                try await client.call(AccessProtocol.Provision.name, params: try JSONValue(encoding: params))
            }
            let result = try AccessProtocol.Provision.result(from: answer)
            Self.rememberNames(result)
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(answer)
            case .human:
                print(Self.lines(of: result).joined(separator: "\n"))
            }
            let failures = Self.failures(of: result)
            if !failures.isEmpty { throw ClientFailure.partialFailure(failures) }
        }

        /// Keeps the workspace and team names the answer carries for shell completion (``NameCache``).
        static func rememberNames(_ result: AccessProtocol.Provision.Result) {
            let workspace = switch result {
            case .one(let one): one.workspace
            case .many(let many): many.workspace
            }
            let teams = people(of: result).flatMap(\.targets).filter { $0.type == .team }.compactMap { target in target.name.map { (gid: target.gid, name: $0) } }
            NameCache.record(workspaces: [(workspace.gid, workspace.name)], teams: teams)
        }

        /// Each person's part of the answer: one for a call with `email`, one per person with `users`.
        static func people(of result: AccessProtocol.Provision.Result) -> [AccessProtocol.Provision.PersonResult] {
            switch result {
            case .one(let one): [.init(action: one.action, user: one.user, targets: one.targets)]
            case .many(let many): many.results
            }
        }

        static func isDryRun(_ result: AccessProtocol.Provision.Result) -> Bool {
            switch result {
            case .one(let one): one.dryRun
            case .many(let many): many.dryRun
            }
        }

        /// One line per target: `TYPE NAME (GID): OUTCOME`; with a dry run, each call that would be
        /// made follows on its own indented line.
        static func lines(of result: AccessProtocol.Provision.Result) -> [String] {
            let dryRun = isDryRun(result)
            var lines = dryRun ? ["dry run: nothing was changed"] : []
            for person in people(of: result) {
                if person.user.guest == true {
                    lines.append("\(person.user.email): \(dryRun ? "would be " : "")a guest (outside the organization's email domains)")
                }
                for target in person.targets {
                    var line = "\(target.type.rawValue) \(label(target)): \(dryRun ? "would be " : "")\(outcomeText(target.outcome))"
                    if let error = target.error { line += ": \(error.message)" }
                    lines.append(line)
                    if dryRun { lines += target.calls.map { "  \($0)" } }
                }
            }
            return lines
        }

        /// `error CODE NAME: message (TYPE NAME (GID))` for each failed target.
        static func failures(of result: AccessProtocol.Provision.Result) -> [String] {
            people(of: result).flatMap(\.targets).compactMap { target in
                guard target.outcome == .failed else { return nil }
                let code = target.error.map { String($0.code) } ?? "?"
                let name = target.error?.name ?? "-"
                let message = target.error?.message ?? "failed"
                return "error \(code) \(name): \(message) (\(target.type.rawValue) \(label(target)))"
            }
        }

        /// `NAME (GID)`, or the gid alone when the name is not known.
        static func label(_ target: AccessProtocol.Provision.Target) -> String {
            WorkspaceLabel.text(gid: target.gid, name: target.name)
        }

        /// The outcome for people: `added`, `already a member`, `removed`, `not a member`, `failed`.
        static func outcomeText(_ outcome: AccessProtocol.Provision.Outcome) -> String {
            switch outcome {
            case .alreadyMember: "already a member"
            case .notMember: "not a member"
            default: outcome.rawValue
            }
        }
    }
}
