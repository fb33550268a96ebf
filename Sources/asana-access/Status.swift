import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access status --workspace GID|NAME`: calls `getWorkspaceStatus` and prints credentials,
    /// the last sync run, the schedule and capabilities.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a workspace's credentials, last sync, next scheduled sync and capabilities.")

        @Option(help: ArgumentHelp("Workspace: gid or exact name (as in Asana's admin console).", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
        }

        func run() async throws {
            let params = try JSONValue(encoding: GetWorkspaceStatus.Params(workspace: workspace))
            let result = try await connection.withClient { client in
                try await client.call(GetWorkspaceStatus.name, params: params)
            }
            if let status = try? GetWorkspaceStatus.result(from: result), let name = status.workspace.name {
                NameCache.record(workspaces: [(status.workspace.gid, name)])
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                print(try Self.summary(of: result))
            }
        }

        /// The answer of `getWorkspaceStatus` as key/value lines.
        /// - Throws: ``ClientFailure`` when the answer does not have the shape of ``GetWorkspaceStatus/Result``.
        static func summary(of answer: JSONValue) throws -> String {
            let status = try GetWorkspaceStatus.result(from: answer)
            let time = JSONEncoder.protocolTimestamp
            var lines = KeyValueList()
            lines.append("workspace", WorkspaceLabel.text(gid: status.workspace.gid, name: status.workspace.name))
            if status.credentials.isEmpty { lines.append("credentials", "none stored") }
            for credential in status.credentials {
                let purpose = credential.purpose.rawValue
                var text = "\(credential.kind.rawValue) \(credential.fingerprint), stored \(time(credential.updatedAt))"
                if credential.state != .active {
                    text += ", \(credential.state.rawValue)" + (credential.stateReason.map { ": \($0)" } ?? "")
                }
                lines.append("\(purpose) credential", text)
                if let grant = credential.oauth {
                    let user = grant.authorizedUser
                    let who = [user.name, user.email.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
                    lines.append("\(purpose) grant", "app \(grant.clientId), authorized by \(who.isEmpty ? "?" : who), scopes \(grant.scopes.joined(separator: " "))")
                }
            }
            if let run = status.lastRun {
                var text = "#\(run.id) \(run.status.rawValue) by \(run.trigger), started \(time(run.startedAt))"
                if let finished = run.finishedAt { text += ", finished \(time(finished))" }
                lines.append("last run", text)
                if let counts = run.counts {
                    lines.append("last run counts", "\(counts.users) users, \(counts.added) added, \(counts.updated) updated, \(counts.departed) departed, \(counts.teams) teams")
                }
                if let error = run.error { lines.append("last run error", error) }
            } else {
                lines.append("last run", "none")
            }
            lines.append("schedule", status.schedule.rawValue)
            if let reason = status.pausedReason { lines.append("paused because", reason) }
            lines.append("next scheduled run", status.nextScheduledRunAt.map(time) ?? "none")
            if let capabilities = status.capabilities {
                lines.append("membership flags", capabilities.membershipFlags ? "readable" : "not readable (shown as ?)")
                lines.append("teams readable", capabilities.teams ? "yes" : "no")
            } else {
                lines.append("capabilities", "unknown until a sync succeeds")
            }
            return lines.render()
        }
    }
}
