import AccessProtocol
import AccessService
import AccessStore
import ArgumentParser
import Foundation
import Synchronization

/// `asana-accessd audit verify|head|export`: check the audit log's keyed chain (optionally against a head
/// recorded elsewhere), print its head, and export it as JSON lines. All read-only: they run next to a server.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify the audit log's keyed chain, print its head, or export it as JSON lines.",
        subcommands: [Verify.self, Head.self, Export.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every audit event's MAC, its link to the event before, and the chain head; exit 1 at the first broken event.",
            discussion: """
                The MACs are keyed with a key derived from the master key, so this needs the master key. \
                With --expect-head SEQ:MAC (as printed earlier by `asana-accessd audit head` and kept outside \
                the database), it also fails when the chain is shorter than SEQ events or event SEQ carries another MAC: \
                that is how deleting the newest events (and rewriting the stored head) is detected.
                """)
        @OptionGroup var data: DataOptions
        @Option(name: .customLong("expect-head"), help: ArgumentHelp("A head recorded earlier with `audit head`: the chain must reach event SEQ and that event must carry MAC.", valueName: "SEQ:MAC"))
        var expectHead: String?

        func validate() throws {
            if let expectHead, AuditAnchor(expectHead) == nil {
                throw ValidationError("--expect-head must be SEQ:MAC as printed by `asana-accessd audit head`: a decimal event number, a colon and 64 hex digits")
            }
        }

        func run() async throws {
            let store = try await data.openStore(readingRetired: true)
            let report: AuditChainReport
            do {
                report = try await store.verifyAuditChain(expectedHead: expectHead.flatMap(AuditAnchor.init))
            } catch {
                // A file damaged below the rows (a page SQLite cannot parse) is a broken log too.
                throw CommandFailure("audit log unreadable: \(error)")
            }
            guard let problem = report.problem else {
                let hash = AuditEvent.hex(report.lastHash ?? Data(repeating: 0, count: 32))
                let anchored = expectHead.map { "; the expected head \($0) matches" } ?? ""
                print("audit chain intact: \(report.checkedCount) events, head \(report.lastId ?? 0):\(hash)\(anchored)")
                return
            }
            let at = problem.eventId.map { "at event \($0)" } ?? "at the head"
            let verified = report.checkedCount == 1 ? "1 event" : "\(report.checkedCount) events"
            throw CommandFailure("audit chain broken \(at): \(problem) (\(verified) verified before it)")
        }
    }

    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the audit chain's head as SEQ:MAC (last event's number and MAC), after verifying the chain; record it outside the database.",
            discussion: """
                Keep the printed line somewhere the database's users cannot change (a ticket, another host, paper). \
                Later, `asana-accessd audit verify --expect-head SEQ:MAC` fails if events up to SEQ were deleted or altered. \
                An empty log prints 0: and 64 zeros. Exit 1 (printing nothing on stdout) when the chain is broken. \
                rotate-key changes every MAC: record the head again after a rotation.
                """)
        @OptionGroup var data: DataOptions

        func run() async throws {
            let store = try await data.openStore(readingRetired: true)
            let (anchor, report) = try await store.auditChainHead()
            if let problem = report.problem {
                let at = problem.eventId.map { "at event \($0)" } ?? "at the head"
                throw CommandFailure("audit chain broken \(at): \(problem); no head printed (a head of a broken chain proves nothing)")
            }
            print(anchor.description)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write audit events as JSON lines, oldest first, with hash and prevHash in hex.",
            discussion: """
                One JSON object per line: id, at (ISO 8601 UTC, milliseconds), principal, method, params and result \
                (JSON text, secrets removed, kept as strings so the hashes can be recomputed), outcome, prevHash, hash.
                """)
        @OptionGroup var data: DataOptions
        @Option(help: ArgumentHelp("Only events at or after this ISO 8601 date-time (e.g. 2025-01-31T09:00:00Z).", valueName: "date-time"))
        var since: String?
        @Option(help: ArgumentHelp("Write to this file (created with mode 0600; replaced if it exists) instead of stdout.", valueName: "file"),
                completion: .file())
        var output: String?

        func validate() throws {
            if let since, AccessService.parseISO8601(since) == nil {
                throw ValidationError("--since must be an ISO 8601 date-time such as 2025-01-31T09:00:00Z")
            }
        }

        func run() async throws {
            let store = try await data.openStore(readingRetired: true)
            let handle: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600]),
                      let file = FileHandle(forWritingAtPath: output) else {
                    throw CommandFailure("cannot write --output \(output)")
                }
                handle = file
            } else {
                handle = FileHandle.standardOutput
            }
            defer { if output != nil { try? handle.close() } }

            let lines = LineWriter(handle: handle)
            try await store.forEachAuditEvent(since: since.flatMap(AccessService.parseISO8601)) { event in
                try lines.write(event)
            }
            let count = try lines.finish()
            if let output {
                FileHandle.standardError.write(Data("exported \(count) audit events to \(output)\n".utf8))
            }
        }

        /// Writes events as JSON lines to a file handle, in chunks of 64 KiB. The store calls it from inside
        /// its read, on the database's queue (a `@Sendable` closure), so its buffer sits behind a lock.
        final class LineWriter: Sendable {
            private struct State {
                var buffer = Data()
                var count = 0
            }
            private let handle: FileHandle
            private let state = Mutex(State())

            init(handle: FileHandle) {
                self.handle = handle
            }

            /// Appends `event` as one line, writing the buffer out once it holds 64 KiB.
            func write(_ event: AuditEvent) throws {
                try state.withLock { state in
                    state.buffer.append(try AccessService.auditExportLine(event))
                    state.count += 1
                    if state.buffer.count >= 1 << 16 {
                        try handle.write(contentsOf: state.buffer)
                        state.buffer.removeAll(keepingCapacity: true)
                    }
                }
            }

            /// Writes what is left in the buffer.
            /// - Returns: how many events were written.
            func finish() throws -> Int {
                try state.withLock { state in
                    try handle.write(contentsOf: state.buffer)
                    state.buffer.removeAll()
                    return state.count
                }
            }
        }
    }
}
