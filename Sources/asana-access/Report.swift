import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access report --workspace W [--as-of MOMENT] [--format csv|jsonl|html] [--since MOMENT] [--output FILE [--force]]`: calls
    /// `exportAccessReview` chunk by chunk and writes the file: into `--output` (mode 0600, written to a temporary
    /// file beside it and renamed when complete, so a failure leaves nothing half-written at the path), or to stdout.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the access review file of a workspace as of a moment: every person with every right, as CSV or JSON Lines.")

        @Option(help: ArgumentHelp("Workspace: gid or exact name.", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @Option(help: ArgumentHelp("As of this moment (\(MomentArgument.help); a date means the end of that day). Default: now.", valueName: "moment"))
        var asOf: String?

        @Option(help: "csv (RFC 4180, UTF-8, one row per person and team), jsonl (one person per line) or html (a page with a summary, a chart over time, the period's changes and every right).")
        var format: ExportAccessReview.Format = .csv

        @Option(help: ArgumentHelp("html: the period whose changes the page lists starts here (same forms as --as-of; a date from its start). Default: 90 days before --as-of.", valueName: "moment"))
        var since: String?

        @Option(help: ArgumentHelp("Write the file here (mode 0600) instead of stdout.", valueName: "file"), completion: .file())
        var output: String?

        @Flag(help: "With --output: replace an existing file.")
        var force = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
            if let asOf { _ = try MomentArgument.param(asOf, option: "--as-of") }
            if output?.isEmpty == true { throw ValidationError("--output must not be empty.") }
            if force, output == nil { throw ValidationError("--force only applies to --output.") }
            if let since {
                guard format == .html else { throw ValidationError("--since applies to --format html only.") }
                _ = try MomentArgument.param(since, option: "--since")
            }
        }

        func run() async throws {
            let sink = try output.map { try ReportFile(path: $0, replace: force) }
            do {
                var params = ExportAccessReview.Params(workspace: workspace, asOf: try asOf.map { try MomentArgument.param($0, option: "--as-of") },
                                                       format: format, since: try since.map { try MomentArgument.param($0, option: "--since") })
                var rows = 0
                var last: ExportAccessReview.Result?
                try await connection.withClient { client in
                    while true {
                        let answer = try await client.call(ExportAccessReview.name, params: JSONValue(encoding: params))
                        let chunk = try ExportAccessReview.result(from: answer)
                        if let sink { try sink.write(chunk.chunk) } else { FileHandle.standardOutput.write(Data(chunk.chunk.utf8)) }
                        rows += chunk.rows
                        last = chunk
                        guard let next = chunk.nextCursor else { break }
                        guard next != params.cursor else {
                            throw ClientFailure.connection(.malformedResponse("exportAccessReview returned the cursor \(next) twice"))
                        }
                        params = ExportAccessReview.Params(workspace: workspace, format: format, cursor: next)
                    }
                }
                try sink?.commit()
                if let last {
                    let unit = format == .jsonl ? "people" : "rows"
                    StandardError.write("\(rows) \(unit) of \(last.workspace.name) (\(last.workspace.gid)) as of \(JSONEncoder.protocolTimestamp(last.asOf.time)), "
                        + "sync run \(last.asOf.syncRunId)" + (output.map { ", written to \($0)" } ?? ""))
                }
            } catch {
                sink?.discard()
                throw error
            }
        }
    }
}

/// A report file being written: a temporary file beside `path` (mode 0600), renamed to `path` by ``commit()``.
final class ReportFile {
    let path: String
    private let temporary: String
    private let handle: FileHandle

    /// - Throws: ``ClientFailure/outputFile(_:)`` when `path` exists and `replace` is false, or the temporary file cannot be created.
    init(path: String, replace: Bool) throws {
        self.path = path
        if !replace, FileManager.default.fileExists(atPath: path) {
            throw ClientFailure.outputFile("--output \(path) exists: choose another file, or pass --force to replace it")
        }
        temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ClientFailure.outputFile("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func write(_ text: String) throws {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw ClientFailure.outputFile("cannot write \(temporary): \(error)")
        }
    }

    /// Flushes to disk and moves the file to its path.
    func commit() throws {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            discard()
            throw ClientFailure.outputFile("cannot write \(temporary): \(error)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw ClientFailure.outputFile("cannot move \(temporary) to \(path): \(reason)")
        }
    }

    /// Removes the temporary file (the path is left as it was).
    func discard() {
        try? handle.close()
        unlink(temporary)
    }
}

extension ExportAccessReview.Format: ExpressibleByArgument {}
