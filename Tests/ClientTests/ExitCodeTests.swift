import AccessProtocol
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit codes without a server: 0 ok, 2 usage, 3 connection failure (1 needs a server: ServerCallTests).
@Suite struct ExitCodeTests {
    @Test("--version prints the release version (ProductVersion) and exits 0")
    func version() async throws {
        let output = try await ClientProcess.client(["--version"])
        #expect(output.status == 0)
        #expect(output.stdout == "\(ProductVersion.current)\n")
        #expect(ProductVersion.current.split(separator: ".").count == 3)
    }

    @Test("--help exits 0 and names the exit codes")
    func help() async throws {
        let output = try await ClientProcess.client(["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("list-users"))
        let words = output.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Exit codes: 0 ok, 1 the server answered with an error, 2 usage error, 3 connection or TLS failure."))
    }

    @Test("usage errors exit 2 with a message on stderr", arguments: [
        (["list-users"], "Missing expected argument '--workspace <gid-or-name>'"),
        (["list-users", "--workspace", "1000", "--limit", "0"], "--limit must be in 1...1000, got 0."),
        (["list-users", "--workspace", "1000", "--limit", "many"], "--limit"),
        (["list-users", "--workspace", "1000", "--active", "--inactive"], "--inactive"),
        (["provision", "--workspace", "1000", "--email", "a@acme.example", "--action", "frobnicate"], "frobnicate"),
        (["provision", "--workspace", "1000", "--email", "nobody", "--action", "add"], "--email must be an email address"),
        (["call", "ping", "--params", "[1"], "--params is not valid JSON"),
        (["call", "ping", "--params", "42"], "--params must be a JSON object, got a number."),
        (["ping", "--port", "70000"], "--port must be in 1...65535, got 70000."),
        (["ping", "--ca", "/nonexistent/ca.pem"], "--ca: cannot read \"/nonexistent/ca.pem\"."),
        (["ping", "--cert", "/dev/null"], "--cert needs --key"),
        (["frobnicate"], "Unknown subcommand 'frobnicate'. Subcommands: ping, sync, status, list-users, changes, report, provision, sync-runs, audit, tokens, credentials, oauth, call."),
        (["list-user", "--workspace", "1000"], "Unknown subcommand 'list-user'. Did you mean 'list-users'?"),
        (["--port", "70000", "ping"], "--port must be in 1...65535, got 70000."),
    ])
    func usageError(arguments: [String], message: String) async throws {
        let output = try await ClientProcess.client(arguments)
        #expect(output.status == 2, "stderr: \(output.stderr)")
        #expect(output.stderr.contains(message), "stderr: \(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test("a bad ASANA_ACCESS_PORT is a usage error")
    func badPortInEnvironment() async throws {
        let output = try await ClientProcess.client(["ping"], environment: ["ASANA_ACCESS_PORT": "seven"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("ASANA_ACCESS_PORT must be a port number, got \"seven\"."))
    }

    @Test("a closed port on 127.0.0.1 exits 3 with a hint")
    func closedPort() async throws {
        let port = try Self.unusedPort()
        let output = try await ClientProcess.client(["ping", "--host", "127.0.0.1", "--port", String(port)])
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("cannot connect to 127.0.0.1:\(port): connection refused\n"), "stderr: \(output.stderr)")
        #expect(!output.stderr.contains("errno"), "stderr: \(output.stderr)")
        #expect(output.stderr.contains("is asana-accessd running?"))
        #expect(output.stdout.isEmpty)
    }

    @Test("connection options may come before the subcommand, as in the Python client")
    func optionsBeforeSubcommand() async throws {
        let port = try Self.unusedPort()
        let output = try await ClientProcess.client(["--host", "127.0.0.1", "--port=\(port)", "--json", "ping"])
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("cannot connect to 127.0.0.1:\(port): connection refused\n"), "stderr: \(output.stderr)")
    }

    @Test("ASANA_ACCESS_HOST/PORT are used when the options are absent")
    func environmentFallback() async throws {
        let port = try Self.unusedPort()
        let output = try await ClientProcess.client(["ping"], environment: ["ASANA_ACCESS_HOST": "127.0.0.1", "ASANA_ACCESS_PORT": String(port)])
        #expect(output.status == 3)
        #expect(output.stderr.contains("cannot connect to 127.0.0.1:\(port): connection refused\n"), "stderr: \(output.stderr)")
        #expect(!output.stderr.contains("errno"), "stderr: \(output.stderr)")
    }

    @Test("a --ca that is not PEM exits 3")
    func caNotPEM() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID().uuidString).pem")
        try "not a certificate\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let output = try await ClientProcess.client(["ping", "--port", String(try Self.unusedPort()), "--ca", url.path])
        #expect(output.status == 3)
        #expect(output.stderr.contains("cannot load the TLS files"))
    }

    /// A TCP port on 127.0.0.1 that nothing listens on: bound to learn a free one, then closed.
    static func unusedPort() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        try #require(fd >= 0, "socket() failed")
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try #require(bound == 0, "bind() failed")
        var actual = sockaddr_in()
        var actualLength = length
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        try #require(named == 0, "getsockname() failed")
        return Int(UInt16(bigEndian: actual.sin_port))
    }
}
