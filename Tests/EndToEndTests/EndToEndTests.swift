import AccessProtocol
import DevCertificates
import Foundation
import LineRPC
import NIOSSL
import Testing

/// The real binaries on loopback: `asana-sim`, `asana-accessd serve` on mutual TLS with a SQLite
/// file in a temporary directory, driven by the real `asana-access` client.
@Suite("End to end: built binaries on loopback", .serialized)
struct EndToEndTests {
    /// A temporary directory with a dev certificate set, a data directory, the simulator and the server.
    final class Environment: @unchecked Sendable {
        let root: String
        let certificates: DevCertificates.Files
        /// The data directory `startServer` serves (a test may point it at another, e.g. a restored one).
        var data: String
        let simulator: RunningProcess
        var server: RunningProcess?
        let workspace = "1000"
        let secret = SimulatorSecret.admin

        init(users: Int = 250, teams: Int = 6, simulatorArguments: [String] = []) async throws {
            root = (NSTemporaryDirectory() as NSString).appendingPathComponent("asana-access-e2e-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let certs = (root as NSString).appendingPathComponent("certs")
            let made = try await run("asana-accessd", ["certs", "dev", "--out", certs])
            guard made.status == 0 else { throw HarnessError("certs dev failed: \(made.stderr)") }
            certificates = DevCertificates.Files(directory: certs)
            data = (root as NSString).appendingPathComponent("data")
            simulator = try await RunningProcess.start("asana-sim", ["--generate-users", "\(users)", "--generate-teams", "\(teams)", "--port", "0"] + simulatorArguments)
        }

        var simulatorURL: String {
            String(simulator.firstLine[simulator.firstLine.range(of: "http://")!.lowerBound...])
        }

        /// Starts `serve`; with `mutualTLS`, the dev client certificate (CN dev-admin) is an admin,
        /// without it clients authenticate with API tokens. `extraArguments` are added to `serve`'s.
        func startServer(mutualTLS: Bool = true, extraArguments: [String] = []) async throws {
            // No scheduled syncs (--sync-interval 0): a never-synced workspace would get one within 5 s of the start,
            // racing the syncs and audit counts of the tests (SchedulerTests test the scheduler). An extra
            // `--sync-interval` wins: the last flag given counts.
            var arguments = [
                "serve", "--data-dir", data, "--port", "0", "--asana-base-url", simulatorURL,
                "--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey, "--sync-interval", "0",
            ]
            if mutualTLS { arguments += ["--client-ca", certificates.caCertificate, "--principal-role", "dev-admin=admin"] }
            server = try await RunningProcess.start("asana-accessd", arguments + extraArguments)
        }

        var port: Int { server?.announcedPort ?? 0 }

        /// Connection flags for the client.
        var connection: [String] {
            ["--host", "127.0.0.1", "--port", "\(port)", "--ca", certificates.caCertificate,
             "--cert", certificates.clientCertificate, "--key", certificates.clientKey]
        }

        /// Runs the client with `--json`, returning its exit status and parsed stdout.
        /// With `token`, it connects without a client certificate and authenticates with the token.
        func client(_ arguments: [String], token: String? = nil) async throws -> (status: Int32, json: JSONValue?, stderr: String) {
            let flags = token == nil ? connection : ["--host", "127.0.0.1", "--port", "\(port)", "--ca", certificates.caCertificate]
            let output = try await run("asana-access", arguments + flags + ["--json"], environment: token.map { ["ASANA_ACCESS_TOKEN": $0] } ?? [:])
            let json = try? JSONDecoder().decode(JSONValue.self, from: Data(output.stdout.utf8))
            return (output.status, json, output.stderr)
        }

        /// Stops the server and the simulator (blocking: called from `defer`, which cannot await) and removes the directory.
        func stop() {
            server?.stopNow()
            simulator.stopNow()
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    @Test("init, sealed credentials, serve, then sync, list-users and provision through the real client")
    func wholePath() async throws {
        let env = try await Environment()
        defer { env.stop() }

        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: (env.data as NSString).appendingPathComponent("master.key"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        for purpose in ["provision", "sync"] {
            let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", purpose,
                                                "--asana-base-url", env.simulatorURL],
                              input: env.secret + "\n")
            #expect(put.status == 0, "\(put.stderr)")
            #expect(put.stdout.contains("PASS token"), "\(put.stdout)")
            #expect(!put.stdout.contains(env.secret))
        }
        let list = try await run("asana-accessd", ["credentials", "list", "--data-dir", env.data])
        #expect(list.stdout.contains("sha256:"))
        #expect(!list.stdout.contains(env.secret))

        try await env.startServer()
        #expect(env.port > 0)

        let ping = try await env.client(["ping"])
        #expect(ping.status == 0, "\(ping.stderr)")
        #expect(ping.json?["protocolVersion"] == .string("1.0"))
        #expect(ping.json?["identity"] == .object(["principal": .string("cert:dev-admin"), "role": .string("admin")]))

        let sync = try await env.client(["sync", "--workspace", env.workspace])
        #expect(sync.status == 0, "\(sync.stderr)")
        guard case .integer(let users)? = sync.json?["users"] else {
            Issue.record("sync result has no user count: \(String(describing: sync.json))")
            return
        }
        #expect(users > 200)
        #expect(sync.json?["added"] == .integer(users))
        #expect(sync.json?["departed"] == .integer(0))

        let page = try await env.client(["list-users", "--workspace", env.workspace, "--limit", "7"])
        #expect(page.status == 0)
        if case .array(let listed)? = page.json?["users"] { #expect(listed.count == 7) } else { Issue.record("no users array") }
        #expect(page.json?["nextCursor"]?.stringValue != nil)

        let email = "e2e.joiner@acme.example"
        let added = try await env.client(["provision", "--workspace", env.workspace, "--email", email, "--action", "add"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.json?["targets"] == .array([.object([
            "type": .string("workspace"), "gid": .string(env.workspace), "name": .string("Acme Corp"), "outcome": .string("invited"),
            "calls": .array([.string(#"POST /workspaces/\#(env.workspace)/addUser {"user":"\#(email)"}"#)]),
        ])]))

        let found = try await env.client(["list-users", "--workspace", env.workspace, "--query", "e2e.joiner"])
        if case .array(let listed)? = found.json?["users"] { #expect(listed.count == 1) } else { Issue.record("joiner not listed") }

        let removed = try await env.client(["provision", "--workspace", env.workspace, "--email", email, "--action", "remove"])
        #expect(removed.status == 0)
        let resync = try await env.client(["sync", "--workspace", env.workspace])
        #expect(resync.json?["users"] == .integer(users))
        let departed = try await env.client(["list-users", "--workspace", env.workspace, "--query", "e2e.joiner", "--include-departed"])
        if case .array(let listed)? = departed.json?["users"], let person = listed.first {
            #expect(person["departedAt"]?.stringValue != nil)
        } else {
            Issue.record("departed joiner not listed")
        }

        // The auditor's view: what changed after the first sync, by whom; the picture as of then and in between.
        let firstRun = try #require(sync.json?["runId"]?.integerValue)
        let changes = try await env.client(["changes", "--workspace", env.workspace, "--since", "\(firstRun)", "--person", email])
        #expect(changes.status == 0, "\(changes.stderr)")
        let entries = changes.json?["changes"]?.arrayValue ?? []
        #expect(entries.map { $0["kind"] } == [.string("joined"), .string("left")])
        #expect(entries.allSatisfy { $0["provision"]?["principal"] == .string("cert:dev-admin") && $0["syncRunId"] == nil })
        let asOfFirst = try await env.client(["list-users", "--workspace", env.workspace, "--as-of", "\(firstRun)", "--query", "e2e.joiner", "--include-departed"])
        #expect(asOfFirst.status == 0, "\(asOfFirst.stderr)")
        #expect(asOfFirst.json?["users"] == .array([]))
        #expect(asOfFirst.json?["asOf"]?["syncRunId"] == .integer(firstRun))
        let joinedAt = try #require(entries.first?["observedAt"]?.stringValue)
        let between = try await env.client(["list-users", "--workspace", env.workspace, "--as-of", joinedAt, "--query", "e2e.joiner"])
        #expect(between.json?["users"]?.arrayValue?.compactMap { $0["email"]?.stringValue } == [email])
        let lastHour = try await env.client(["changes", "--workspace", env.workspace, "--since", "1h", "--kind", "left"])
        #expect(lastHour.json?["changes"]?.arrayValue?.compactMap { $0["person"]?["email"]?.stringValue } == [email])

        // The access review file as of the first sync: one CSV row per person and team of that picture, mode 0600.
        let reviewPath = (env.root as NSString).appendingPathComponent("review.csv")
        let report = try await run("asana-access", ["report", "--workspace", env.workspace, "--as-of", "\(firstRun)", "--output", reviewPath] + env.connection)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("sync run \(firstRun)"), "\(report.stderr)")
        let review = try String(contentsOfFile: reviewPath, encoding: .utf8)
        let pictured = try await env.client(["list-users", "--workspace", env.workspace, "--as-of", "\(firstRun)", "--all"])
        let expectedRows = (pictured.json?["users"]?.arrayValue ?? []).map { max(1, $0["teams"]?.arrayValue?.count ?? 0) }.reduce(0, +)
        #expect(expectedRows > 200)
        #expect(review.components(separatedBy: "\r\n").count - 2 == expectedRows, "header and a final empty piece")
        #expect((try FileManager.default.attributesOfItem(atPath: reviewPath)[.posixPermissions] as? Int) == 0o600)
        let again = try await run("asana-access", ["report", "--workspace", env.workspace, "--output", reviewPath] + env.connection)
        #expect(again.status == 1 && again.stderr.contains("--force"), "an existing file is not replaced without --force")
        // A report that fails leaves nothing behind: no file, no partial file (it is written unnamed until complete).
        let before = try FileManager.default.contentsOfDirectory(atPath: env.root).sorted()
        let failedReport = try await run("asana-access", ["report", "--workspace", env.workspace, "--as-of", "2001-01-01",
                                                    "--output", (env.root as NSString).appendingPathComponent("early.csv")] + env.connection)
        #expect(failedReport.status == 1 && failedReport.stderr.contains("history.before_first_sync"), "\(failedReport.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: env.root).sorted() == before)

        // The database never holds the secret in plain text, in the main file or the WAL.
        for name in try FileManager.default.contentsOfDirectory(atPath: env.data) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: (env.data as NSString).appendingPathComponent(name)))
            #expect(bytes.range(of: Data(env.secret.utf8)) == nil, "secret found in \(name)")
        }

        // SIGTERM drains and exits 0.
        #expect(await env.server?.stop(signal: SIGTERM) == 0)
    }

    @Test("provision refuses an email outside the organization's domains (1044, exit 1) unless --allow-guest; --dry-run shows the guest")
    func guestByTypo() async throws {
        let env = try await Environment(users: 40, teams: 2)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", "provision",
                                            "--asana-base-url", env.simulatorURL], input: env.secret + "\n")
        #expect(put.status == 0, "\(put.stderr)")
        try await env.startServer()
        func firstTarget(_ answer: JSONValue?) -> JSONValue? {
            if case .array(let targets)? = answer?["targets"] { return targets.first }
            return nil
        }
        let email = "x@freelance.example"
        let base = ["provision", "--workspace", env.workspace, "--email", email, "--action", "add"]

        let refused = try await env.client(base)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("1044 provision.outside_domain"), "\(refused.stderr)")
        #expect(refused.stderr.contains("freelance.example") && refused.stderr.contains("acme.example"), "\(refused.stderr)")
        #expect(refused.json?["user"]?["guest"] == .bool(true))
        #expect(firstTarget(refused.json)?["error"]?["code"] == .integer(1044))
        #expect(firstTarget(refused.json)?["calls"] == .array([]))

        let preview = try await env.client(base + ["--allow-guest", "--dry-run"])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.json?["dryRun"] == .bool(true))
        #expect(preview.json?["user"]?["guest"] == .bool(true))
        #expect(firstTarget(preview.json)?["outcome"] == .string("invited"))

        let added = try await env.client(base + ["--allow-guest"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(firstTarget(added.json)?["outcome"] == .string("invited"))
        #expect(added.json?["user"]?["guest"] == .bool(true))
        #expect(await env.server?.stop(signal: SIGTERM) == 0)
    }

    @Test("credentials put checks the token first: a non-admin provision token is refused with the fix printed and nothing stored; --force stores it")
    func credentialsPutChecks() async throws {
        let env = try await Environment(users: 20, teams: 2)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let put = ["credentials", "put", "--data-dir", env.data, "--workspace", "Acme Corp", "--purpose", "provision", "--asana-base-url", env.simulatorURL]

        let refused = try await run("asana-accessd", put, input: SimulatorSecret.member + "\n")
        #expect(refused.status != 0)
        #expect(refused.stdout.contains("workspace \"Acme Corp\" is 1000"), "\(refused.stdout)")
        #expect(refused.stdout.contains("PASS token: the token works (GET /users/me): it belongs to Max Member"), "\(refused.stdout)")
        #expect(refused.stdout.contains("FAIL admin: Max Member is a member but not an admin of \"Acme Corp\" (1000)"), "\(refused.stdout)")
        #expect(refused.stdout.contains("fix: Store the token of an Admin or Super Admin"), "\(refused.stdout)")
        #expect(refused.stderr.contains("nothing stored"), "\(refused.stderr)")
        #expect(try await run("asana-accessd", ["credentials", "list", "--data-dir", env.data]).stdout.contains("no credentials stored"))

        let forced = try await run("asana-accessd", put + ["--force"], input: SimulatorSecret.member + "\n")
        #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
        #expect(forced.stdout.contains("FAIL admin"))
        #expect(forced.stdout.contains("stored provision credential for workspace 1000"), "\(forced.stdout)")
        #expect(try await run("asana-accessd", ["credentials", "list", "--data-dir", env.data]).stdout.contains("1000\tprovision\tpat\tsha256:"))

        // --force does not cover a token Asana refuses; --no-check skips Asana altogether and needs a gid.
        let revoked = try await run("asana-accessd", put + ["--force"], input: "not-a-token\n")
        #expect(revoked.status != 0)
        let offline = ["credentials", "put", "--data-dir", env.data, "--purpose", "sync", "--asana-base-url", "http://127.0.0.1:1", "--no-check"]
        #expect(try await run("asana-accessd", offline + ["--workspace", "Acme Corp"], input: "x\n").status != 0)
        #expect(try await run("asana-accessd", offline + ["--workspace", "1000"], input: "x\n").status == 0)
    }

    @Test("exit codes: 1 for an RPC error, 2 for a usage error, 3 when nothing listens")
    func exitCodes() async throws {
        let env = try await Environment(users: 20, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        try await env.startServer()
        let rpcError = try await env.client(["list-users", "--workspace", "424242"])
        #expect(rpcError.status == 1)
        #expect(rpcError.stderr.contains("workspace.not_synced"))
        let usage = try await run("asana-access", ["provision", "--workspace", "1"])
        #expect(usage.status == 2)
        let refused = try await run("asana-access", ["ping", "--host", "127.0.0.1", "--port", "1", "--ca", env.certificates.caCertificate])
        #expect(refused.status == 3)
    }

    @Test("API tokens: roles decide what a connection may call; wrong and revoked tokens are refused")
    func tokensAndRoles() async throws {
        let env = try await Environment(users: 30, teams: 2)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", "sync",
                                                 "--asana-base-url", env.simulatorURL], input: env.secret)
        #expect(put.status == 0)
        let reader = try await run("asana-accessd", ["tokens", "create", "--data-dir", env.data, "--name", "ci-reader", "--role", "reader"])
        let operatorToken = try await run("asana-accessd", ["tokens", "create", "--data-dir", env.data, "--name", "ci-operator", "--role", "operator"])
        #expect(reader.status == 0)
        let readerToken = reader.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(readerToken.hasPrefix("aat_"))
        let listed = try await run("asana-accessd", ["tokens", "list", "--data-dir", env.data])
        #expect(listed.stdout.contains("ci-reader\treader"))
        #expect(!listed.stdout.contains(readerToken))
        try await env.startServer(mutualTLS: false)

        let pingAsReader = try await env.client(["ping"], token: readerToken)
        #expect(pingAsReader.json?["identity"] == .object(["principal": .string("token:ci-reader"), "role": .string("reader")]))

        let syncAsReader = try await env.client(["sync", "--workspace", env.workspace], token: readerToken)
        #expect(syncAsReader.status == 1)
        #expect(syncAsReader.stderr.contains("auth.forbidden"))
        let syncAsOperator = try await env.client(["sync", "--workspace", env.workspace], token: operatorToken.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(syncAsOperator.status == 0, "\(syncAsOperator.stderr)")
        let listAsReader = try await env.client(["list-users", "--workspace", env.workspace, "--limit", "3"], token: readerToken)
        #expect(listAsReader.status == 0)

        let wrong = try await env.client(["ping"], token: String(readerToken.dropLast()) + (readerToken.hasSuffix("A") ? "B" : "A"))
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("auth.failed"))

        // The running server holds the data directory: an offline revoke is refused (revokeToken over RPC is the way);
        // stop it, revoke, start again.
        let whileRunning = try await run("asana-accessd", ["tokens", "revoke", "--data-dir", env.data, "--name", "ci-reader"])
        #expect(whileRunning.status == 1)
        #expect(whileRunning.stderr.contains("in use by process"), "\(whileRunning.stderr)")
        #expect(await env.server?.stop() == 0)
        #expect(try await run("asana-accessd", ["tokens", "revoke", "--data-dir", env.data, "--name", "ci-reader"]).status == 0)
        try await env.startServer(mutualTLS: false)
        let revoked = try await env.client(["ping"], token: readerToken)
        #expect(revoked.status == 1)
        #expect(revoked.stderr.contains("auth.failed"))

        // Unauthenticated: ping works, listUsers needs authentication.
        let tls = try TLSSettings.client(trustRoots: env.certificates.caCertificate, certificateChain: nil, privateKey: nil)
        let outcome: RPCError? = try await RPCClient.withConnection(RPCClientConfiguration(host: "127.0.0.1", port: env.port, tls: tls)) { client in
                _ = try await client.call("ping")
                do {
                    _ = try await client.call("listUsers", params: .object(["workspace": .string(env.workspace)]))
                    return nil
                } catch let error as RPCError {
                    return error
                }
        }
        #expect(outcome?.name == "auth.required")
    }

    @Test("rotate-key re-seals every credential under a new key; the retired key no longer opens the database")
    func rotateKey() async throws {
        let root = (NSTemporaryDirectory() as NSString).appendingPathComponent("rotate-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = (root as NSString).appendingPathComponent("data")
        #expect(try await run("asana-accessd", ["init", "--data-dir", data]).status == 0)
        for purpose in ["provision", "sync"] {
            let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", data, "--workspace", "1000", "--purpose", purpose, "--no-check"],
                              input: "secret-\(purpose)")
            #expect(put.status == 0, "\(put.stderr)")
        }
        let keyPath = (data as NSString).appendingPathComponent("master.key")
        let before = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        let rotated = try await run("asana-accessd", ["rotate-key", "--data-dir", data])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("re-sealed 2 credential(s)"))
        let after = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        #expect(after != before)
        #expect((try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int) == 0o600)
        let retired = try #require(try FileManager.default.contentsOfDirectory(atPath: data).first { $0.hasPrefix("master.key.retired-") })

        let list = try await run("asana-accessd", ["credentials", "list", "--data-dir", data])
        #expect(list.status == 0)
        #expect(list.stdout.contains("provision") && list.stdout.contains("sync"))
        let withOldKey = try await run("asana-accessd", ["credentials", "list", "--data-dir", data, "--master-key", (data as NSString).appendingPathComponent(retired)])
        #expect(withOldKey.status == 1)
        #expect(withOldKey.stderr.contains("different master key"))
        let verify = try await run("asana-accessd", ["audit", "verify", "--data-dir", data])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(try await run("asana-accessd", ["audit", "export", "--data-dir", data]).stdout.contains("rotateKey"))
    }

    @Test("a client without a certificate from the CA is refused at the handshake (exit 3)")
    func mutualTLSRequired() async throws {
        let env = try await Environment(users: 20, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        try await env.startServer()
        let anonymous = try await run("asana-access", ["ping", "--host", "127.0.0.1", "--port", "\(env.port)", "--ca", env.certificates.caCertificate])
        #expect(anonymous.status == 3, "\(anonymous.stderr)")
    }

    @Test("malformed lines get correlatable errors and the connection keeps serving")
    func hostileLines() async throws {
        let env = try await Environment(users: 20, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        try await env.startServer()
        let tls = try TLSSettings.client(trustRoots: env.certificates.caCertificate, certificateChain: env.certificates.clientCertificate, privateKey: env.certificates.clientKey)
        try await RPCClient.withConnection(RPCClientConfiguration(host: "127.0.0.1", port: env.port, tls: tls)) { client in
            try await client.sendRaw(Array("{not json\n".utf8))
            let parseError = try await client.readMessage()
            #expect(parseError["id"] == .null)
            #expect(parseError["error"]?["code"] == .integer(-32700))

            try await client.sendRaw(Array(#"{"jsonrpc":"2.0","id":"keep-me","method":"nope"}"# .utf8) + [0x0D, 0x0A])
            let unknown = try await client.readMessage()
            #expect(unknown["id"] == .string("keep-me"))
            #expect(unknown["error"]?["code"] == .integer(-32601))

            try await client.sendRaw(Array(repeating: UInt8(ascii: "x"), count: (1 << 20) + 10) + [0x0A])
            let tooLong = try await client.readMessage()
            #expect(tooLong["error"]?["data"]?["name"] == .string("limit.line_bytes"))

            try await client.sendRaw(Array(#"{"jsonrpc":"2.0","id":9007199254740993,"method":"listUsers","params":{"workspace":"1000","limt":5}}"#.utf8) + [0x0A])
            let badParams = try await client.readMessage()
            #expect(badParams["id"] == .integer(9_007_199_254_740_993))
            #expect(badParams["error"]?["data"]?["field"] == .string("limt"))

            let pong = try await client.call("ping")
            #expect(pong["server"] == .string("asana-accessd"))
        }
    }
}

/// The simulator's generated admin token (`SimulatorSeed.demoAdminToken`), spelled out so this
/// test target does not link the simulator: the binaries under test are separate processes.
enum SimulatorSecret {
    static let admin = "demo-admin-token"
    /// `SimulatorSeed.demoMemberToken`: Max Member (1002), not an admin.
    static let member = "demo-member-token"
}
