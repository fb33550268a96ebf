import AccessProtocol
import AccessService
import AccessStore
import ArgumentParser
import AsyncHTTPClient
import AsanaSimulator
import DevCertificates
import Foundation
import LineRPC
import Logging
import ServiceLifecycle

/// `asana-accessd demo`: the whole product end to end on loopback, on embedded defaults.
///
/// Makes dev certificates and a master key in a fresh directory, starts the Asana simulator seeded
/// with an organization, stores its tokens as sealed credentials, starts the server, and drives
/// the real `asana-access` client binary (found next to this executable) through sync, list-users,
/// provision add, sync, provision remove and sync, then authorizes the sync credential over OAuth
/// (the simulator plays Asana's consent screen) and syncs with it. Exits non-zero if any step fails.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run server, Asana simulator and client end to end on loopback.")

    @Option(help: "People in the simulated organization.") var users: Int = 1500
    @Option(help: "Teams in the simulated organization.") var teams: Int = 20
    @Option(name: .customLong("work-dir"), help: "Directory for certificates, key and database; default: a new temporary directory.", completion: .directory)
    var workDirectory: String?
    @Option(name: .customLong("client"), help: "Path of the asana-access binary; default: next to this executable.", completion: .file())
    var clientPath: String?

    func validate() throws {
        guard users >= 10, users <= 100_000 else { throw ValidationError("--users must be between 10 and 100000") }
        guard teams >= 1, teams <= 1000 else { throw ValidationError("--teams must be between 1 and 1000") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: .text)  // a client's control characters escaped
            handler.logLevel = .warning
            return handler
        }
        let logger = Logger(label: "asana-accessd.demo")
        let client = clientPath ?? Self.siblingExecutable("asana-access")
        guard FileManager.default.isExecutableFile(atPath: client) else {
            throw CommandFailure("the client binary is not at \(client): build it with `swift build` or pass --client")
        }
        let work = try workDirectory ?? Self.makeTemporaryDirectory()
        step("working directory \(work)")

        let certificates = try DevCertificates.make(in: (work as NSString).appendingPathComponent("certs"))
        step("made a dev CA, a server certificate for localhost/127.0.0.1 and a client certificate (CN=dev-admin)")

        let data = (work as NSString).appendingPathComponent("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let lock = try DataDirectoryLock.acquire(directory: data, purpose: "demo")
        defer { lock.release() }
        // The demo makes its own store (like init) in its working directory.
        let key = try MasterKey.loadOrCreate(at: (data as NSString).appendingPathComponent("master.key"))
        let store = try SQLiteAccessStore.open(path: (data as NSString).appendingPathComponent("asana-access.sqlite"), masterKey: key, mode: .create)
        step("created the master key (mode 0600) and the SQLite database in \(data)")

        let seed = SimulatorSeed.generated(users: users, teams: teams)
        let simulator = AsanaSimulator(seed: seed, configuration: SimulatorConfiguration(), logger: logger)
        _ = try await simulator.start()
        guard let organization = seed.workspaces.first else { throw CommandFailure("the generated seed has no workspace") }
        step("Asana simulator at \(simulator.baseURL): organization \"\(organization.name)\" (\(organization.gid)) with \(seed.users.count) people and \(seed.teams.count) teams")

        try await store.putCredential(workspaceGid: organization.gid, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoAdminToken, at: Date())
        try await store.putCredential(workspaceGid: organization.gid, purpose: .sync, kind: .pat, secret: SimulatorSeed.demoMemberToken, at: Date())
        for summary in try await store.credentialSummaries() {
            step("sealed the \(summary.purpose.rawValue) credential with AES-256-GCM: \(summary.kind.rawValue) \(summary.fingerprint)")
        }

        let tls = try TLSSettings.server(certificateChain: certificates.serverCertificate, privateKey: certificates.serverKey, clientTrustRoots: certificates.caCertificate)
        var configuration = ServiceRuntime.Configuration(asanaBaseURL: simulator.baseURL)
        configuration.port = 0
        configuration.drainTimeout = .seconds(10)
        configuration.principalRoles = ["dev-admin": .admin]
        let runtime = ServiceRuntime(configuration: configuration, logger: logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let group = try await runtime.makeServiceGroup(store: store, lock: lock, tls: tls) { port in portContinuation.yield(port) }

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var portIterator = ports.makeAsyncIterator()
            guard let port = await portIterator.next() else { throw CommandFailure("the server did not start") }
            step("asana-accessd listening on 127.0.0.1:\(port) (TLS 1.2+, mutual TLS: certificate dev-admin has the admin role)")

            let connection = ["--host", "127.0.0.1", "--port", "\(port)", "--ca", certificates.caCertificate,
                              "--cert", certificates.clientCertificate, "--key", certificates.clientKey]
            let workspace = ["--workspace", organization.gid]
            let newcomer = "demo.newcomer@\(organization.emailDomains.first ?? "acme.example")"
            let team = seed.teams.first?.name ?? ""
            let script: [(String, [String])] = [
                ("check the connection", ["ping"]),
                ("first sync: pulls every page of users and memberships", ["sync"] + workspace),
                ("admins of the workspace", ["list-users"] + workspace + ["--admin", "--limit", "5"]),
                ("guests of the workspace", ["list-users"] + workspace + ["--guest", "--limit", "5"]),
                ("provision a new person into the workspace and team \"\(team)\"", ["provision"] + workspace + ["--email", newcomer, "--action", "add", "--team", team]),
                ("the same call again changes nothing", ["provision"] + workspace + ["--email", newcomer, "--action", "add", "--team", team]),
                ("second sync: the newcomer is in Asana's own lists now", ["sync"] + workspace),
                ("find the newcomer", ["list-users"] + workspace + ["--query", "demo.newcomer"]),
                ("remove the newcomer from the workspace: the snapshot marks them departed at once", ["provision"] + workspace + ["--email", newcomer, "--action", "remove"]),
                ("third sync: Asana agrees; the newcomer stays departed, not deleted", ["sync"] + workspace),
                ("departed people are kept, with the time they left", ["list-users"] + workspace + ["--query", "demo.newcomer", "--include-departed"]),
            ]
            for (what, arguments) in script {
                step(what)
                print("  $ asana-access \(arguments.joined(separator: " "))")
                fflush(nil)  // all streams: naming `stdout` is not concurrency-safe in Swift 6
                try Self.runClient(client, arguments + connection)
            }
            try await authorizeOverOAuth(client: client, connection: connection, workspace: workspace)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await simulator.stop()
        step("server drained and stopped; simulator stopped. Demo finished in \((ContinuousClock.now - started).milliseconds) ms")
        step(workDirectory == nil
             ? "its files stay in \(work) to look at (asana-accessd audit verify --data-dir \(work)/data); remove them with: rm -rf \(work)"
             : "its files are in \(work)")
    }

    /// Replaces the sync PAT by an OAuth credential: store the app secret, start, consent (the browser's part,
    /// played here by a GET of the authorize URL as the simulator's admin), finish, sync, status.
    private func authorizeOverOAuth(client: String, connection: [String], workspace: [String]) async throws {
        let app = SimulatorSeed.demoOAuthApp
        step("OAuth: store the client secret of the Asana app \"\(app.clientId)\" (read from stdin, sealed like a credential)")
        print("  $ asana-access oauth client-put --client-id \(app.clientId)   (secret on stdin)")
        fflush(nil)
        try Self.runClient(client, ["oauth", "client-put", "--client-id", app.clientId] + connection, input: app.clientSecret + "\n")

        let redirect = app.redirectURIs[0]
        let start = ["oauth", "start"] + workspace + ["--client-id", app.clientId, "--redirect-uri", redirect, "--scope", "default"]
        step("OAuth: start an authorization for the sync credential (state and PKCE S256)")
        print("  $ asana-access \(start.joined(separator: " "))")
        fflush(nil)
        let started = try Self.runClient(client, start + connection + ["--json"], capture: true)
        guard let answer = try? JSONValue(strictJSON: started), let url = answer["authorizeUrl"]?.stringValue else {
            throw CommandFailure("oauth start printed no authorizeUrl: \(started)")
        }
        print("  authorize URL: \(url)")

        step("OAuth: the admin approves in the browser; Asana redirects to \(redirect) with a code")
        let location = try await Self.consent(url, sessionToken: SimulatorSeed.demoAdminToken)
        print("  redirected to: \(location.replacingOccurrences(of: #"code=[^&]+"#, with: "code=…", options: .regularExpression))")

        let script: [(String, [String])] = [
            ("OAuth: exchange the code; the server seals access token, refresh token and expiry", ["oauth", "finish", "--redirect-url", location]),
            ("sync with the OAuth credential (refreshed by the server before it expires)", ["sync"] + workspace),
            ("the workspace's credentials now: an admin PAT for provision, OAuth for sync", ["status"] + workspace),
        ]
        for (what, arguments) in script {
            step(what)
            let shown = arguments.first == "oauth" ? ["oauth", "finish", "--redirect-url", "'\(redirect)?code=…&state=…'"] : arguments
            print("  $ asana-access \(shown.joined(separator: " "))")
            fflush(nil)
            try Self.runClient(client, arguments + connection)
        }
    }

    /// The browser's part of the authorization: GET the authorize URL signed in (the simulator takes the user's token as
    /// the session) and return the redirect's `Location`, without following it.
    private static func consent(_ url: String, sessionToken: String) async throws -> String {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(sessionToken)")
        let location: String?
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            location = response.headers.first(name: "Location")
        } catch {
            try? await http.shutdown()
            throw CommandFailure("the simulator's authorize page failed: \(error)")
        }
        try await http.shutdown()
        guard let location, location.contains("code=") else { throw CommandFailure("the simulator did not redirect with a code: \(location ?? "no Location")") }
        return location
    }

    private func step(_ text: String) {
        print("==> \(text)")
        fflush(nil)  // all streams: naming `stdout` is not concurrency-safe in Swift 6
    }

    /// Runs the client with `arguments` and `input` on its stdin, its output going straight to ours (or returned,
    /// with `capture`); throws if it exits non-zero.
    @discardableResult
    private static func runClient(_ path: String, _ arguments: [String], input: String? = nil, capture: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        if input != nil { process.standardInput = stdin }
        let stdout = Pipe()
        if capture { process.standardOutput = stdout }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let output = capture ? String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) : ""
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("asana-access \(arguments.first ?? "") exited with status \(process.terminationStatus)")
        }
        return output
    }

    private static func siblingExecutable(_ name: String) -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent(name).path
    }

    private static func makeTemporaryDirectory() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("asana-access-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }
}
