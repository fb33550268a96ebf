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

        @Option(help: ArgumentHelp("Workspace: gid or exact name (as in Asana's admin console).", valueName: "gid-or-name"))
        var workspace: String

        @Option(help: ArgumentHelp("The person's email address.", valueName: "email"))
        var email: String

        @Option(help: "What to do.")
        var action: AccessProtocol.Provision.Action

        @Option(name: .customLong("team"),
                help: ArgumentHelp("A team (gid or exact name); repeat for several. With remove: only these teams.", valueName: "gid-or-name"))
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
            var params: [String: JSONValue] = [
                "workspace": .string(workspace), "email": .string(email), "action": .string(action.rawValue),
            ]
            if !teams.isEmpty { params["teams"] = .array(teams.map(JSONValue.string)) }
            if dryRun { params["dryRun"] = .bool(true) }
            if allowGuest { params["allowGuest"] = .bool(true) }
            let result = try await connection.withClient { client in
                try await client.call("provision", params: .object(params))
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                print(Self.lines(of: result).joined(separator: "\n"))
            }
            let failures = Self.failures(of: result)
            if !failures.isEmpty { throw ClientFailure.partialFailure(failures) }
        }

        /// One line per target: `TYPE NAME (GID): OUTCOME`; with a dry run, each call that would be
        /// made follows on its own indented line.
        static func lines(of result: JSONValue) -> [String] {
            let dryRun = result["dryRun"] == .bool(true)
            var lines = dryRun ? ["dry run: nothing was changed"] : []
            if result["user"]?["guest"] == .bool(true) {
                let email = result["user"]?["email"]?.asText ?? "the person"
                lines.append("\(email): \(dryRun ? "would be " : "")a guest (outside the organization's email domains)")
            }
            for target in result["targets"]?.asArray ?? [] {
                let type = target["type"]?.asText ?? "target"
                var line = "\(type) \(WorkspaceLabel.text(target)): \(dryRun ? "would be " : "")\(outcomeText(target["outcome"]?.asText))"
                if let error = target["error"], let message = error["message"]?.asText {
                    line += ": \(message)"
                }
                lines.append(line)
                if dryRun {
                    lines += (target["calls"]?.asArray ?? []).compactMap { $0.asText.map { "  \($0)" } }
                }
            }
            return lines
        }

        /// `error CODE NAME: message (TYPE NAME (GID))` for each failed target.
        static func failures(of result: JSONValue) -> [String] {
            (result["targets"]?.asArray ?? []).compactMap { target in
                guard target["outcome"]?.asText == "failed" else { return nil }
                let code = target["error"]?["code"]?.asText ?? "?"
                let name = target["error"]?["data"]?["name"]?.asText ?? "-"
                let message = target["error"]?["message"]?.asText ?? "failed"
                return "error \(code) \(name): \(message) (\(target["type"]?.asText ?? "target") \(WorkspaceLabel.text(target)))"
            }
        }

        /// The outcome for people: `added`, `already a member`, `removed`, `not a member`, `failed`.
        static func outcomeText(_ outcome: String?) -> String {
            switch outcome {
            case "alreadyMember": "already a member"
            case "notMember": "not a member"
            case let other?: other
            case nil: "?"
            }
        }
    }
}
