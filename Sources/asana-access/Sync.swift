import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access sync --workspace GID|NAME [--progress]`: calls `sync` and prints what changed.
    ///
    /// With `--progress` the server sends `sync.progress` notifications `{workspace, phase, done, total}`
    /// before the answer; each is printed to stderr as it arrives (`sync 1000: users 9924/9924`), so stdout
    /// stays the result alone.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a fresh snapshot of a workspace's people and teams from Asana.")

        @Option(help: ArgumentHelp("Workspace: gid or exact name (as in Asana's admin console).", valueName: "gid-or-name"))
        var workspace: String

        @Flag(help: "Print each phase of the sync to stderr as the server reports it.")
        var progress = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
        }

        func run() async throws {
            var params: [String: JSONValue] = ["workspace": .string(workspace)]
            if progress { params["progress"] = .bool(true) }
            let result = try await connection.withClient { client in
                try await client.call("sync", params: .object(params)) { method, params in
                    guard method == "sync.progress" else { return }
                    let phase = params?["phase"]?.asText ?? "?"
                    let workspace = params?["workspace"]?.asText ?? "?"
                    var count = ""
                    if let done = params?["done"]?.asInt, done > 0 || params?["total"]?.asInt != nil {
                        count = " \(done)/" + (params?["total"]?.asInt.map { String($0) } ?? "?")
                    }
                    StandardError.write("sync \(workspace): \(phase)\(count)")
                }
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                print(Self.summary(of: result))
            }
        }

        /// The answer of `sync` as key/value lines.
        static func summary(of result: JSONValue) -> String {
            func number(_ key: String) -> String { result[key]?.asText ?? "?" }
            func threeDigits(_ value: Int64) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
            }
            var lines = KeyValueList()
            lines.append("workspace", WorkspaceLabel.text(result["workspace"]))
            lines.append("run", number("runId"))
            if let status = result["status"]?.asText { lines.append("status", status) }
            for skip in result["skipped"]?.asArray ?? [] {
                let what = skip["what"]?.asText ?? "?"
                let team = skip["team"].flatMap { team in team["gid"]?.asText.map { " of team \($0) \"\(team["name"]?.asText ?? "")\"" } } ?? ""
                lines.append("skipped", "\(what)\(team): \(skip["reason"]?.asText ?? "?")")
            }
            lines.append("users", number("users"))
            lines.append("added", number("added"))
            lines.append("updated", number("updated"))
            lines.append("departed", number("departed"))
            lines.append("teams", number("teams"))
            lines.append("team memberships", number("teamMemberships"))
            lines.append("api calls", number("apiCalls"))
            lines.append("rate limited", number("rateLimited"))
            if let milliseconds = result["durationMs"]?.asInt {
                lines.append("duration", "\(milliseconds / 1000).\(threeDigits(milliseconds % 1000)) s")
            } else {
                lines.append("duration", "?")
            }
            lines.append("membership flags", result["capabilities"]?["membershipFlags"]?.asBool.map { $0 ? "readable" : "not readable (shown as ?)" } ?? "?")
            lines.append("teams readable", (result["capabilities"]?["teams"]).yesNo)
            lines.append("finished at", result["finishedAt"]?.asText ?? "?")
            return lines.render()
        }
    }
}
