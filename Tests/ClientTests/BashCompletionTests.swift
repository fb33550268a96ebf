import Foundation
import Testing

/// The generated bash script really completes: it is sourced in `bash -c` and its completion
/// function called the way `complete -F` would, with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set.
@Suite(.enabled(if: ClientProcess.which("bash") != nil, "bash is not installed: bash completion not tested"))
struct BashCompletionTests {
    /// What `_asana-access` puts in COMPREPLY for the command line `words` (the last word is the
    /// one being completed), sorted.
    static func complete(_ words: [String], in directory: URL? = nil) async throws -> [String] {
        let script = try await ClientProcess.client(["--generate-completion-script", "bash"])
        try #require(script.status == 0, "generating the script failed: \(script.stderr)")
        let scriptURL = FileManager.default.temporaryDirectory.appendingPathComponent("asana-access-\(UUID().uuidString).bash")
        try script.stdout.write(to: scriptURL, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scriptURL) }

        let quotedWords = words.map(ClientProcess.shellQuoted).joined(separator: " ")
        let program = """
            source \(ClientProcess.shellQuoted(scriptURL.path)) || exit 90
            \(directory.map { "cd \(ClientProcess.shellQuoted($0.path)) || exit 91" } ?? "")
            COMP_WORDS=(\(quotedWords))
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="${COMP_WORDS[*]}"
            COMP_POINT=${#COMP_LINE}
            COMPREPLY=()
            _asana-access "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let bash = try #require(ClientProcess.which("bash"))
        let output = try await ClientProcess.run(bash, ["-c", program])
        try #require(output.status == 0, "bash failed (\(output.status)): \(output.stderr)")
        return output.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test("`asana-access li` completes to list-users")
    func subcommandPrefix() async throws {
        #expect(try await Self.complete(["asana-access", "li"]) == ["list-users"])
    }

    @Test("an empty word offers every subcommand and the top-level flags")
    func allSubcommands() async throws {
        #expect(try await Self.complete(["asana-access", ""]) == ["--help", "--version", "-h", "audit", "call", "changes", "credentials", "help", "list-users", "oauth", "ping", "provision", "report", "status", "sync", "sync-runs", "tokens"])
    }

    @Test("--action offers add and remove")
    func actionValues() async throws {
        #expect(try await Self.complete(["asana-access", "provision", "--action", ""]) == ["add", "remove"])
    }

    @Test("--no- offers the inverted flags of list-users")
    func invertedFlags() async throws {
        #expect(try await Self.complete(["asana-access", "list-users", "--no-"]) == ["--no-admin", "--no-flags-unknown", "--no-guest"])
    }

    @Test("--ca offers .pem files, not other files")
    func pemFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("asana-access-pem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["ca.pem", "cert.pem", "notes.txt"] {
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data())
        }
        #expect(try await Self.complete(["asana-access", "ping", "--ca", "c"], in: directory) == ["ca.pem", "cert.pem"])
    }

    @Test("oauth offers its subcommands, and start --purpose its values")
    func oauthSubcommands() async throws {
        #expect(try await Self.complete(["asana-access", "oauth", ""]).filter { !$0.hasPrefix("-") } == ["client-delete", "client-list", "client-put", "finish", "start"])
        #expect(try await Self.complete(["asana-access", "oauth", "start", "--purpose", ""]) == ["provision", "sync"])
    }

    @Test("call offers the known methods")
    func callMethods() async throws {
        #expect(try await Self.complete(["asana-access", "call", ""]) == [
            "authenticate", "createToken", "deleteCredential", "deleteOAuthClient", "exportAccessReview", "getSyncRun", "getWorkspaceStatus", "listAccessChanges", "listAuditEvents",
            "listCredentials", "listOAuthClients", "listSyncRuns", "listTokens", "listUsers", "oauthFinish", "oauthStart", "ping",
            "provision", "putCredential", "putOAuthClient", "revokeToken", "rpc.discover", "sync", "testCredential",
        ])
    }
}
