import AccessProtocol
import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access status --workspace GID|NAME`: calls `getWorkspaceStatus` and prints credentials,
    /// the last sync run, the schedule and capabilities.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a workspace's credentials, last sync, next scheduled sync and capabilities.")

        @Option(help: ArgumentHelp("Workspace: gid or exact name (as in Asana's admin console).", valueName: "gid-or-name"))
        var workspace: String

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
        }

        func run() async throws {
            let result = try await connection.withClient { client in
                try await client.call("getWorkspaceStatus", params: .object(["workspace": .string(workspace)]))
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                print(Self.summary(of: result))
            }
        }

        /// The answer of `getWorkspaceStatus` as key/value lines.
        static func summary(of result: JSONValue) -> String {
            var lines = KeyValueList()
            lines.append("workspace", WorkspaceLabel.text(result["workspace"]))
            let credentials = result["credentials"]?.asArray ?? []
            if credentials.isEmpty { lines.append("credentials", "none stored") }
            for credential in credentials {
                let purpose = credential["purpose"]?.asText ?? "?"
                let kind = credential["kind"]?.asText ?? "?"
                let fingerprint = credential["fingerprint"]?.asText ?? "?"
                let updated = credential["updatedAt"]?.asText ?? "?"
                var text = "\(kind) \(fingerprint), stored \(updated)"
                if let state = credential["state"]?.asText, state != "active" {
                    text += ", \(state)" + (credential["stateReason"]?.asText.map { ": \($0)" } ?? "")
                }
                lines.append("\(purpose) credential", text)
                if let grant = credential["oauth"], case .object = grant {
                    let user = grant["authorizedUser"]
                    let who = [user?["name"]?.asText, user?["email"]?.asText.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
                    let scopes = (grant["scopes"]?.asArray ?? []).compactMap(\.asText).joined(separator: " ")
                    lines.append("\(purpose) grant", "app \(grant["clientId"]?.asText ?? "?"), authorized by \(who.isEmpty ? "?" : who), scopes \(scopes)")
                }
            }
            if let run = result["lastRun"], case .object = run {
                var text = "#\(run["id"]?.asText ?? "?") \(run["status"]?.asText ?? "?") by \(run["trigger"]?.asText ?? "?"), started \(run["startedAt"]?.asText ?? "?")"
                if let finished = run["finishedAt"]?.asText { text += ", finished \(finished)" }
                lines.append("last run", text)
                if let counts = run["counts"], case .object = counts {
                    lines.append("last run counts", "\(counts["users"]?.asText ?? "?") users, \(counts["added"]?.asText ?? "?") added, \(counts["updated"]?.asText ?? "?") updated, \(counts["departed"]?.asText ?? "?") departed, \(counts["teams"]?.asText ?? "?") teams")
                }
                if let error = run["error"]?.asText { lines.append("last run error", error) }
            } else {
                lines.append("last run", "none")
            }
            lines.append("schedule", result["schedule"]?.asText ?? "?")
            if let reason = result["pausedReason"]?.asText { lines.append("paused because", reason) }
            lines.append("next scheduled run", result["nextScheduledRunAt"]?.asText ?? "none")
            if let capabilities = result["capabilities"], case .object = capabilities {
                lines.append("membership flags", capabilities["membershipFlags"]?.asBool.map { $0 ? "readable" : "not readable (shown as ?)" } ?? "?")
                lines.append("teams readable", (capabilities["teams"]).yesNo)
            } else {
                lines.append("capabilities", "unknown until a sync succeeds")
            }
            return lines.render()
        }
    }
}
