import AccessProtocol
import AccessStore
import Foundation
import Testing
import TestSupport

/// Several `asana-accessd serve` on one PostgreSQL database, with the real binaries and the simulator: what one server
/// writes the others serve, and what must happen once happens once across them.
@Suite("End to end: servers sharing a PostgreSQL store", .serialized,
       .enabled(if: TestPostgres.server != nil, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct ReplicasEndToEndTests {
    /// Two data directories holding the same master key, and the database URL.
    struct Replicas: Sendable {
        let env: EndToEndTests.Environment
        let location: PostgresLocation
        let url: String
        let dataDirectories: [String]
        var servers: [RunningProcess] = []

        init(env: EndToEndTests.Environment) async throws {
            self.env = env
            location = try await TestPostgres.freshDatabase()
            url = TestPostgres.url(location)
            let first = (env.root as NSString).appendingPathComponent("replica-1")
            let second = (env.root as NSString).appendingPathComponent("replica-2")
            let made = try await run("asana-accessd", ["init", "--data-dir", first, "--database", url])
            guard made.status == 0 else { throw HarnessError("init --database failed: \(made.stderr)") }
            try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.copyItem(atPath: (first as NSString).appendingPathComponent("master.key"),
                                             toPath: (second as NSString).appendingPathComponent("master.key"))
            dataDirectories = [first, second]
        }

        /// Runs an admin command against the shared store (through the first data directory's key).
        func admin(_ arguments: [String], input: String? = nil) async throws -> ProcessOutput {
            try await run("asana-accessd", arguments + ["--data-dir", dataDirectories[0], "--database", url], input: input)
        }

        /// Starts one server per data directory, both on the database.
        mutating func start(extraArguments: [String] = []) async throws {
            for data in dataDirectories {
                servers.append(try await RunningProcess.start("asana-accessd", [
                    "serve", "--data-dir", data, "--database", url, "--port", "0", "--asana-base-url", env.simulatorURL,
                    "--tls-cert", env.certificates.serverCertificate, "--tls-key", env.certificates.serverKey,
                    "--client-ca", env.certificates.caCertificate, "--client-certificates", "optional",
                    "--principal-role", "dev-admin=admin", "--sync-interval", "0",
                ] + extraArguments))
            }
        }

        /// Runs the client against server `index` with `--json` (as dev-admin by certificate, or with `token`).
        func client(_ index: Int, _ arguments: [String], token: String? = nil) async throws -> (status: Int32, json: JSONValue?, stderr: String) {
            let port = servers[index].announcedPort ?? 0
            var flags = ["--host", "127.0.0.1", "--port", "\(port)", "--ca", env.certificates.caCertificate]
            if token == nil { flags += ["--cert", env.certificates.clientCertificate, "--key", env.certificates.clientKey] }
            let output = try await run("asana-access", arguments + flags + ["--json"], environment: token.map { ["ASANA_ACCESS_TOKEN": $0] } ?? [:])
            return (output.status, try? JSONDecoder().decode(JSONValue.self, from: Data(output.stdout.utf8)), output.stderr)
        }

        func stop() {
            for server in servers { server.stopNow() }
        }
    }

    /// The emails of the workspace's active members as the simulator holds them (Asana's
    /// `GET /workspaces/{gid}/workspace_memberships`, every page; a membership with `is_active: false` is someone
    /// removed earlier, whom a snapshot holds as departed).
    static func simulatorEmails(_ env: EndToEndTests.Environment) async throws -> Set<String> {
        var emails: Set<String> = []
        var offset: String?
        repeat {
            var url = env.simulatorURL + "/workspaces/\(env.workspace)/workspace_memberships?opt_fields=user.email,is_active&limit=100"
            if let offset { url += "&offset=\(offset)" }
            let page = try await CrashAuditEndToEndTests.getJSON(url)
            guard case .array(let members)? = page["data"] else { throw HarnessError("no data in \(url)") }
            emails.formUnion(members.filter { $0["is_active"] != .bool(false) }.compactMap { $0["user"]?["email"]?.stringValue })
            offset = page["next_page"]?["offset"]?.stringValue
        } while offset != nil
        return emails
    }

    /// How many times each membership write (`POST <path> {"user":…}`) is audited as having happened in the shared
    /// store's log: a `provision.intent` whose `provision.outcome` or `provision.reconciled` says `done` or `applied`.
    static func auditedAsHappened(_ location: PostgresLocation) async throws -> [String: Int] {
        let rows = try await TestPostgres.textRows(location, """
            SELECT method, params, outcome FROM audit_event
            WHERE method IN ('provision.intent', 'provision.outcome', 'provision.reconciled') ORDER BY id
            """).map { (method: $0[0] ?? "", params: $0[1] ?? "", outcome: $0[2] ?? "") }
        var calls: [Int64: String] = [:]
        var ends: [Int64: String] = [:]
        for row in rows {
            let event = JSONValue.object(["params": .string(row.params)])
            guard let id = CrashAuditEndToEndTests.intentId(event) else { continue }
            if row.method == "provision.intent" {
                calls[id] = CrashAuditEndToEndTests.param(event, "call")
            } else if row.outcome != "undetermined" {
                ends[id] = row.outcome
            }
        }
        var happened: [String: Int] = [:]
        for (id, call) in calls where ["done", "applied"].contains(ends[id]) { happened[call, default: 0] += 1 }
        return happened
    }

    /// The emails of every person a `list-users --all` answer holds.
    static func emails(_ answer: JSONValue?) -> Set<String> {
        guard case .array(let users)? = answer?["users"] else { return [] }
        return Set(users.compactMap { $0["email"]?.stringValue })
    }

    @Test("what one server writes the other serves: credentials, a sync's snapshot, a token and its revocation; one sync of a workspace at a time across both; one audit chain")
    func sharedStore() async throws {
        let env = try await EndToEndTests.Environment(users: 200, teams: 4, simulatorArguments: ["--latency-ms", "1500"])
        defer { env.stop() }
        var replicas = try await Replicas(env: env)
        defer { replicas.stop() }
        for purpose in ["provision", "sync"] {
            let put = try await replicas.admin(["credentials", "put", "--workspace", env.workspace, "--purpose", purpose, "--no-check"], input: env.secret + "\n")
            #expect(put.status == 0, "\(put.stderr)")
        }
        let created = try await replicas.admin(["tokens", "create", "--name", "ci", "--role", "operator"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try await replicas.start()

        // A slow sync through the first server; while it runs, the second refuses another sync of the workspace.
        let first = Task { [replicas] in try? await replicas.client(0, ["sync", "--workspace", env.workspace]) }
        let running = try await eventually(within: .seconds(60), every: .milliseconds(500)) {
            guard case .array(let runs)? = try await replicas.client(1, ["sync-runs", "--workspace", env.workspace, "--limit", "1"]).json?["items"] else { return false }
            return runs.first?["status"] == .string("running")
        }
        #expect(running, "the first server's sync never showed as running")
        let second = try await replicas.client(1, ["sync", "--workspace", env.workspace])
        #expect(second.status != 0 && second.stderr.contains("sync.in_progress"), "\(second.stderr)")
        let firstOutcome = await first.value
        #expect(firstOutcome?.status == 0, "\(firstOutcome?.stderr ?? "")")

        // The snapshot the first server stored, listed through the second.
        let listed = try await replicas.client(1, ["list-users", "--workspace", env.workspace, "--all"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(Self.emails(listed.json).count >= 190)  // 200 generated, a few removed earlier
        #expect(Self.emails(listed.json) == Self.emails(try await replicas.client(0, ["list-users", "--workspace", env.workspace, "--all"]).json))

        // A token made by the admin command works on both servers; revoked through the first, refused by the second.
        #expect(try await replicas.client(0, ["ping"], token: token).status == 0)
        #expect(try await replicas.client(1, ["ping"], token: token).status == 0)
        let revoked = try await replicas.client(0, ["call", "revokeToken", "--params", #"{"name":"ci"}"#])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try await replicas.client(1, ["ping"], token: token).status != 0)

        // One audit chain, written by both servers and the admin commands.
        let verify = try await replicas.admin(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("audit chain intact: "), "\(verify.stdout)")
    }

    @Test("kill -9 of the server in the middle of a sync: the other refuses until the dead one's lease expires, then syncs, and the dead run is closed as failed")
    func killedDuringSync() async throws {
        let env = try await EndToEndTests.Environment(users: 200, teams: 4, simulatorArguments: ["--latency-ms", "1500"])
        defer { env.stop() }
        var replicas = try await Replicas(env: env)
        defer { replicas.stop() }
        let put = try await replicas.admin(["credentials", "put", "--workspace", env.workspace, "--purpose", "sync", "--no-check"], input: env.secret + "\n")
        #expect(put.status == 0, "\(put.stderr)")
        try await replicas.start()

        let doomed = Task { [replicas] in try? await replicas.client(0, ["sync", "--workspace", env.workspace]) }
        let running = try await eventually(within: .seconds(60), every: .milliseconds(500)) {
            guard case .array(let runs)? = try await replicas.client(1, ["sync-runs", "--workspace", env.workspace, "--limit", "1"]).json?["items"] else { return false }
            return runs.first?["status"] == .string("running")
        }
        #expect(running)
        #expect(await replicas.servers[0].stop(signal: SIGKILL) == SIGKILL)
        _ = await doomed.value

        // The dead server's lease holds the workspace for at most 30 s; then the survivor's sync goes through.
        let started = Date()
        var survivor: (status: Int32, json: JSONValue?, stderr: String)?
        while Date().timeIntervalSince(started) < 120 {
            let attempt = try await replicas.client(1, ["sync", "--workspace", env.workspace])
            if attempt.status == 0 { survivor = attempt; break }
            #expect(attempt.stderr.contains("sync.in_progress"), "\(attempt.stderr)")
            try await Task.sleep(for: .seconds(1))
        }
        #expect(survivor != nil, "the survivor never synced after the kill")
        guard case .array(let runs)? = try await replicas.client(1, ["sync-runs", "--workspace", env.workspace, "--limit", "5"]).json?["items"] else {
            Issue.record("no sync runs")
            return
        }
        #expect(runs.first?["status"] == .string("succeeded"))
        #expect(runs.dropFirst().first?["status"] == .string("failed"))
        #expect(runs.dropFirst().first?["error"]?.stringValue?.contains("stopped before it finished") == true, "\(runs)")
        #expect(Self.emails(try await replicas.client(1, ["list-users", "--workspace", env.workspace, "--all"]).json).count >= 190)
    }

    @Test("the schedule runs on one server; kill -9 of it: the survivor takes the schedule over within the lease's time to live and its scheduled syncs go on")
    func scheduleSurvivesKill() async throws {
        let env = try await EndToEndTests.Environment(users: 60, teams: 2)
        defer { env.stop() }
        var replicas = try await Replicas(env: env)
        defer { replicas.stop() }
        let put = try await replicas.admin(["credentials", "put", "--workspace", env.workspace, "--purpose", "sync", "--no-check"], input: env.secret + "\n")
        #expect(put.status == 0, "\(put.stderr)")
        // A sync every 5 s; a dead server's leases free after 4 s.
        try await replicas.start(extraArguments: ["--sync-interval", "5", "--lease-ttl", "4"])
        #expect(replicas.servers.allSatisfy { $0.announcedPort != nil })

        func scheduledRuns() async throws -> [JSONValue] {
            guard case .array(let runs)? = try await replicas.client(1, ["sync-runs", "--workspace", env.workspace, "--limit", "50"]).json?["items"] else { return [] }
            return runs.filter { $0["trigger"] == .string("schedule") }
        }
        /// The pid in the holder (`host:pid:random/schedule`) of the workspace's live schedule lease.
        func schedulePid() async throws -> Int64? {
            try await TestPostgres.integer(replicas.location, """
                SELECT split_part(holder, ':', 2)::bigint FROM lease WHERE name = 'schedule:\(env.workspace)'
                AND expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
                """)
        }
        #expect(try await eventually(within: .seconds(60), every: .milliseconds(500)) {
            try await scheduledRuns().contains { $0["status"] == .string("succeeded") }
        }, "no scheduled sync on either server")
        let pids = replicas.servers.map { Int64($0.process.processIdentifier) }
        let holder = try #require(try await schedulePid())
        let owner = try #require(pids.firstIndex(of: holder), "the schedule's lease names pid \(holder), not a server (\(pids))")
        let survivor = 1 - owner

        // Both servers run a scheduler, yet the workspace is synced by one: about once per 5 s, never twice within one.
        #expect(try await eventually(within: .seconds(60), every: .milliseconds(500)) { try await scheduledRuns().count >= 3 })
        let killed = Date()
        #expect(await replicas.servers[owner].stop(signal: SIGKILL) == SIGKILL)

        #expect(try await eventually(within: .seconds(60), every: .milliseconds(500)) { try await schedulePid() == pids[survivor] },
                "the survivor never took the schedule over")
        let takenOver = Date().timeIntervalSince(killed)
        #expect(takenOver < 30, "taken over \(takenOver) s after the kill (lease time to live 4 s)")
        func survivorRuns() async throws -> [JSONValue] {
            guard case .array(let runs)? = try await replicas.client(survivor, ["sync-runs", "--workspace", env.workspace, "--limit", "50"]).json?["items"] else { return [] }
            return runs
        }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func started(_ run: JSONValue) -> Date? { run["startedAt"]?.stringValue.flatMap { iso.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) } }
        #expect(try await eventually(within: .seconds(90), every: .milliseconds(500)) {
            try await survivorRuns().filter { $0["trigger"] == .string("schedule") && $0["status"] == .string("succeeded") }
                .compactMap(started).contains { $0 > killed }
        }, "no scheduled sync by the survivor after the kill")
        let status = try await replicas.client(survivor, ["status", "--workspace", env.workspace])
        #expect(status.json?["schedule"] == .string("active"), "\(status)")

        // Scheduled runs, by both servers over the whole test, never started within one interval of each other's end
        // (a run the kill interrupted is closed as failed by the survivor's next sync).
        let runs = try await survivorRuns().filter { $0["trigger"] == .string("schedule") && $0["status"] == .string("succeeded") }
            .sorted { (started($0) ?? .distantPast) < (started($1) ?? .distantPast) }
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            guard let finished = earlier["finishedAt"]?.stringValue.flatMap({ iso.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) }),
                  let next = started(later) else { continue }
            #expect(next.timeIntervalSince(finished) > 3.5, "scheduled runs \(earlier["id"] ?? .null) and \(later["id"] ?? .null) within one interval")
        }
    }

    @Test("migrate-store copies a SQLite store into PostgreSQL: the token, the credential and the audit chain carry over, and a server on the copy serves them")
    func migrateStore() async throws {
        let env = try await EndToEndTests.Environment(users: 30, teams: 2)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", "sync", "--no-check"],
                          input: env.secret + "\n")
        #expect(put.status == 0, "\(put.stderr)")
        let created = try await run("asana-accessd", ["tokens", "create", "--data-dir", env.data, "--name", "ci", "--role", "operator"])
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let url = TestPostgres.url(try await TestPostgres.freshDatabase())
        let database = (env.data as NSString).appendingPathComponent("asana-access.sqlite")
        let backup = (env.root as NSString).appendingPathComponent("before-migration.sqlite")
        #expect(try await run("asana-accessd", ["backup", "--data-dir", env.data, "--output", backup]).status == 0)

        // A copy that cannot complete (the target already holds a store with data) leaves the SQLite store in use,
        // its log saying so.
        let occupied = TestPostgres.url(try await TestPostgres.freshDatabase())
        let made = try await run("asana-accessd", ["init", "--data-dir", env.data, "--database", occupied])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try await run("asana-accessd", ["tokens", "create", "--data-dir", env.data, "--database", occupied, "--name", "theirs", "--role", "reader"]).status == 0)
        let refused = try await run("asana-accessd", ["migrate-store", "--from", "sqlite:" + database, "--to", occupied])
        #expect(refused.status != 0 && refused.stderr.contains("already holds data"), "\(refused.stderr)")
        #expect(try await run("asana-accessd", ["tokens", "list", "--data-dir", env.data]).status == 0, "the SQLite store stayed retired after a failed copy")
        let afterFailure = try await run("asana-accessd", ["audit", "export", "--data-dir", env.data]).stdout.split(separator: "\n").suffix(2).map(String.init)
        #expect(afterFailure.first?.contains("\"method\":\"migrateStore\"") == true && afterFailure.first?.contains("\"outcome\":\"ok\"") == true, "\(afterFailure)")
        #expect(afterFailure.last?.contains("\"method\":\"migrateStore\"") == true && afterFailure.last?.contains("\"outcome\":\"failed\"") == true, "\(afterFailure)")
        let head = try await run("asana-accessd", ["audit", "head", "--data-dir", env.data]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let migrated = try await run("asana-accessd", ["migrate-store", "--from", "sqlite:" + database, "--to", url])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("audit chain verified on the target"), "\(migrated.stdout)")
        #expect(!migrated.stdout.contains(TestPostgres.server?.password ?? "no password") || TestPostgres.server?.password == nil)

        // A command pointed at a database without a store (a typo) is refused and creates nothing there.
        let empty = TestPostgres.url(try await TestPostgres.freshDatabase())
        let typo = try await run("asana-accessd", ["tokens", "list", "--data-dir", env.data, "--database", empty])
        #expect(typo.status != 0 && typo.stderr.contains("holds no asana-access store"), "\(typo.stderr)")

        // The same head, checked on the copy; a second copy into the now non-empty database is refused.
        let verify = try await run("asana-accessd", ["audit", "verify", "--data-dir", env.data, "--database", url, "--expect-head", head])
        #expect(verify.status == 0, "\(verify.stderr)")
        // Both logs end with the move; the SQLite store is retired: a second copy, a server or a command on it is
        // refused, saying where the store went (two stores taking writes would fork).
        let events = try await run("asana-accessd", ["audit", "export", "--data-dir", env.data, "--database", url])
        let last = events.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("\"method\":\"migrateStore\""), "\(last) \(events.stderr)")
        #expect(!events.stdout.contains(TestPostgres.server?.password ?? "no password") || TestPostgres.server?.password == nil)
        let again = try await run("asana-accessd", ["migrate-store", "--from", "sqlite:" + database, "--to", url])
        #expect(again.status != 0 && again.stderr.contains("was moved to PostgreSQL"), "\(again.stderr)")
        let local = try await run("asana-accessd", ["tokens", "list", "--data-dir", env.data])
        #expect(local.status != 0 && local.stderr.contains("was moved to PostgreSQL") && local.stderr.contains("--database"), "\(local.stderr)")
        let stale = try await run("asana-accessd", ["serve", "--data-dir", env.data, "--port", "0", "--tls-cert", env.certificates.serverCertificate,
                                               "--tls-key", env.certificates.serverKey])
        #expect(stale.status != 0 && stale.stderr.contains("was moved to PostgreSQL"), "\(stale.stderr)")
        // Neither a backup of it nor a restore over it brings it back; the auditor still reads and verifies its log.
        let backupAgain = try await run("asana-accessd", ["backup", "--data-dir", env.data, "--output", backup + ".2"])
        #expect(backupAgain.status != 0 && backupAgain.stderr.contains("was moved to PostgreSQL"), "\(backupAgain.stderr)")
        let restored = try await run("asana-accessd", ["restore", "--data-dir", env.data, "--from", backup])
        #expect(restored.status != 0 && restored.stderr.contains("was moved to PostgreSQL"), "\(restored.stderr)")
        #expect(try await run("asana-accessd", ["audit", "verify", "--data-dir", env.data]).status == 0)

        try await env.startServer(mutualTLS: false, extraArguments: ["--database", url])
        #expect(try await env.client(["ping"], token: token).status == 0)
        let sync = try await env.client(["sync", "--workspace", env.workspace], token: token)
        #expect(sync.status == 0, "\(sync.stderr)")
    }
}

/// haproxy (Debian's package) in TCP mode in front of the servers, from deploy/haproxy.cfg with the ports replaced.
final class LoadBalancer: @unchecked Sendable {
    let process: Process
    let port: Int
    let configPath: String

    /// Starts haproxy on a free port in front of `backends` (ports on 127.0.0.1), with the sample's settings but a
    /// 1 s check, and waits until it accepts connections.
    init(backends: [Int], directory: String) throws {
        let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let haproxy else { throw HarnessError("haproxy is not installed (scripts/install-deps.sh installs Debian's haproxy)") }
        let sample = try String(contentsOfFile: Repository.root.appendingPathComponent("deploy/haproxy.cfg").path, encoding: .utf8)
        port = try Self.freePort()
        var config = sample.replacingOccurrences(of: "bind 127.0.0.1:7443", with: "bind 127.0.0.1:\(port)")
            .replacingOccurrences(of: "check inter 2s fall 2 rise 2", with: "check inter 1s fall 1 rise 1")
        config = config.components(separatedBy: "\n").filter { !$0.contains("server replica-") }.joined(separator: "\n")
        for (index, backend) in backends.enumerated() {
            config += "    server replica-\(index + 1) 127.0.0.1:\(backend)\n"
        }
        configPath = (directory as NSString).appendingPathComponent("haproxy.cfg")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: haproxy)
        process.arguments = ["-db", "-f", configPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(port) {
            guard Date() < deadline, process.isRunning else { throw HarnessError("haproxy did not start (config \(configPath))") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        guard bound == 0 else { throw HarnessError("no free port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}

extension ReplicasEndToEndTests {
    @Test("behind haproxy: kill -9 of the server running a bulk provision; the survivor reconciles every intent and syncs, the snapshot is Asana's, every write Asana received is audited as done, and the one audit chain verifies")
    func behindLoadBalancer() async throws {
        let env = try await EndToEndTests.Environment(users: 150, teams: 4, simulatorArguments: ["--latency-ms", "300"])
        defer { env.stop() }
        var replicas = try await Replicas(env: env)
        defer { replicas.stop() }
        for purpose in ["provision", "sync"] {
            let put = try await replicas.admin(["credentials", "put", "--workspace", env.workspace, "--purpose", purpose, "--no-check"], input: env.secret + "\n")
            #expect(put.status == 0, "\(put.stderr)")
        }
        try await replicas.start()
        let backends = replicas.servers.map { $0.announcedPort ?? 0 }, directory = env.root
        let balancer = try await onOwnThread { try LoadBalancer(backends: backends, directory: directory) }
        defer { balancer.stop() }
        let through = ["--host", "127.0.0.1", "--port", "\(balancer.port)", "--ca", env.certificates.caCertificate,
                       "--cert", env.certificates.clientCertificate, "--key", env.certificates.clientKey, "--json"]
        func viaBalancer(_ arguments: [String]) async throws -> (status: Int32, json: JSONValue?, stderr: String) {
            let output = try await run("asana-access", arguments + through)
            return (output.status, try? JSONDecoder().decode(JSONValue.self, from: Data(output.stdout.utf8)), output.stderr)
        }
        let first = try await viaBalancer(["sync", "--workspace", env.workspace])
        #expect(first.status == 0, "\(first.stderr)")

        // A bulk provision through the balancer; as soon as its first intent is committed, one server is killed.
        let location = try #require(TestPostgres.server).with(database: String(replicas.url.split(separator: "/").last!.split(separator: "?").first!))
        // Enough newcomers that the call is still writing when the test sees its first write (at 40, a loaded CI
        // machine once saw the call finish between that look and the next).
        let newcomers = (1...120).map { JSONValue.object(["email": .string("lb.newcomer\($0)@acme.example"), "action": .string("add")]) }
        let params = String(decoding: try JSONEncoder().encode(JSONValue.object(["workspace": .string(env.workspace), "users": .array(newcomers)])), as: UTF8.self)
        let provision = Task { try? await run("asana-access", ["call", "provision", "--params", params] + through) }
        func openIntents() async throws -> Int64 {
            try await TestPostgres.integer(location, "SELECT count(*) FROM provision_intent WHERE resolved_at IS NULL") ?? 0
        }
        // The server running the call is the one whose pid its lease `provision:<call id>` names (`host:pid:…`); it is
        // killed once Asana has received the call's first write, with intents still open.
        func callPid() async throws -> Int64? {
            try await TestPostgres.integer(location, """
                SELECT split_part(holder, ':', 2)::bigint FROM lease WHERE name LIKE 'provision:%'
                AND EXISTS (SELECT 1 FROM provision_intent WHERE resolved_at IS NULL) LIMIT 1
                """)
        }
        // The pid comes from the same look that saw a write and an open intent (a second look could find the call done).
        var seen: Int64?
        let deadline = Date().addingTimeInterval(60)
        while seen == nil, Date() < deadline {
            if try await CrashAuditEndToEndTests.simulatorWrites(env).count > 0 { seen = try await callPid() }
            if seen == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let pids = replicas.servers.map { Int64($0.process.processIdentifier) }
        let running = try #require(seen, "no look within 60 s saw a write to Asana with the call's intents still open")
        let doomed = try #require(pids.firstIndex(of: running), "the call's lease names pid \(running), not a server (\(pids))")
        #expect(await replicas.servers[doomed].stop(signal: SIGKILL) == SIGKILL)
        _ = await provision.value

        // Whatever the killed server left open, the survivor reconciles (its call lease expires within 30 s, the
        // survivor looks every 30 s).
        #expect(try await eventually(within: .seconds(120), every: .milliseconds(500)) { try await openIntents() == 0 },
                "provision intents stayed open after the kill")

        // Syncs go to the survivor now (haproxy's check took the dead one out); one succeeds within the lease's expiry.
        var synced = false
        let started = Date()
        while !synced, Date().timeIntervalSince(started) < 120 {
            synced = try await viaBalancer(["sync", "--workspace", env.workspace]).status == 0
            if !synced { try await Task.sleep(for: .seconds(1)) }
        }
        #expect(synced)
        // The snapshot, listed through the balancer, is Asana's membership list: the newcomers the dead server added
        // included.
        let listed = try await viaBalancer(["list-users", "--workspace", env.workspace, "--all"])
        #expect(listed.status == 0)
        let simulated = try await Self.simulatorEmails(env)
        #expect(simulated.count >= 140)
        let snapshot = ReplicasEndToEndTests.emails(listed.json)
        #expect(snapshot == simulated, "only in the snapshot: \(snapshot.subtracting(simulated).sorted()); only in Asana: \(simulated.subtracting(snapshot).sorted())")

        // Every membership write Asana received is audited as having happened (done, or applied by the survivor's
        // reconciliation), and nothing is audited as happened that Asana did not receive.
        let received = try await CrashAuditEndToEndTests.simulatorWrites(env)
        let log = try await CrashAuditEndToEndTests.getJSON(CrashAuditEndToEndTests.root(env) + "/-/sim/writes")
        #expect(!received.isEmpty && received.allSatisfy { $0.status == 200 }, "\(log)")
        #expect(received.count < newcomers.count, "the kill did not interrupt the call: all \(received.count) writes went through")
        var sent: [String: Int] = [:]
        for write in received { sent[write.call, default: 0] += 1 }
        let happened = try await Self.auditedAsHappened(location)
        #expect(happened == sent, "audited as happened: \(happened); received by Asana: \(sent)")
        let verify = try await replicas.admin(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        // Every provision intent has its outcome or its reconciliation in the audit log.
        let unsettled = try await TestPostgres.integer(location, """
            SELECT count(*) FROM audit_event i WHERE i.method = 'provision.intent' AND NOT EXISTS (
                SELECT 1 FROM audit_event o WHERE o.method IN ('provision.outcome', 'provision.reconciled') AND o.id > i.id
                    AND o.params::jsonb ->> 'intent' = i.params::jsonb ->> 'intent')
            """)
        #expect(unsettled == 0)
    }
}
