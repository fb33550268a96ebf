import AccessProtocol
import DevCertificates
import Foundation
import TestSupport
import Testing

/// `asana-accessd config check` and `serve`'s client certificate modes, with the built binaries.
@Suite("End to end: configuration and client certificate modes", .serialized)
struct ConfigurationEndToEndTests {
    static let sample = Repository.root.appendingPathComponent("deploy/asana-accessd.yaml").path

    /// A file in a fresh temporary directory.
    func temporaryFile(_ text: String, mode: Int = 0o600) throws -> String {
        let directory = try ScratchDirectories.make(prefix: "config-e2e")
        let path = (directory as NSString).appendingPathComponent("asana-accessd.yaml")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test("config check accepts the sample config and names each value's source: flag, env NAME, file PATH or default")
    func checkSample() async throws {
        let output = try await run("asana-accessd", ["config", "check", "--config", Self.sample, "--port", "9443"],
                             environment: ["ASANA_ACCESSD_SYNC_INTERVAL": "600", "ASANA_ACCESSD_CONFIG": ""])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["config", "file:", Self.sample])
        #expect(lines.contains(["server.port", "9443", "flag", "--port"]))
        #expect(lines.contains(["sync.interval", "600", "env", "ASANA_ACCESSD_SYNC_INTERVAL"]))
        #expect(lines.contains(["tls.clientCertificates", "optional", "file", Self.sample]))
        #expect(lines.contains(["tls.principalRoles", "idm-automation=operator,it-admin=admin", "file", Self.sample]))
        #expect(lines.contains(["rpc.maxInFlight", "16", "default"]))
        #expect(lines.contains(["data.masterKey", "unset", "default"]))
        #expect(lines.contains(["database.url", "unset", "default"]))

        // The database URL's password is never printed.
        let database = try await run("asana-accessd", ["config", "check"],
                               environment: ["ASANA_ACCESSD_DATABASE_URL": "postgres://svc:pa55word@db.internal/asana?sslmode=require", "ASANA_ACCESSD_CONFIG": ""])
        #expect(database.status == 0, "\(database.stderr)")
        #expect(database.stdout.contains("database.url") && database.stdout.contains("postgres://svc:***@db.internal/asana?sslmode=require"))
        #expect(!database.stdout.contains("pa55word") && !database.stderr.contains("pa55word"))
        let databaseJSON = try await run("asana-accessd", ["config", "check", "--json"],
                                   environment: ["ASANA_ACCESSD_DATABASE_URL": "postgres://svc:pa55word@db.internal/asana?sslmode=require", "ASANA_ACCESSD_CONFIG": ""])
        #expect(databaseJSON.status == 0, "\(databaseJSON.stderr)")
        #expect(databaseJSON.stdout.contains("postgres://svc:***@db.internal/asana?sslmode=require") && !databaseJSON.stdout.contains("pa55word"))
        // serve's own check of the URL's parameters runs in config check too, exit 64, without the password.
        let badMode = try await run("asana-accessd", ["config", "check"],
                              environment: ["ASANA_ACCESSD_DATABASE_URL": "postgres://svc:pa55word@db.internal/asana?sslmode=bogus", "ASANA_ACCESSD_CONFIG": ""])
        #expect(badMode.status == 64 && badMode.stderr.contains("ASANA_ACCESSD_DATABASE_URL") && badMode.stderr.contains("sslmode"), "\(badMode.stderr)")
        #expect(!badMode.stderr.contains("pa55word"))

        let json = try await run("asana-accessd", ["config", "check", "--json"], environment: ["ASANA_ACCESSD_CONFIG": Self.sample])
        #expect(json.status == 0, "\(json.stderr)")
        let answer = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))
        #expect(answer["valid"] == .bool(true))
        #expect(answer["configFile"] == .string(Self.sample))
        guard case .array(let settings)? = answer["settings"] else {
            Issue.record("no settings array: \(json.stdout)")
            return
        }
        #expect(settings.count == 25)
        #expect(settings.contains(.object(["key": .string("history.retention"), "value": .integer(2555), "source": .string("file \(Self.sample)"),
                                           "flag": .string("--history-retention"), "environment": .string("ASANA_ACCESSD_HISTORY_RETENTION"), "secret": .bool(false)])))
        #expect(settings.allSatisfy { $0["secret"] == .bool(false) })  // none today: the master key is a path
    }

    @Test("bad config: exit 64 naming the file, key and expectation; an unreadable file exits 1; --json carries the errors")
    func badConfig() async throws {
        let unknown = try temporaryFile("sync:\n  intervall: 60\nserver: {port: 99999}\n")
        let checked = try await run("asana-accessd", ["config", "check", "--config", unknown])
        #expect(checked.status == 64)
        #expect(checked.stderr.contains("the config file \(unknown) has an unknown key sync.intervall; did you mean sync.interval?"), "\(checked.stderr)")
        let range = try temporaryFile("server: {port: 99999}\n")
        let served = try await run("asana-accessd", ["serve", "--config", range])
        #expect(served.status == 64)
        #expect(served.stderr.contains("the config file \(range), key server.port: 99999 is out of range; expected a whole number between 0 and 65535"), "\(served.stderr)")
        let environment = try await run("asana-accessd", ["config", "check"], environment: ["ASANA_ACCESSD_SYNC_DEADLINE": "soon"])
        #expect(environment.status == 64)
        #expect(environment.stderr.contains("ASANA_ACCESSD_SYNC_DEADLINE=soon: expected a whole number of seconds, at least 1"), "\(environment.stderr)")
        let missing = try await run("asana-accessd", ["config", "check", "--config", "/nonexistent/asana-accessd.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read the config file /nonexistent/asana-accessd.yaml: No such file or directory"), "\(missing.stderr)")
        let json = try await run("asana-accessd", ["config", "check", "--json", "--config", range])
        #expect(json.status == 64)
        let answer = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))
        #expect(answer["valid"] == .bool(false))
        #expect(answer["errors"] == .array([.string("the config file \(range), key server.port: 99999 is out of range; expected a whole number between 0 and 65535")]))
        let flag = try await run("asana-accessd", ["serve", "--sync-intervall", "5"])
        #expect(flag.status == 64)
        #expect(flag.stderr.contains("unknown option --sync-intervall; did you mean --sync-interval?"), "\(flag.stderr)")
        // What serve checks beyond the table, config check checks too, naming the file's key.
        let clash = try temporaryFile("server: {port: 9464}\nmetrics: {address: 127.0.0.1:9464}\n")
        let clashChecked = try await run("asana-accessd", ["config", "check", "--config", clash])
        #expect(clashChecked.status == 64)
        #expect(clashChecked.stderr.contains("the config file \(clash), key metrics.address: 127.0.0.1:9464 uses the RPC port 9464"), "\(clashChecked.stderr)")
        let malformed = try temporaryFile("metrics: {address: localhost}\n")
        let malformedJSON = try await run("asana-accessd", ["config", "check", "--json", "--config", malformed])
        #expect(malformedJSON.status == 64)
        let refusal = try JSONDecoder().decode(JSONValue.self, from: Data(malformedJSON.stdout.utf8))
        #expect(refusal["valid"] == .bool(false))
        guard case .array(let errors)? = refusal["errors"], case .string(let first)? = errors.first else {
            Issue.record("no errors in \(malformedJSON.stdout)")
            return
        }
        #expect(first.hasPrefix("the config file \(malformed), key metrics.address: ") && first.contains("is not HOST:PORT"), "\(first)")
    }

    @Test("the README's table of settings is `config reference`, and serve --help lists every setting")
    func readmeTable() async throws {
        let reference = try await run("asana-accessd", ["config", "reference"])
        #expect(reference.status == 0)
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(reference.stdout.trimmingCharacters(in: .newlines)),
                "README.md's table of settings differs from `asana-accessd config reference`; paste its output under ### Configuration")
        // serve's flags are not @Options: the table is the command's discussion, in --help and in the dump the
        // man page generator (generate-manual) reads.
        let help = try await run("asana-accessd", ["serve", "--help"])
        #expect(help.status == 0)
        let helpWords = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let dump = try await run("asana-accessd", ["serve", "--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let discussion = (try JSONDecoder().decode(JSONValue.self, from: Data(dump.stdout.utf8))["command"]?["discussion"]?.stringValue ?? "")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let rows = reference.stdout.split(separator: "\n").dropFirst(2)
        #expect(rows.count == 25)
        for line in rows {
            let cells = line.split(separator: "`")
            let (key, flag, environment) = (cells[1], cells[3], cells[5])
            #expect(helpWords.contains("\(flag) <") && helpWords.contains("env \(environment), key \(key), default"), "serve --help does not list \(flag) with its variable and key")
            #expect(discussion.contains("\(flag) <") && discussion.contains("env \(environment), key \(key),"), "serve --experimental-dump-help does not carry \(flag)")
        }
        // Units and defaults, as help shows them.
        #expect(helpWords.contains("--sync-interval <seconds> env ASANA_ACCESSD_SYNC_INTERVAL, key sync.interval, default 86400 seconds."))
        #expect(helpWords.contains("--history-retention <days> env ASANA_ACCESSD_HISTORY_RETENTION, key history.retention, default unset: kept forever."))
        #expect(helpWords.contains("--log-level <trace|debug|info|notice|warning|error|critical> env ASANA_ACCESSD_LOG_LEVEL, key log.level, default info."))
        #expect(helpWords.contains("--max-in-flight <count> env ASANA_ACCESSD_MAX_IN_FLIGHT, key rpc.maxInFlight, default 16."))
        #expect(discussion.contains("--sync-interval <seconds>"))
    }

    @Test("client certificates optional: a token client without a certificate authenticates, the CA's certificate gets its role, another CA's is refused at the handshake; required refuses the token client")
    func clientCertificateModes() async throws {
        let env = try await EndToEndTests.Environment(users: 20, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let created = try await run("asana-accessd", ["tokens", "create", "--data-dir", env.data, "--name", "ci", "--role", "reader"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let strangers = (env.root as NSString).appendingPathComponent("other-ca")
        #expect(try await run("asana-accessd", ["certs", "dev", "--out", strangers]).status == 0)
        let stranger = DevCertificates.Files(directory: strangers)

        try await env.startServer(extraArguments: ["--client-certificates", "optional"])
        let byToken = try await env.client(["ping"], token: token)
        #expect(byToken.status == 0, "\(byToken.stderr)")
        #expect(byToken.json?["identity"]?["role"] == .string("reader"), "\(String(describing: byToken.json))")
        let byCertificate = try await env.client(["ping"])
        #expect(byCertificate.json?["identity"] == .object(["principal": .string("cert:dev-admin"), "role": .string("admin")]))
        let foreign = try await run("asana-access", ["ping", "--host", "127.0.0.1", "--port", "\(env.port)", "--ca", env.certificates.caCertificate,
                                               "--cert", stranger.clientCertificate, "--key", stranger.clientKey, "--json"])
        #expect(foreign.status == 3, "a certificate from another CA must fail the handshake: \(foreign.stdout) \(foreign.stderr)")
        await env.server?.stop()

        try await env.startServer(extraArguments: ["--client-certificates", "required"])
        let refused = try await env.client(["ping"], token: token)
        #expect(refused.status == 3, "required: a client without a certificate fails the handshake: \(refused.stderr)")
        #expect(try await env.client(["ping"]).status == 0)
    }
}
