import AccessProtocol
import Foundation
import LineRPC
import TestSupport
import Testing

/// The client against a real TLS JSON-RPC server (``FakeServer``): output, exit code 1 for error
/// answers, exit code 3 for TLS failures, notifications, cursors.
@Suite
struct ServerCallTests {
    /// Runs `asana-access` against a fresh fake server; `arguments` get `--port` and (unless
    /// `trustCA` is false) `--ca` appended.
    static func client(_ arguments: [String], mutualTLS: Bool = false, dnsOnly: Bool = false, trustCA: Bool = true,
                       environment: [String: String] = [:], extra: (TestCertificates) -> [String] = { _ in [] }) async throws -> ClientProcess.Output {
        let certificates = try TestCertificates.shared.get()
        return try await FakeServer.with(certificates: certificates, mutualTLS: mutualTLS, dnsOnly: dnsOnly) { port in
            var all = arguments + ["--port", String(port)] + extra(certificates)
            if trustCA { all += ["--ca", certificates.caCertificate] }
            return try await ClientProcess.client(all, environment: environment)
        }
    }

    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test("ping prints one line of JSON with sorted keys when stdout is not a terminal")
    func pingJSON() async throws {
        let output = try await Self.client(["ping"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let limits = #"{"authenticated":{"answerBytes":4194304,"batchLength":100,"inFlight":16,"jsonValues":10000,"lineBytes":1048576,"linesPerSecond":null,"queuedBytes":4194304},"connections":256,"jsonDepth":64,"unauthenticated":{"answerBytes":16384,"batchLength":10,"inFlight":1,"jsonValues":256,"lineBytes":65536,"linesPerSecond":10,"queuedBytes":16384}}"#
        #expect(output.stdout == #"{"limits":"# + limits + #","protocolVersion":"1.0","server":"fake-asana-accessd","time":"2025-01-02T03:04:05.000Z","version":"9.9.9"}"# + "\n")
        #expect(output.stderr.isEmpty)
    }

    @Test("--host localhost is checked against the certificate's DNS name")
    func hostName() async throws {
        let output = try await Self.client(["ping", "--host", "localhost"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
    }

    @Test("--server-name is checked against a certificate that names no IP address", arguments: [
        (nil, Int32(3)), ("localhost", 0), ("wrong.example", 3),
    ] as [(String?, Int32)])
    func serverName(name: String?, status: Int32) async throws {
        let output = try await Self.client(["ping", "--host", "127.0.0.1"] + (name.map { ["--server-name", $0] } ?? []), dnsOnly: true)
        #expect(output.status == status, "stderr: \(output.stderr)")
        if status == 3 {
            #expect(output.stderr.contains("TLS handshake failed"), "stderr: \(output.stderr)")
            #expect(output.stderr.contains("hint: the server certificate does not name this host: pass --server-name"))
            #expect(output.stdout.isEmpty)
        }
    }

    @Test("an untrusted server certificate exits 3", arguments: [false, true])
    func untrustedServer(withOtherCA: Bool) async throws {
        let output = try await Self.client(["ping"], trustCA: false, extra: { withOtherCA ? ["--ca", $0.otherCACertificate] : [] })
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("TLS handshake failed"), "stderr: \(output.stderr)")
        #expect(output.stderr.contains("hint: the server certificate is not signed by a CA you trust: pass --ca"), "stderr: \(output.stderr)")
    }

    @Test("mutual TLS: without a client certificate exit 3")
    func mutualTLSWithoutCertificate() async throws {
        let output = try await Self.client(["ping"], mutualTLS: true)
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("hint: the server requires a client certificate: pass --cert and --key"), "stderr: \(output.stderr)")
    }

    @Test("mutual TLS: --cert/--key (or ASANA_ACCESS_CERT/KEY) make the principal the certificate's CN", arguments: [false, true])
    func mutualTLSWithCertificate(fromEnvironment: Bool) async throws {
        let certificates = try TestCertificates.shared.get()
        let output = try await Self.client(
            ["ping"], mutualTLS: true,
            environment: fromEnvironment ? ["ASANA_ACCESS_CERT": certificates.clientCertificate, "ASANA_ACCESS_KEY": certificates.clientKey] : [:],
            extra: { fromEnvironment ? [] : ["--cert", $0.clientCertificate, "--key", $0.clientKey] })
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(try Self.json(output.stdout)["identity"] == .object(["principal": .string("cert:ci-bot"), "role": .string("admin")]))
    }

    @Test("sync --progress whose standard error nobody reads any more goes on, without a crash")
    func progressToClosedStandardError() async throws {
        let certificates = try TestCertificates.shared.get()
        let binary = try ClientProcess.binaryURL()
        let bash = try #require(ClientProcess.which("bash"))
        let status = try await FakeServer.with(certificates: certificates) { port in
            // `true` exits without reading: every progress line meets a closed pipe (EPIPE).
            let command = ([binary.path, "sync", "--workspace", "1000", "--progress", "--port", String(port), "--ca", certificates.caCertificate]
                .map(ClientProcess.shellQuoted).joined(separator: " ")) + " 2>&1 >/dev/null | true; exit ${PIPESTATUS[0]}"
            return try await ClientProcess.run(bash, ["-c", command]).status
        }
        // 0, or 141 if SIGPIPE ends it the Unix way; a trap was 132 (SIGILL).
        #expect(status == 0 || status == 141, "exit status \(status)")
    }

    @Test("list-users prints one page and its nextCursor")
    func listUsersOnePage() async throws {
        let output = try await Self.client(["list-users", "--workspace", "1000"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let result = try Self.json(output.stdout)
        #expect(result["users"].map { if case .array(let users) = $0 { users.count } else { -1 } } == 2)
        #expect(result["nextCursor"] == .string("p2"))
        #expect(output.stdout.split(separator: "\n").count == 1)
    }

    @Test("list-users --all follows nextCursor and merges the pages")
    func listUsersAll() async throws {
        let output = try await Self.client(["list-users", "--workspace", "1000", "--all"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let result = try Self.json(output.stdout)
        guard case .array(let users)? = result["users"] else { Issue.record("no users array: \(output.stdout)"); return }
        #expect(users.map { $0["gid"] } == [.string("1"), .string("2"), .string("3")])
        #expect(result["nextCursor"] == nil)
        #expect(result["workspace"]?["name"] == .string("Acme Corp"))
    }

    @Test("list-users --all stops with exit 3 when the server repeats a cursor")
    func listUsersCursorLoop() async throws {
        let output = try await Self.client(["list-users", "--workspace", "1000", "--all", "--cursor", "loop"])
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("returned the cursor loop twice"))
    }

    @Test("an error answer exits 1 with `error CODE NAME: message` on stderr and the error object as JSON on stdout", arguments: [
        (["list-users", "--workspace", "404"], "error 1001 workspace.not_synced: Workspace 404 has not been synced yet; run sync first\n"),
        (["list-users", "--workspace", "1000", "--cursor", "bogus"], "error -32602 rpc.invalid_params: Invalid params: \"cursor\" is not a cursor this server issued for this query\n"),
        (["call", "nope"], "error -32601 rpc.method_not_found: Method not found: nope\n"),
        (["call", "ping", "--params", #"{"extra":1}"#], "error -32602 rpc.invalid_params: Invalid params: unknown member \"extra\"\n"),
    ])
    func errorAnswer(arguments: [String], expected: String) async throws {
        let output = try await Self.client(arguments)
        #expect(output.status == 1)
        #expect(output.stderr == expected)
        // Piped, the client is in JSON mode: the error object keeps its data for scripts.
        let error = try Self.json(output.stdout)["error"]
        #expect(expected.hasPrefix("error \(error?["code"]?.integerValue ?? 0) \(error?["data"]?["name"]?.stringValue ?? ""): "))
        #expect(expected.hasSuffix(": \(error?["message"]?.stringValue ?? "")\n"))
    }

    @Test("sync --progress prints sync.progress notifications to stderr, the result to stdout")
    func syncProgress() async throws {
        let output = try await Self.client(["sync", "--workspace", "1000", "--progress"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stderr == "sync 1000: users\nsync 1000: teamMemberships 3/20\nsync 1000: commit 0/1\n")
        #expect(try Self.json(output.stdout)["runId"] == .integer(7))
    }

    @Test("sync without --progress prints nothing to stderr")
    func syncQuiet() async throws {
        let output = try await Self.client(["sync", "--workspace", "1000"])
        #expect(output.status == 0)
        #expect(output.stderr.isEmpty)
    }

    @Test("sync held by Asana's rate limit prints `waiting` with its seconds to stderr, also without --progress")
    func syncWaiting() async throws {
        let quiet = try await Self.client(["sync", "--workspace", "2000"])
        #expect(quiet.status == 0, "stderr: \(quiet.stderr)")
        #expect(quiet.stderr == "sync 2000: waiting 30 s (Asana answered 429 Too Many Requests)\n")
        let all = try await Self.client(["sync", "--workspace", "2000", "--progress"])
        #expect(all.stderr == "sync 2000: waiting 30 s (Asana answered 429 Too Many Requests)\nsync 2000: users\nsync 2000: teamMemberships 3/20\nsync 2000: commit 0/1\n")
    }

    @Test("provision: all targets fine → exit 0")
    func provisionOK() async throws {
        let output = try await Self.client(["provision", "--workspace", "1000", "--email", "new@acme.example", "--action", "add", "--team", "Engineering"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let result = try Self.json(output.stdout)
        #expect(result["user"]?["email"] == .string("new@acme.example"))
        #expect(result["action"] == .string("add"))
    }

    @Test("provision: a failed target → result printed, failure on stderr, exit 1")
    func provisionPartialFailure() async throws {
        let output = try await Self.client(["provision", "--workspace", "1000", "--email", "new@acme.example", "--action", "add",
                                            "--team", "Engineering", "--team", "Design"])
        #expect(output.status == 1)
        #expect(output.stderr == "error 2003 upstream.forbidden: Asana refused: not allowed (team Design (201))\n")
        guard case .array(let targets)? = try Self.json(output.stdout)["targets"] else { Issue.record("no targets"); return }
        #expect(targets.map { $0["outcome"] } == [.string("added"), .string("alreadyMember"), .string("failed")])
    }

    @Test("call prints the result JSON of any method")
    func callAnyMethod() async throws {
        let output = try await Self.client(["call", "listUsers", "--params", #"{"workspace":"1000","cursor":"p2"}"#])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(try Self.json(output.stdout)["users"]?.typeName == "array")
    }
}
