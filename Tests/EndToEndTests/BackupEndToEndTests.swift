import AccessProtocol
import DevCertificates
import Foundation
import Synchronization
import Testing
import TestSupport

/// `asana-accessd backup` next to a busy `serve`, and `asana-accessd restore` into a new data directory, with the
/// real binaries: the copy holds every event committed before it started and a consistent snapshot.
@Suite("End to end: backup and restore", .serialized)
struct BackupEndToEndTests {
    /// The email addresses of people in a `list-users --all --json` answer, or nil if the answer has none.
    static func emails(_ answer: JSONValue?) -> Set<String>? {
        guard case .array(let users)? = answer?["users"] else { return nil }
        return Set(users.compactMap { $0["email"]?.stringValue })
    }

    @Test("backup during a running sync and a bulk provision; restore into a new data directory: integrity, audit chain, every earlier event and a consistent snapshot")
    func backupWhileBusyAndRestore() async throws {
        let env = try await EndToEndTests.Environment(users: 300, teams: 40, simulatorArguments: ["--latency-ms", "1500"])
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        for purpose in ["provision", "sync"] {
            let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", purpose,
                                                "--no-check"], input: env.secret + "\n")
            #expect(put.status == 0, "\(put.stderr)")
        }
        try await env.startServer(extraArguments: ["--sync-interval", "0"])
        let first = try await env.client(["sync", "--workspace", env.workspace])
        #expect(first.status == 0, "\(first.stderr)")
        guard let before = Self.emails(try await env.client(["list-users", "--workspace", env.workspace, "--all"]).json), before.count > 250 else {
            Issue.record("no users after the first sync")
            return
        }

        // A slow second sync (1.5 s per Asana call: seconds of running, seen even by a loaded machine spawning a client per poll) and a bulk provision of 12 newcomers, both running.
        let newcomers = (1...12).map { "backup.newcomer\($0)@acme.example" }
        let sync = Task { try? await run("asana-access", ["sync", "--workspace", env.workspace, "--json"] + env.connection) }
        let lastPoll = Mutex<String>("")
        let running = try await eventually(within: .seconds(60), every: .milliseconds(100)) {
            let runs = try await env.client(["sync-runs", "--workspace", env.workspace, "--limit", "1"])
            lastPoll.withLock { $0 = "exit \(runs.status), \(runs.json.map { "\($0)" } ?? "no JSON"), stderr: \(runs.stderr)" }
            guard case .array(let list)? = runs.json?["items"], let last = list.first else { return false }
            return last["status"] == .string("running")
        }
        guard running else {
            let outcome = await sync.value
            Issue.record("the second sync never showed as running; last poll: \(lastPoll.withLock { $0 }); the sync: exit \(outcome?.status ?? -1), \(outcome?.stdout ?? ""), \(outcome?.stderr ?? "")")
            return
        }
        let users = newcomers.map { JSONValue.object(["email": .string($0), "action": .string("add")]) }
        let params = JSONValue.object(["workspace": .string(env.workspace), "users": .array(users)])
        let provisionParams = String(decoding: try JSONEncoder().encode(params), as: UTF8.self)
        let provision = Task { try? await run("asana-access", ["call", "provision", "--params", provisionParams] + env.connection) }

        let headBefore = try await run("asana-accessd", ["audit", "head", "--data-dir", env.data])
        #expect(headBefore.status == 0, "\(headBefore.stderr)")
        let seqBefore = Int(headBefore.stdout.split(separator: ":").first ?? "") ?? -1
        let backupFile = (env.root as NSString).appendingPathComponent("backup.sqlite")
        let backup = try await run("asana-accessd", ["backup", "--data-dir", env.data, "--output", backupFile])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("wrote \(backupFile): "), "\(backup.stdout)")
        #expect(backup.stdout.contains("integrity ok"))
        #expect(try FileManager.default.attributesOfItem(atPath: backupFile)[.posixPermissions] as? Int == 0o600)
        #expect(env.server?.process.isRunning == true)

        #expect(await sync.value?.status == 0)
        #expect(await provision.value?.status == 0)
        let after = Self.emails(try await env.client(["list-users", "--workspace", env.workspace, "--all"]).json) ?? []
        #expect(before.isSubset(of: after))
        let originalExport = try await run("asana-accessd", ["audit", "export", "--data-dir", env.data]).stdout.split(separator: "\n")
        #expect(await env.server?.stop() == 0)

        // A new data directory with the same master key; restore refuses while a server holds it (below), then restores.
        let restored = (env.root as NSString).appendingPathComponent("restored")
        try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let key = (restored as NSString).appendingPathComponent("master.key")
        try FileManager.default.copyItem(atPath: (env.data as NSString).appendingPathComponent("master.key"), toPath: key)
        let restore = try await run("asana-accessd", ["restore", "--data-dir", restored, "--from", backupFile])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stdout.contains("audit chain intact"), "\(restore.stdout)")
        #expect(try await run("asana-accessd", ["audit", "verify", "--data-dir", restored]).status == 0)

        // Every event committed before the backup started is there, as the original holds it; nothing else.
        let restoredExport = try await run("asana-accessd", ["audit", "export", "--data-dir", restored]).stdout.split(separator: "\n")
        // The backup's events, then the restore's own event (the restored data directory had no database before).
        let backedUp = restoredExport.dropLast()
        #expect(backedUp.count >= seqBefore && seqBefore > 0, "restored \(backedUp.count) events, head before the backup \(seqBefore)")
        #expect(Array(originalExport.prefix(backedUp.count)) == Array(backedUp))
        let restoreEvent = try #require(try JSONSerialization.jsonObject(with: Data((restoredExport.last ?? "").utf8)) as? [String: Any])
        #expect(restoreEvent["method"] as? String == "restore")
        #expect(restoreEvent["principal"] as? String == "local:\(ProcessInfo.processInfo.userName)")
        #expect(restoreEvent["result"] as? String == #"{"backupLastEventId":\#(backedUp.count),"replacedLastEventId":null}"#)

        // The snapshot: the first sync's people, plus some of the newcomers (those whose provision had committed).
        env.data = restored
        try await env.startServer(extraArguments: ["--sync-interval", "0"])
        let restoredEnv = env
        let snapshot = Self.emails(try await restoredEnv.client(["list-users", "--workspace", env.workspace, "--all"]).json) ?? []
        #expect(before.isSubset(of: snapshot))
        #expect(snapshot.subtracting(before).isSubset(of: Set(newcomers)))
        // The restored server marked the sync that was running at backup time as failed (a crashed predecessor's), or it had finished.
        let runs = try await restoredEnv.client(["sync-runs", "--workspace", env.workspace, "--limit", "5"])
        if case .array(let list)? = runs.json?["items"] {
            #expect(list.allSatisfy { $0["status"] != .string("running") }, "\(list)")
        } else {
            Issue.record("no sync runs in the restored store: \(runs.stderr)")
        }
    }

    @Test("restore refuses while a server holds the data directory, and a damaged backup, leaving the database as it was; backup refuses an existing file")
    func restoreRefusals() async throws {
        let dir = try await DataDirectoryEndToEndTests.Directory()
        defer { dir.cleanup() }
        try await dir.makeCertificates()
        #expect(try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "ci", "--role", "reader"]).status == 0)
        let backupFile = (dir.root as NSString).appendingPathComponent("backup.sqlite")
        #expect(try await run("asana-accessd", ["backup", "--data-dir", dir.data, "--output", backupFile]).status == 0)
        let again = try await run("asana-accessd", ["backup", "--data-dir", dir.data, "--output", backupFile])
        #expect(again.status == 1)
        #expect(again.stderr.contains("--force"), "\(again.stderr)")
        #expect(try await run("asana-accessd", ["backup", "--data-dir", dir.data, "--output", backupFile, "--force"]).status == 0)

        let server = try await RunningProcess.start("asana-accessd", dir.serveArguments)
        let pid = server.process.processIdentifier
        let refused = try await run("asana-accessd", ["restore", "--data-dir", dir.data, "--from", backupFile])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("in use by process \(pid)"), "\(refused.stderr)")
        #expect(await server.stop() == 0)
        // Taken once the server has stopped (its last checkpoint wrote the WAL into the file).
        let database = try Data(contentsOf: URL(fileURLWithPath: dir.database))

        var damaged = try Data(contentsOf: URL(fileURLWithPath: backupFile))
        for offset in 4096..<min(damaged.count, 3 * 4096) { damaged[offset] = UInt8(truncatingIfNeeded: offset &* 31) }
        try damaged.write(to: URL(fileURLWithPath: backupFile))
        let corrupt = try await run("asana-accessd", ["restore", "--data-dir", dir.data, "--from", backupFile])
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.contains("nothing was restored"), "\(corrupt.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.database)) == database)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.data).filter { $0.hasPrefix(".") || $0.contains("before-restore") }.isEmpty)
        #expect(try await run("asana-accessd", ["tokens", "list", "--data-dir", dir.data]).stdout.contains("ci"))
    }
}
