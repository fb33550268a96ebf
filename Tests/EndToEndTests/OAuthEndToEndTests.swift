import AccessProtocol
import Foundation
import LineRPC
import TestSupport
import Testing

/// OAuth through the real binaries: `asana-access oauth client-put`, `oauth start`, the browser's consent
/// (an HTTP GET of the authorize URL as a signed-in simulator user), `oauth finish --redirect-url`, then sync.
@Suite("End to end: OAuth", .serialized)
struct OAuthEndToEndTests {
    @Test("client-put, start, consent, finish with the redirect URL, then sync with the OAuth credential; no secret printed")
    func wholeFlow() async throws {
        let env = try await EndToEndTests.Environment(users: 40, teams: 2)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        try await env.startServer()

        let clientPut = try await run("asana-access", ["oauth", "client-put", "--client-id", "demo-client"] + env.connection, input: "demo-client-secret\n")
        #expect(clientPut.status == 0, "\(clientPut.stderr)")
        let stored = try JSONDecoder().decode(JSONValue.self, from: Data(clientPut.stdout.utf8))
        #expect(stored["clientId"] == .string("demo-client"))
        #expect(stored["fingerprint"]?.stringValue?.hasPrefix("sha256:") == true)
        #expect(!clientPut.stdout.contains("demo-client-secret"))

        let start = try await env.client(["oauth", "start", "--workspace", "Acme Corp", "--client-id", "demo-client",
                                    "--redirect-uri", "http://127.0.0.1/oauth/callback", "--scope", "default"])
        #expect(start.status == 0, "\(start.stderr)")
        let url = try #require(start.json?["authorizeUrl"]?.stringValue)
        #expect(url.hasPrefix(String(env.simulatorURL.dropLast("/api/1.0".count)) + "/-/oauth_authorize?client_id=demo-client&"))

        let location = try await OAuthBrowser.consent(url, sessionToken: SimulatorSecret.admin).location
        #expect(location.hasPrefix("http://127.0.0.1/oauth/callback?code="))

        let finish = try await env.client(["oauth", "finish", "--redirect-url", location])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(finish.json?["workspace"] == .object(["gid": .string(env.workspace), "name": .string("Acme Corp")]))
        #expect(finish.json?["credential"]?["kind"] == .string("oauth"))
        #expect(finish.json?["refreshable"] == .bool(true))
        #expect(finish.json?["authorizedUser"]?["gid"] == .string("1001"))

        // Finishing twice: the state is used up (exit 1, the error named).
        let again = try await run("asana-access", ["oauth", "finish", "--redirect-url", location] + env.connection)
        #expect(again.status == 1)
        #expect(again.stderr.contains("oauth.unknown_state"), "\(again.stderr)")

        // A refusal redirected by Asana is explained without calling the server (exit 1, no usage text).
        let refused = try await run("asana-access", ["oauth", "finish", "--redirect-url", "http://127.0.0.1/oauth/callback?error=forbidden_scopes&error_description=Scopes+do+not+match&state=x"] + env.connection)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("forbidden_scopes (Scopes do not match)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("a full-permission app needs `--scope default`"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("Usage:"), "\(refused.stderr)")

        let sync = try await env.client(["sync", "--workspace", env.workspace])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.json?["capabilities"]?["membershipFlags"] == .bool(true))
        let status = try await env.client(["status", "--workspace", env.workspace])
        #expect(status.status == 0)
        guard case .array(let credentials)? = status.json?["credentials"], let credential = credentials.first else {
            Issue.record("no credentials in status: \(String(describing: status.json))")
            return
        }
        #expect(credential["kind"] == .string("oauth"))
        #expect(credential["state"] == .string("active"))

        let apps = try await env.client(["oauth", "client-list"])
        #expect(apps.json?["items"] == .array([.object([
            "clientId": .string("demo-client"), "fingerprint": stored["fingerprint"] ?? .null,
            "createdAt": stored["createdAt"] ?? .null, "updatedAt": stored["updatedAt"] ?? .null,
        ])]))

        // No token in the database files in clear.
        let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        for name in try FileManager.default.contentsOfDirectory(atPath: env.data) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: (env.data as NSString).appendingPathComponent(name)))
            #expect(bytes.range(of: Data("demo-client-secret".utf8)) == nil, "client secret found in \(name)")
            #expect(bytes.range(of: Data(code.utf8)) == nil, "code found in \(name)")
        }

        // The offline door does what deleteCredential does: the grant is revoked at Asana, then the credential deleted.
        #expect(await env.server?.stop() == 0)
        let deleted = try await run("asana-accessd", ["credentials", "delete", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", "sync",
                                                "--asana-base-url", env.simulatorURL])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout == "revoked the OAuth grant at Asana\ndeleted sync credential for workspace 1000\n", "\(deleted.stdout)")
        let exported = try await run("asana-accessd", ["audit", "export", "--data-dir", env.data])
        let last = try #require(exported.stdout.split(separator: "\n").last.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) })
        #expect(last["method"] == .string("deleteCredential"))
        #expect(last["principal"] == .string("local:\(ProcessInfo.processInfo.userName)"))
        #expect(last["params"] == .string(#"{"purpose":"sync","workspace":"1000"}"#))
        #expect(last["result"] == .string(#"{"done":true,"revokedAtAsana":true}"#))
        #expect(last["outcome"] == .string("ok"))
    }
}
