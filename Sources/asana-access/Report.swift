import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access report --workspace W [--as-of MOMENT] [--format csv|jsonl|html] [--since MOMENT] [--output FILE [--force]]`: calls
    /// `exportAccessReview` chunk by chunk and writes the file: into `--output` (mode 0600, written unnamed and named
    /// only when complete, so a failure or an interruption leaves nothing behind), or to stdout (where an
    /// interrupted export leaves a cut file: use `--output` for files to keep).
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
                try await connection.withClient(errorsOnStdout: output != nil) { client in
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

/// A report file being written: an unnamed file (`O_TMPFILE`, mode 0600) in the directory of `path`, given its
/// name only by ``commit()``. A client that stops before (an error, Ctrl-C, SIGTERM, `kill -9`) leaves nothing
/// behind: the kernel frees an unnamed file when it is closed.
final class ReportFile {
    let path: String
    private let replace: Bool
    private let handle: FileHandle

    /// - Throws: ``ClientFailure/outputFile(_:)`` when `path` exists and `replace` is false, or the file cannot be created.
    init(path: String, replace: Bool) throws {
        self.path = path
        self.replace = replace
        if !replace, Self.exists(path) {
            throw ClientFailure.outputFile("--output \(path) exists: choose another file, or pass --force to replace it")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_WRONLY | Self.unnamedFile | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ClientFailure.outputFile("cannot create a file in the directory of \(path): \(String(cString: strerror(errno)))") }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Linux's `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`, include/uapi/asm-generic/fcntl.h; open(2)), a macro Swift
    /// does not import.
    private static let unnamedFile: Int32 = 0o20000000 | O_DIRECTORY

    /// Whether something (a file, a directory, a symbolic link even if dangling) is at `path`.
    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    func write(_ text: String) throws {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw ClientFailure.outputFile("cannot write the file for \(path): \(error)")
        }
    }

    /// Flushes to disk and names the file `path`: without `replace` only if nothing is there by now (`linkat`
    /// fails on an existing name, also one created meanwhile); with it, through a temporary name and `rename`.
    func commit() throws {
        let source = "/proc/self/fd/\(handle.fileDescriptor)"
        do { try handle.synchronize() } catch { throw ClientFailure.outputFile("cannot write the file for \(path): \(error)") }
        if replace {
            let temporary = path + ".partial-\(getpid())"
            guard linkat(AT_FDCWD, source, AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0 else {
                throw ClientFailure.outputFile("cannot create \(temporary): \(String(cString: strerror(errno)))")
            }
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw ClientFailure.outputFile("cannot move \(temporary) to \(path): \(reason)")
            }
        } else if linkat(AT_FDCWD, source, AT_FDCWD, path, AT_SYMLINK_FOLLOW) != 0 {
            let reason = errno == EEXIST ? "it exists now (created while the report was written): pass --force to replace it" : String(cString: strerror(errno))
            throw ClientFailure.outputFile("cannot write --output \(path): \(reason)")
        }
        try? handle.close()
    }

    /// Drops the unnamed file.
    func discard() {
        try? handle.close()
    }
}

extension ExportAccessReview.Format: ExpressibleByArgument {}
