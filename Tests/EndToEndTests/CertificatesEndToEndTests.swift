import AccessProtocol
import Foundation
import Testing

/// `asana-accessd certs ca|server|client|show` with the real binaries: certificates from an operator's CA serve
/// mutual TLS; a client certificate from another CA is refused; a non-CA or a mismatched key cannot issue.
@Suite("End to end: certificates from the operator's CA", .serialized)
struct CertificatesEndToEndTests {
    /// The value of the line `name: value` of `certs show`'s output.
    static func field(_ name: String, _ text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    @Test("make a CA, issue a server and a client certificate, serve with them: ping connects as the client's principal; another CA's client is refused")
    func issueAndConnect() async throws {
        let root = (NSTemporaryDirectory() as NSString).appendingPathComponent("asana-access-certs-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        let ca = try await run("asana-accessd", ["certs", "ca", "--out", path("ca"), "--name", "Acme ops CA"])
        #expect(ca.status == 0, "\(ca.stderr)")
        let authority = ["--ca-cert", path("ca/ca.pem"), "--ca-key", path("ca/ca-key.pem")]
        let server = try await run("asana-accessd", ["certs", "server"] + authority + ["--host", "127.0.0.1", "--host", "localhost", "--out", path("server")])
        #expect(server.status == 0, "\(server.stderr)")
        let client = try await run("asana-accessd", ["certs", "client"] + authority + ["--name", "ops-bot", "--out", path("clients")])
        #expect(client.status == 0, "\(client.stderr)")
        for key in ["ca/ca-key.pem", "server/server-key.pem", "clients/ops-bot-key.pem"] {
            #expect(try FileManager.default.attributesOfItem(atPath: path(key))[.posixPermissions] as? Int == 0o600, "\(key)")
        }
        let again = try await run("asana-accessd", ["certs", "client"] + authority + ["--name", "ops-bot", "--out", path("clients")])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"), "\(again.stderr)")

        let shownServer = try await run("asana-accessd", ["certs", "show", path("server/server.pem")])
        #expect(shownServer.status == 0, "\(shownServer.stderr)")
        #expect(shownServer.stdout.contains("SANs:"), "\(shownServer.stdout)")
        #expect(shownServer.stdout.contains("IP:127.0.0.1, DNS:localhost"), "\(shownServer.stdout)")
        #expect(shownServer.stdout.contains("serverAuth"), "\(shownServer.stdout)")
        #expect(shownServer.stdout.contains("CN=Acme ops CA"), "\(shownServer.stdout)")
        #expect(["396", "397"].contains(Self.field("Days left", shownServer.stdout)), "\(shownServer.stdout)")
        let shownClient = try await run("asana-accessd", ["certs", "show", path("clients/ops-bot.pem")])
        #expect(shownClient.stdout.contains("CN=ops-bot"), "\(shownClient.stdout)")
        #expect(shownClient.stdout.contains("clientAuth"), "\(shownClient.stdout)")
        #expect(["89", "90"].contains(Self.field("Days left", shownClient.stdout)), "\(shownClient.stdout)")

        // Refused as a CA: a leaf certificate, and the CA with another key.
        let leafAsCA = try await run("asana-accessd", ["certs", "client", "--ca-cert", path("server/server.pem"), "--ca-key", path("server/server-key.pem"),
                                                 "--name", "x", "--out", path("bad")])
        #expect(leafAsCA.status == 1)
        #expect(leafAsCA.stderr.contains("is not a certificate authority"), "\(leafAsCA.stderr)")
        let wrongKey = try await run("asana-accessd", ["certs", "client", "--ca-cert", path("ca/ca.pem"), "--ca-key", path("server/server-key.pem"),
                                                 "--name", "x", "--out", path("bad")])
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("is not the key of"), "\(wrongKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("bad")))

        // Serve with them; the client connects as cert:ops-bot.
        let data = path("data")
        #expect(try await run("asana-accessd", ["init", "--data-dir", data]).status == 0)
        let serve = try await RunningProcess.start("asana-accessd", [
            "serve", "--data-dir", data, "--port", "0", "--sync-interval", "0", "--asana-base-url", "http://127.0.0.1:9",
            "--tls-cert", path("server/server.pem"), "--tls-key", path("server/server-key.pem"),
            "--client-ca", path("ca/ca.pem"), "--principal-role", "ops-bot=reader"])
        defer { serve.stopNow() }
        let port = "\(serve.announcedPort ?? 0)"
        let ping = try await run("asana-access", ["ping", "--json", "--host", "127.0.0.1", "--port", port, "--ca", path("ca/ca.pem"),
                                            "--cert", path("clients/ops-bot.pem"), "--key", path("clients/ops-bot-key.pem")])
        #expect(ping.status == 0, "\(ping.stderr)")
        let answer = try? JSONDecoder().decode(JSONValue.self, from: Data(ping.stdout.utf8))
        #expect(answer?["identity"] == .object(["principal": .string("cert:ops-bot"), "role": .string("reader")]))
        #expect(answer?["version"] == .string(ProductVersion.current))

        // A client certificate from another CA (a dev set) fails the handshake: exit 3.
        #expect(try await run("asana-accessd", ["certs", "dev", "--out", path("other")]).status == 0)
        let stranger = try await run("asana-access", ["ping", "--json", "--host", "127.0.0.1", "--port", port, "--ca", path("ca/ca.pem"),
                                                "--cert", path("other/client.pem"), "--key", path("other/client-key.pem")])
        #expect(stranger.status == 3, "\(stranger.stdout) \(stranger.stderr)")
    }

    @Test("--version of both executables prints the one version, the one ping reports")
    func versions() async throws {
        let server = try await run("asana-accessd", ["--version"])
        let client = try await run("asana-access", ["--version"])
        #expect(server.status == 0)
        #expect(client.status == 0)
        #expect(server.stdout == ProductVersion.current + "\n")
        #expect(client.stdout == ProductVersion.current + "\n")
    }
}
