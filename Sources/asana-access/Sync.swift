import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access sync --workspace GID|NAME [--progress]`: calls `sync` and prints what changed.
    ///
    /// With `--progress` the server sends `sync.progress` notifications `{workspace, phase, done, total}`
    /// before the answer; each is printed to stderr as it arrives (`sync 1000: users 9924/9924`), so stdout
    /// stays the result alone. A sync held by Asana's rate limit prints `sync 1000: waiting 30 s (…)` also without it.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a fresh snapshot of a workspace's people and teams from Asana.")

        @Option(help: ArgumentHelp("Workspace: gid or exact name (as in Asana's admin console).", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @Flag(help: "Print each phase of the sync to stderr as the server reports it (a wait on Asana's rate limit is printed also without it).")
        var progress = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
        }

        func run() async throws {
            // Progress is always asked for: its notifications keep a long sync's connection from looking
            // silent to the client's read timeout; they are printed only with --progress.
            let params: [String: JSONValue] = ["workspace": .string(workspace), "progress": .bool(true)]
            let result = try await connection.withClient { client in
                try await client.call(AccessProtocol.Sync.name, params: .object(params)) { method, params in
                    guard method == AccessProtocol.Sync.progressNotification, let params,
                          let step = try? params.decoded(as: AccessProtocol.Sync.Progress.self),
                          let line = Self.progressLine(step, all: progress) else { return }
                    StandardError.write(line)
                }
            }
            if let typed = try? AccessProtocol.Sync.result(from: result) {
                NameCache.record(workspaces: [(typed.workspace.gid, typed.workspace.name)])
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                print(try Self.summary(of: result))
            }
        }

        /// A `sync.progress` notification as a line for stderr: `sync 1000: teamMemberships 34/200`, or for a sync held
        /// by Asana's rate limit `sync 1000: waiting 30 s (Asana answered 429 Too Many Requests)`. Waiting is shown also
        /// without `--progress` (`all` false), so a sync that stands still says why; the other phases only with it.
        static func progressLine(_ step: AccessProtocol.Sync.Progress, all: Bool) -> String? {
            if step.phase == AccessProtocol.Sync.waitingPhase {
                let seconds = step.waitSeconds.map { " \($0) s" } ?? ""
                let reason = switch step.waitReason.flatMap(AccessProtocol.Sync.WaitReason.init(rawValue:)) {
                case .rateLimited?: " (Asana answered 429 Too Many Requests)"
                case .requestBudget?: " (the credential's requests per minute are spent: serve --asana-requests-per-minute)"
                case nil: ""
                }
                return "sync \(step.workspace): waiting\(seconds)\(reason)"
            }
            guard all else { return nil }
            var count = ""
            if step.done > 0 || step.total != nil {
                count = " \(step.done)/" + (step.total.map { String($0) } ?? "?")
            }
            return "sync \(step.workspace): \(step.phase)\(count)"
        }

        /// The answer of `sync` as key/value lines.
        /// - Throws: ``ClientFailure`` when the answer does not have the shape of ``AccessProtocol/Sync/Result``.
        static func summary(of answer: JSONValue) throws -> String {
            let result = try AccessProtocol.Sync.result(from: answer)
            func threeDigits(_ value: Int64) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
            }
            var lines = KeyValueList()
            lines.append("workspace", WorkspaceLabel.text(gid: result.workspace.gid, name: result.workspace.name))
            lines.append("run", String(result.runId))
            lines.append("status", result.status.rawValue)
            for skip in result.skipped {
                let team = skip.team.map { " of team \($0.gid) \"\($0.name)\"" } ?? ""
                lines.append("skipped", "\(skip.what)\(team): \(skip.reason)")
            }
            lines.append("users", String(result.users))
            lines.append("added", String(result.added))
            lines.append("updated", String(result.updated))
            lines.append("departed", String(result.departed))
            lines.append("teams", String(result.teams))
            lines.append("team memberships", String(result.teamMemberships))
            lines.append("api calls", String(result.apiCalls))
            lines.append("rate limited", String(result.rateLimited))
            lines.append("duration", "\(result.durationMs / 1000).\(threeDigits(result.durationMs % 1000)) s")
            lines.append("membership flags", result.capabilities.membershipFlags ? "readable" : "not readable (shown as ?)")
            lines.append("teams readable", result.capabilities.teams ? "yes" : "no")
            lines.append("finished at", JSONEncoder.protocolTimestamp(result.finishedAt))
            return lines.render()
        }
    }
}
