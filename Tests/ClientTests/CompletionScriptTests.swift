import Foundation
import TestSupport
import Testing

/// The committed completion scripts in clients/completions are what the built binary generates.
@Suite struct CompletionScriptTests {
    /// `clients/completions` of this repository.
    static let completionsDirectory = Repository.root.appendingPathComponent("clients/completions")

    @Test("committed completion script matches the binary", arguments: [
        ("bash", "asana-access.bash"),
        ("zsh", "_asana-access"),
        ("fish", "asana-access.fish"),
    ])
    func committedScriptIsCurrent(shell: String, file: String) async throws {
        let output = try await ClientProcess.client(["--generate-completion-script", shell])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let committedURL = Self.completionsDirectory.appendingPathComponent(file)
        let committed = try #require(
            try? String(contentsOf: committedURL, encoding: .utf8),
            "clients/completions/\(file) is missing: run scripts/update-completions.sh")
        #expect(output.stdout == committed,
                "clients/completions/\(file) differs from `asana-access --generate-completion-script \(shell)`: run scripts/update-completions.sh and commit the result")
    }

    @Test("scripts name every subcommand and complete --action values")
    func scriptsCoverTheCommandTree() async throws {
        let bash = try await ClientProcess.client(["--generate-completion-script", "bash"]).stdout
        for subcommand in ["ping", "sync", "list-users", "provision", "call"] {
            #expect(bash.contains("_asana-access_\(subcommand)()"), "no bash function for \(subcommand)")
        }
        let fish = try await ClientProcess.client(["--generate-completion-script", "fish"]).stdout
        #expect(fish.contains("-l 'action'"))
        #expect(fish.contains("'add remove'"))
    }

    @Test("an unknown shell is a usage error")
    func unknownShell() async throws {
        let output = try await ClientProcess.client(["--generate-completion-script", "tcsh"])
        #expect(output.status == 2)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("tcsh"))
    }
}
