import AccessProtocol
import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access sync-runs [--workspace W] [--limit N]` (`listSyncRuns`) or `sync-runs --id N` (`getSyncRun`):
    /// recent sync runs, newest first, one per line.
    struct SyncRuns: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync-runs",
            abstract: "List recent sync runs (newest first), or show one with --id.")

        @Option(help: ArgumentHelp("Only runs of this workspace (gid or exact name).", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String?

        @Option(help: ArgumentHelp("How many runs, 1 to \(ListSyncRuns.maximumLimit) (default \(ListSyncRuns.defaultLimit)).", valueName: "n"))
        var limit: Int?

        @Option(help: ArgumentHelp("Show only the run with this id.", valueName: "id"))
        var id: Int64?

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace?.isEmpty == true { throw ValidationError("--workspace must not be empty.") }
            if let limit, !(1...ListSyncRuns.maximumLimit).contains(limit) {
                throw ValidationError("--limit must be between 1 and \(ListSyncRuns.maximumLimit).")
            }
            if id != nil, workspace != nil || limit != nil { throw ValidationError("--id shows one run: leave out --workspace and --limit.") }
        }

        func run() async throws {
            if let id {
                let (answer, run) = try await connection.call(GetSyncRun.self, .init(id: id))
                try connection.print(answer) { Self.table([run]) }
            } else {
                let (answer, runs) = try await connection.call(ListSyncRuns.self, .init(workspace: workspace, limit: limit))
                try connection.print(answer) { runs.items.isEmpty ? "no sync runs" : Self.table(runs.items) }
            }
        }

        /// `ID WORKSPACE STATUS TRIGGER STARTED FINISHED USERS ADDED UPDATED DEPARTED CALLS ERROR`, a row per run.
        static func table(_ runs: [SyncRun]) -> String {
            var table = TextTable(header: ["ID", "WORKSPACE", "STATUS", "TRIGGER", "STARTED", "FINISHED", "USERS", "ADDED", "UPDATED", "DEPARTED", "CALLS", "ERROR"])
            for run in runs {
                let counts = run.counts.map { [String($0.users), String($0.added), String($0.updated), String($0.departed)] } ?? ["-", "-", "-", "-"]
                table.rows.append([String(run.id), run.workspaceGid, run.status.rawValue, run.trigger, TimeText.text(run.startedAt), TimeText.text(run.finishedAt)]
                                  + counts + [String(run.apiCalls), run.error ?? ""])
            }
            return table.render()
        }
    }
}
