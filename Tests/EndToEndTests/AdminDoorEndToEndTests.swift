import AccessProtocol
import AccessStore
import DevCertificates
import Foundation
import Testing

/// Every offline admin command of `asana-accessd` goes through the use case of its RPC method: the audit
/// event it writes is the RPC method's, with principal `local:<user>`.
@Suite("End to end: one door for every admin action", .serialized)
struct AdminDoorEndToEndTests {
    static let principal = "local:\(ProcessInfo.processInfo.userName)"

    /// The exported audit events (oldest first) from event `after` + 1 on.
    static func events(_ data: String, after: Int = 0) async throws -> [JSONValue] {
        let exported = try await run("asana-accessd", ["audit", "export", "--data-dir", data])
        guard exported.status == 0 else { throw HarnessError("audit export failed: \(exported.stderr)") }
        return try exported.stdout.split(separator: "\n").map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }.dropFirst(after).map { $0 }
    }

    @Test("tokens create/revoke, oauth-client put/delete, credentials put/delete/test and rotate-key write the RPC methods' audit events as local:<user>")
    func everyCommandGoesThroughTheDoor() async throws {
        let env = try await EndToEndTests.Environment(users: 20, teams: 1)
        defer { env.stop() }
        let data = env.data
        #expect(try await run("asana-accessd", ["init", "--data-dir", data]).status == 0)

        let steps: [(arguments: [String], input: String?, method: String, params: String, outcome: String)] = [
            (["tokens", "create", "--name", "ci", "--role", "reader"], nil, "createToken", #"{"name":"ci","role":"reader"}"#, "ok"),
            (["tokens", "revoke", "--name", "ci"], nil, "revokeToken", #"{"name":"ci"}"#, "ok"),
            (["oauth-client", "put", "--client-id", "app-1"], "app-secret\n", "putOAuthClient", #"{"clientId":"app-1"}"#, "ok"),
            (["oauth-client", "delete", "--client-id", "app-1"], nil, "deleteOAuthClient", #"{"clientId":"app-1"}"#, "ok"),
            (["credentials", "put", "--workspace", "Acme Corp", "--purpose", "sync", "--asana-base-url", env.simulatorURL], SimulatorSecret.member + "\n",
             "putCredential", #"{"checks":"passed","kind":"pat","purpose":"sync","workspace":"1000"}"#, "ok"),
            (["credentials", "delete", "--workspace", "1000", "--purpose", "sync", "--asana-base-url", env.simulatorURL], nil,
             "deleteCredential", #"{"purpose":"sync","workspace":"1000"}"#, "ok"),
            (["tokens", "revoke", "--name", "nobody"], nil, "revokeToken", #"{"name":"nobody"}"#, "not_found"),
        ]
        for (index, step) in steps.enumerated() {
            let done = try await run("asana-accessd", step.arguments + ["--data-dir", data], input: step.input)
            #expect(done.status == (step.outcome == "ok" ? 0 : 1), "\(step.arguments): \(done.stderr)")
            let events = try await Self.events(data, after: index)
            #expect(events.count == 1, "\(step.arguments): \(events)")
            #expect(events.first?["method"] == .string(step.method), "\(step.arguments)")
            #expect(events.first?["principal"] == .string(Self.principal), "\(step.arguments)")
            #expect(events.first?["params"] == .string(step.params), "\(step.arguments)")
            #expect(events.first?["outcome"] == .string(step.outcome), "\(step.arguments)")
        }

        // credentials test runs testCredential's checks and writes nothing.
        let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", data, "--workspace", "1000", "--purpose", "provision",
                                            "--asana-base-url", env.simulatorURL], input: SimulatorSecret.admin + "\n")
        #expect(put.status == 0, "\(put.stderr)")
        let before = try await Self.events(data).count
        let tested = try await run("asana-accessd", ["credentials", "test", "--data-dir", data, "--workspace", "1000", "--purpose", "provision",
                                               "--asana-base-url", env.simulatorURL])
        #expect(tested.status == 0, "\(tested.stdout)\(tested.stderr)")
        #expect(tested.stdout.contains("PASS admin: "), "\(tested.stdout)")
        #expect(try await Self.events(data).count == before)

        let rotated = try await run("asana-accessd", ["rotate-key", "--data-dir", data])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let rotation = try #require(try await Self.events(data).last)
        #expect(rotation["method"] == .string("rotateKey"))
        #expect(rotation["principal"] == .string(Self.principal))
        #expect(rotation["outcome"] == .string("ok"))
        #expect(rotation["result"]?.stringValue?.contains(#""credentials":"1""#) == true, "\(rotation)")
    }

    @Test("credentials put refuses a token Asana rejects (the checks printed, nothing stored, no event); --no-check stores it; over RPC the same params give the same answers")
    func putChecksBothDoors() async throws {
        let env = try await EndToEndTests.Environment(users: 20, teams: 1)
        defer { env.stop() }
        let data = env.data
        #expect(try await run("asana-accessd", ["init", "--data-dir", data]).status == 0)
        let put = ["credentials", "put", "--data-dir", data, "--workspace", "1000", "--purpose", "sync", "--asana-base-url", env.simulatorURL]
        let refused = try await run("asana-accessd", put, input: "not-a-token\n")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("FAIL token: GET /users/me failed"), "\(refused.stdout)")
        #expect(refused.stderr.contains("1 check failed (token): nothing stored"), "\(refused.stderr)")
        #expect(try await Self.events(data).isEmpty)
        let skipped = try await run("asana-accessd", put + ["--no-check"], input: "not-a-token\n")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(try await Self.events(data).last?["params"] == .string(#"{"checks":"skipped","kind":"pat","purpose":"sync","workspace":"1000"}"#))

        // The RPC door (asana-access credentials put → putCredential): the same refusal, then check: false.
        try await env.startServer()
        let client = ["credentials", "put", "--workspace", "1000", "--purpose", "provision"] + env.connection
        let rpcRefused = try await run("asana-access", client, input: "not-a-token\n")
        #expect(rpcRefused.status == 1)
        #expect(rpcRefused.stderr.contains("credential.checks_failed"), "\(rpcRefused.stderr)")
        let rpcSkipped = try await run("asana-access", client + ["--no-check"], input: "not-a-token\n")
        #expect(rpcSkipped.status == 0, "\(rpcSkipped.stderr)")
        let events = try await Self.events(data)
        #expect(events.count == 2)
        #expect(events.last?["method"] == .string("putCredential"))
        #expect(events.last?["principal"] == .string("cert:dev-admin"))
        #expect(events.last?["params"] == .string(#"{"checks":"skipped","kind":"pat","purpose":"provision","workspace":"1000"}"#))
    }
}
