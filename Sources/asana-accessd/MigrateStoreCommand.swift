import AccessProtocol
import AccessService
import AccessStore
import ArgumentParser
import Foundation
import Logging

/// `asana-accessd migrate-store --from sqlite:PATH --to postgres://…`: copies a SQLite store into an empty PostgreSQL
/// database (``StoreCopy``), then checks the copy's audit chain.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy a SQLite store into an empty PostgreSQL database, to run several servers on it.",
        discussion: """
            Everything is copied in one PostgreSQL transaction (all of it or nothing): credentials and OAuth \
            secrets stay sealed under the same master key, API tokens, pending authorizations, snapshots and \
            their history, sync runs, provision intents, idempotency records, and the audit log with its ids \
            and MACs; the copy's audit chain is verified before the command succeeds. Stop the server first: \
            the SQLite store's data directory is locked while it is read. The target must be empty (a new \
            database: the command creates its tables). Both audit logs record the move (method migrateStore, \
            principal local:<user>), and the SQLite store is then retired: every command refuses to open it, \
            saying where it went, so that the two stores cannot fork. Afterwards start the servers with \
            --database and the same master key file.
            """)

    @Option(help: ArgumentHelp("The SQLite store: sqlite:PATH of its database file (asana-access.sqlite in a data directory).", valueName: "sqlite:path"),
            completion: .file())
    var from: String

    @Option(help: ArgumentHelp("The empty PostgreSQL database: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…].", valueName: "url"))
    var to: String

    @Option(name: .customLong("master-key"), help: ArgumentHelp("The store's master key file; default master.key next to the database.", valueName: "file"),
            completion: .file())
    var masterKeyPath: String?

    func validate() throws {
        guard from.hasPrefix("sqlite:"), from.count > "sqlite:".count else {
            throw ValidationError("--from must be sqlite:PATH, the SQLite store's database file (e.g. sqlite:/var/lib/asana-accessd/asana-access.sqlite)")
        }
        guard PostgresLocation.isPostgresURL(to) else {
            throw ValidationError("--to must be a postgres:// or postgresql:// URL")
        }
    }

    func run() async throws {
        let databasePath = String(from.dropFirst("sqlite:".count))
        let directory = (databasePath as NSString).deletingLastPathComponent.isEmpty ? "." : (databasePath as NSString).deletingLastPathComponent
        let keyPath = masterKeyPath ?? DataLocation.defaultMasterKey(in: directory)
        let target: PostgresLocation
        do { target = try PostgresLocation(to) } catch { throw CommandFailure("--to: \(error)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: databasePath, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CommandFailure("no SQLite store at \(databasePath): --from names the store's database file, sqlite:DATA_DIR/asana-access.sqlite")
        }

        // The source's lock: no server or writing command changes it while it is copied.
        let lock = try DataDirectoryLock.acquire(directory: directory, purpose: "migrate-store")
        defer { lock.release() }
        let key = try MasterKey.load(from: keyPath)
        let source = try SQLiteAccessStore.open(path: databasePath, masterKey: key, mode: .existing)
        defer { try? source.close() }
        let sourceChain = try await source.verifyAuditChain()
        if let problem = sourceChain.problem {
            throw CommandFailure("the SQLite store's audit chain is broken (\(problem)): fix or restore it before migrating; nothing was copied")
        }
        let store = try await PostgresAccessStore.connect(target, masterKey: key, mode: .create, logger: Logger(label: "asana-accessd.migrate-store"))
        defer { Task { await store.close() } }

        // The source is retired, its log ending with the move, BEFORE the copy commits: however this command ends
        // (an error, Ctrl-C, kill -9), at most one of the two stores takes writes. The copy carries that last event.
        let sourcePath = URL(fileURLWithPath: databasePath).standardizedFileURL.path
        let moved = Date()
        try await source.retire(StoreRetirement(movedTo: target.redacted, retiredAt: moved),
                                event: try Self.auditEvent(from: sourcePath, to: target.redacted, outcome: "ok", result: ["sourceAuditHead": .integer(sourceChain.lastId ?? 0)], at: moved))
        let summary: StoreCopy.Summary
        let chain: AuditChainReport
        do {
            summary = try await StoreCopy.copy(from: source, to: store)
            let sourceHead = try await source.verifyAuditChain()
            chain = try await store.verifyAuditChain()
            guard chain.isIntact, chain.lastId == sourceHead.lastId, chain.lastHash == sourceHead.lastHash else {
                throw CommandFailure("the copy's audit chain does not verify as the source's does (\(chain.problem.map { "\($0)" } ?? "another head")): drop the target database and try again")
            }
        } catch {
            // Nothing was copied (one transaction), or the copy is to be dropped: the SQLite store is the store again.
            let failed = try Self.auditEvent(from: sourcePath, to: target.redacted, outcome: "failed", result: ["error": .string("\(error)")], at: Date())
            do {
                try await source.unretire(event: failed)
            } catch let unretireError {
                throw CommandFailure("the copy failed (\(error)) and the SQLite store could not be put back in use (\(unretireError)): it stays retired; once the target database is dropped, run: sqlite3 \(databasePath) '\(StoreRetirement.undoSQL)'")
            }
            throw error
        }
        print("copied \(summary.total) rows into \(target.redacted):")
        for (table, rows) in summary.rows.sorted(by: { $0.key < $1.key }) where rows > 0 {
            print("  \(table): \(rows)")
        }
        print("audit chain verified on the target: \(chain.checkedCount) events, head \(chain.lastId ?? 0):\(AuditEvent.hex(chain.lastHash ?? Data(repeating: 0, count: 32))) (the last one, migrateStore, records the move)")
        print("the SQLite store is retired: commands refuse to open it from now on")
        print("start each server with --database URL (\(target.redacted)) and the master key \(keyPath)")
    }

    /// A `migrateStore` audit event: principal `local:<user>`, params `{from, to}` (the absolute database path, the URL
    /// without its password), and `result`. `ok` is written to the source before the copy (the copy carries it);
    /// `failed`, with `{error}`, when the copy did not complete and the source is in use again.
    static func auditEvent(from: String, to: String, outcome: String, result: [String: JSONValue], at: Date) throws -> AuditEventDraft {
        struct Params: Encodable { var from: String; var to: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return AuditEventDraft(
            at: at, principal: AccessService.localPrincipal(), method: "migrateStore",
            params: String(decoding: try encoder.encode(Params(from: "sqlite:" + from, to: to)), as: UTF8.self),
            result: String(decoding: try encoder.encode(JSONValue.object(result)), as: UTF8.self),
            outcome: outcome)
    }
}
