import Foundation
import TestSupport
import Testing

/// What people see: the client run under `script`, which gives it a terminal for stdout.
@Suite(.enabled(if: ClientProcess.which("script") != nil, "needs script(1) (a pseudo-terminal)"))
struct TerminalOutputTests {
    /// Runs `asana-access arguments --port P --ca CA` on a pseudo-terminal; returns its exit status
    /// and the terminal text with CRs removed.
    static func onTerminal(_ arguments: [String], mutualTLS: Bool = false) async throws -> (status: Int32, text: String) {
        let certificates = try TestCertificates.shared.get()
        let binary = try ClientProcess.binaryURL()
        let script = try #require(ClientProcess.which("script"))
        let certificateArguments = mutualTLS ? ["--cert", certificates.clientCertificate, "--key", certificates.clientKey] : []
        return try await FakeServer.with(certificates: certificates, mutualTLS: mutualTLS) { port in
            let command = ([binary.path] + arguments + ["--port", String(port), "--ca", certificates.caCertificate] + certificateArguments)
                .map(ClientProcess.shellQuoted).joined(separator: " ")
            let output = try await ClientProcess.run(script, ["-q", "-e", "-c", command, "/dev/null"])
            return (output.status, output.stdout.replacingOccurrences(of: "\r", with: ""))
        }
    }

    @Test("list-users prints a table with yes/no/? and a footer")
    func listUsersTable() async throws {
        let (status, text) = try await Self.onTerminal(["list-users", "--workspace", "1000"])
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "GID  NAME         EMAIL                     ACTIVE  ADMIN  GUEST  VIEW-ONLY  TEAMS                DEPARTED")
        #expect(lines.dropFirst().first == "1    Ada Admin    ada.admin@acme.example    yes     yes    no     ?          Engineering, Design  -")
        #expect(lines.dropFirst(2).first == "2    Bob Builder  bob.builder@acme.example  ?       ?      no     ?          -                    -")
        #expect(text.contains("2 people in Acme Corp (1000), synced 2025-01-02T00:00:00.000Z"))
        #expect(text.contains("more: --cursor p2 (or --all)"))
    }

    @Test("changes prints one line per change: when, what, who, before and after, and which run or provision saw it")
    func changesTable() async throws {
        let (status, text) = try await Self.onTerminal(["changes", "--workspace", "1000", "--since", "7d"])
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines == [
            "OBSERVED                  NOT BEFORE                KIND          PERSON                  TEAM    BEFORE      AFTER                                  SEEN BY",
            "2025-01-02T00:00:00.000Z  2025-01-01T23:00:00.000Z  adminGranted  ada.admin@acme.example  -       isAdmin=no  isAdmin=yes                            sync run 12",
            "2025-01-02T00:01:00.000Z  2025-01-02T00:01:00.000Z  teamJoined    Bob Builder             Design  -           isAdmin=? isGuest=? isLimitedAccess=?  provision by token:okta",
        ])
    }

    @Test("control characters in names reach the terminal escaped, never as escape sequences or line breaks")
    func controlCharactersEscaped() async throws {
        let (status, text) = try await Self.onTerminal(["list-users", "--workspace", "1000", "--team", "Escapes"])
        #expect(status == 0, "\(text)")
        #expect(!text.unicodeScalars.contains("\u{1B}") && !text.unicodeScalars.contains("\u{07}"))
        #expect(text.contains("Eve\\u{1B}[31mRED\\u{1B}[0m\\u{1B}]0;pwned\\u{7}\\u{A}X"), "\(text)")
    }

    @Test("list-users --fields shows only the columns asked for; ? still means unknown")
    func selectedColumns() async throws {
        let (status, text) = try await Self.onTerminal(["list-users", "--workspace", "1000", "--fields", "email,isAdmin"])
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "GID  EMAIL                     ADMIN")
        #expect(lines.dropFirst().first == "1    ada.admin@acme.example    yes")
        #expect(lines.dropFirst(2).first == "2    bob.builder@acme.example  ?")
    }

    @Test("an empty page still shows only the columns --fields asked for")
    func emptyPageColumns() async throws {
        let (status, text) = try await Self.onTerminal(["list-users", "--workspace", "1000", "--team", "Nobody", "--fields", "email,isAdmin"])
        #expect(status == 0, "\(text)")
        #expect(text.split(separator: "\n").first == "GID  EMAIL  ADMIN", "\(text)")
        #expect(text.contains("0 people in Acme Corp (1000)"), "\(text)")
    }

    @Test("list-users --all shows the departure date")
    func departedDate() async throws {
        let (status, text) = try await Self.onTerminal(["list-users", "--workspace", "1000", "--all"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("Cy Gone"))
        #expect(text.contains("2025-01-02\n"))
        #expect(!text.contains("more: --cursor"))
    }

    @Test("provision prints one line per target")
    func provisionLines() async throws {
        let (status, text) = try await Self.onTerminal(["provision", "--workspace", "1000", "--email", "new@acme.example",
                                                        "--action", "add", "--team", "Engineering"])
        #expect(status == 0, "\(text)")
        #expect(text == "workspace Acme Corp (1000): added\nteam Engineering (200): already a member\n")
    }

    @Test("sync prints a key/value summary")
    func syncSummary() async throws {
        let (status, text) = try await Self.onTerminal(["sync", "--workspace", "1000"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("workspace         Acme Corp (1000)\n"))
        #expect(text.contains("team memberships  2\n"))
        #expect(text.contains("duration          1.234 s\n"))
    }

    @Test("status prints credentials, the last run and a paused schedule as key/value lines")
    func statusSummary() async throws {
        let (status, text) = try await Self.onTerminal(["status", "--workspace", "1000"])
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("workspace Acme Corp (1000)"), "\(text)")
        #expect(lines.contains("sync credential pat sha256:51687ed908a8, stored 2025-01-01T00:00:00.000Z"), "\(text)")
        #expect(lines.contains("last run #9 failed by schedule, started 2025-01-02T00:00:00.000Z, finished 2025-01-02T00:00:01.000Z"), "\(text)")
        #expect(lines.contains("schedule paused"), "\(text)")
        #expect(lines.contains { $0.hasPrefix("paused because Asana refused the credential (1100 upstream.unauthorized)") }, "\(text)")
        #expect(lines.contains("next scheduled run none"), "\(text)")
        #expect(lines.contains("capabilities unknown until a sync succeeds"), "\(text)")
    }

    @Test("--json keeps JSON on a terminal")
    func jsonOnTerminal() async throws {
        let (status, text) = try await Self.onTerminal(["ping", "--json"])
        #expect(status == 0, "\(text)")
        #expect(text.hasPrefix(#"{"limits":{"authenticated":{"answerBytes":4194304,"#), "\(text)")
        #expect(text.contains(#""protocolVersion":"1.0","server":"fake-asana-accessd""#), "\(text)")
    }

    @Test("ping shows who the server takes you for, from the answer's identity")
    func pingIdentity() async throws {
        let (status, text) = try await Self.onTerminal(["ping"], mutualTLS: true)
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines == ["server fake-asana-accessd", "version 9.9.9", "protocol 1.0", "time 2025-01-02T03:04:05.000Z", "principal cert:ci-bot (admin)"])
        let (_, anonymous) = try await Self.onTerminal(["ping"])
        #expect(anonymous.contains("(not authenticated)"), "\(anonymous)")
    }
}
