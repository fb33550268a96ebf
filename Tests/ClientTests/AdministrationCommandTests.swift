import Foundation
import Testing

/// The operator's daily subcommands (`sync-runs`, `audit`, `tokens`, `credentials`) against the fake
/// server, whose answers are built from the protocol's own types: tables on a terminal, the answer as
/// JSON otherwise, exit 1 when the call found nothing to act on or a check failed.
@Suite(.enabled(if: ClientProcess.which("script") != nil, "needs script(1) (a pseudo-terminal)"))
struct AdministrationCommandTests {
    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    @Test("sync-runs: a table, newest first; --id shows one run; an unknown id is sync_run.not_found")
    func syncRuns() async throws {
        let (status, text) = try await TerminalOutputTests.onTerminal(["sync-runs", "--workspace", "1000"])
        #expect(status == 0, "\(text)")
        let rows = lines(text)
        #expect(rows.first?.hasPrefix("ID  WORKSPACE  STATUS     TRIGGER             STARTED") == true, "\(text)")
        #expect(rows.dropFirst().first?.hasPrefix("9   1000       failed     schedule            2025-01-01T02:00:00.000Z  2025-01-01T02:00:01.000Z  -      -") == true, "\(text)")
        #expect(rows.dropFirst(2).first?.contains("succeeded  rpc:cert:dev-admin  2025-01-01T01:00:00.000Z  2025-01-01T01:00:02.000Z  3      1      0        1         12") == true, "\(text)")

        let one = try await TerminalOutputTests.onTerminal(["sync-runs", "--id", "8"])
        #expect(one.status == 0)
        #expect(lines(one.text).count == 2, "\(one.text)")
        let missing = try await TerminalOutputTests.onTerminal(["sync-runs", "--id", "77"])
        #expect(missing.status == 1)
        #expect(missing.text.contains("1030 sync_run.not_found"), "\(missing.text)")
    }

    @Test("audit: one event per line and the next page's cursor")
    func audit() async throws {
        let (status, text) = try await TerminalOutputTests.onTerminal(["audit", "--limit", "2"])
        #expect(status == 0, "\(text)")
        #expect(lines(text).prefix(3) == [
            "ID  AT                        PRINCIPAL       METHOD       OUTCOME",
            "2   2025-01-01T00:01:00.000Z  token:ci        provision    partial",
            "1   2025-01-01T00:00:00.000Z  cert:dev-admin  createToken  ok",
        ])
        #expect(text.contains("more: asana-access audit --cursor c2 (with the same filters)"))
        let last = try await TerminalOutputTests.onTerminal(["audit", "--cursor", "c2"])
        #expect(last.text == "no audit events\n")
    }

    @Test("tokens: list, create prints the token text alone on stdout, revoke of an unknown name exits 1")
    func tokens() async throws {
        let listed = try await TerminalOutputTests.onTerminal(["tokens", "list"])
        #expect(lines(listed.text).first == "NAME  ROLE      ID                CREATED                   LAST USED  EXPIRES                   REVOKED")
        #expect(lines(listed.text).dropFirst().first == "ci    operator  0123456789abcdef  2025-01-01T00:00:00.000Z  -          2025-04-01T00:00:00.000Z  -")

        // Piped (`> deploy.token`): the token text alone; --json: the whole answer.
        let created = try await ServerCallTests.client(["tokens", "create", "--name", "deploy", "--role", "reader"])
        #expect(created.status == 0, "stderr: \(created.stderr)")
        #expect(created.stdout == "aat_0123456789abcdef_secret\n")
        let createdJSON = try await ServerCallTests.client(["tokens", "create", "--name", "deploy", "--role", "reader", "--json"])
        #expect(try ServerCallTests.json(createdJSON.stdout)["token"] == .string("aat_0123456789abcdef_secret"))
        let createdOnTerminal = try await TerminalOutputTests.onTerminal(["tokens", "create", "--name", "deploy", "--role", "reader"])
        #expect(lines(createdOnTerminal.text).first == "aat_0123456789abcdef_secret")
        #expect(createdOnTerminal.text.contains("token deploy (reader, never expires): shown once, store it now"))

        #expect(try await TerminalOutputTests.onTerminal(["tokens", "revoke", "--name", "ci"]) == (0, "revoked ci\n"))
        let unknown = try await TerminalOutputTests.onTerminal(["tokens", "revoke", "--name", "nobody"])
        #expect(unknown.status == 1)
        #expect(unknown.text.contains("no active token named nobody"))
    }

    @Test("credentials: list, put reads the token from a file, test exits 1 on a failed check, delete")
    func credentials() async throws {
        let listed = try await TerminalOutputTests.onTerminal(["credentials", "list"])
        #expect(lines(listed.text) == [
            "WORKSPACE  PURPOSE  KIND  FINGERPRINT          UPDATED                   STATE",
            "1000       sync     pat   sha256:51687ed908a8  2025-01-01T00:00:00.000Z  active",
        ])

        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("asana-access-secret-\(UUID().uuidString)")
        try "  0/123456789abcdef\n".write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        let put = try await ServerCallTests.client(["credentials", "put", "--workspace", "1000", "--purpose", "provision", "--secret-file", secretFile.path])
        #expect(put.status == 0, "stderr: \(put.stderr)")
        let stored = try ServerCallTests.json(put.stdout)
        #expect(stored["fingerprint"] == .string("sha256:17"), "the secret is sent trimmed (17 characters)")
        #expect(stored["purpose"] == .string("provision"))
        let flagged = try await ServerCallTests.client(["credentials", "put", "--workspace", "1000", "--purpose", "provision", "--secret-file", secretFile.path,
                                                        "--force", "--no-check"])
        #expect(flagged.status == 0, "stderr: \(flagged.stderr)")
        #expect(try ServerCallTests.json(flagged.stdout)["fingerprint"] == .string("sha256:17+force+nocheck"), "--force and --no-check are sent as force: true, check: false")

        let passed = try await TerminalOutputTests.onTerminal(["credentials", "test", "--workspace", "1000", "--purpose", "sync"])
        #expect(passed.status == 0)
        #expect(lines(passed.text).first == "sync credential of Acme Corp (1000): ok")
        let failed = try await TerminalOutputTests.onTerminal(["credentials", "test", "--workspace", "1000", "--purpose", "provision"])
        #expect(failed.status == 1)
        #expect(failed.text.contains("  FAILED admin: Ada Admin is not a workspace admin\n         fix: store an admin's token"), "\(failed.text)")
        #expect(failed.text.contains("check admin failed: Ada Admin is not a workspace admin (store an admin's token)"))

        #expect(try await TerminalOutputTests.onTerminal(["credentials", "delete", "--workspace", "1000", "--purpose", "sync"])
            == (0, "deleted the sync credential of 1000\n"))
        let none = try await TerminalOutputTests.onTerminal(["credentials", "delete", "--workspace", "2000", "--purpose", "sync"])
        #expect(none.status == 1)
    }
}
