import AccessProtocol
import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access credentials list|put|test|delete`: the Asana credentials the server holds (admin).
    struct Credentials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, store, test and delete the Asana credentials the server holds (admin).",
            subcommands: [List.self, Put.self, Test.self, Delete.self])
    }
}

extension CredentialPurpose: ExpressibleByArgument {}
extension CredentialKind: ExpressibleByArgument {}

extension AsanaAccessCommand.Credentials {
    /// `credentials list`: calls `listCredentials`; fingerprints only, never a secret.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored credentials (fingerprints, never secrets).")

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let (answer, credentials) = try await connection.call(ListCredentials.self, EmptyParams())
            try connection.print(answer) {
                var table = TextTable(header: ["WORKSPACE", "PURPOSE", "KIND", "FINGERPRINT", "UPDATED", "STATE"])
                table.rows = credentials.items.map {
                    [$0.workspaceGid, $0.purpose.rawValue, $0.kind.rawValue, $0.fingerprint, TimeText.text($0.updatedAt),
                     $0.state.rawValue + ($0.stateReason.map { ": \($0)" } ?? "")]
                }
                return credentials.items.isEmpty ? "no credentials stored" : table.render()
            }
        }
    }

    /// `credentials put --workspace W --purpose P [--kind pat] [--secret-file FILE] [--force] [--no-check]`: calls
    /// `putCredential`, which checks the token against Asana before storing it (`credential.checks_failed` with
    /// the checks when one fails); the token comes from stdin or a file, never from the command line.
    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an Asana token against Asana, then store it for a workspace and purpose (read from stdin or --secret-file).")

        @Option(help: ArgumentHelp("Workspace: gid or exact name (resolved with the token itself).", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @Option(help: "sync (read people and teams) or provision (an admin's token, to add and remove people).")
        var purpose: CredentialPurpose

        @Option(help: "The kind of token.")
        var kind: CredentialKind = .pat

        @Option(help: ArgumentHelp("Read the token from this file instead of stdin.", valueName: "file"), completion: .file())
        var secretFile: String?

        @Flag(help: "Store a provision token even though its user is not an admin of the workspace (other failed checks still refuse).")
        var force = false

        @Flag(name: .customLong("no-check"), help: "Store without the server asking Asana (when Asana is unreachable from the server); --workspace must be a gid.")
        var noCheck = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
        }

        func run() async throws {
            let secret = try SecretInput.read(file: secretFile, what: "the Asana token", example: "asana-access credentials put …")
            let params = PutCredential.Params(workspace: workspace, purpose: purpose, kind: kind, secret: secret,
                                              force: force ? true : nil, check: noCheck ? false : nil)
            let (answer, stored) = try await connection.call(PutCredential.self, params)
            try connection.print(answer) {
                "stored the \(stored.purpose.rawValue) credential of workspace \(stored.workspaceGid): \(stored.kind.rawValue) \(stored.fingerprint)"
            }
        }
    }

    /// `credentials test --workspace W --purpose P`: calls `testCredential` (reads Asana, writes nothing) and
    /// prints each check; exit 1 when one failed.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a stored credential against Asana, reading only: token, workspace, admin rights, each read a sync needs.")

        @OptionGroup var key: CredentialKeyOptions

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let (answer, result) = try await connection.call(TestCredential.self, key.params)
            try connection.print(answer) { Self.lines(result) }
            let failures = result.failures.map { "check \($0.name) failed: \($0.detail)" + ($0.fix.map { " (\($0))" } ?? "") }
            if !failures.isEmpty { throw ClientFailure.partialFailure(failures) }
        }

        /// `ok|FAILED NAME: detail` per check, then `fix:` lines.
        static func lines(_ result: TestCredential.Result) -> String {
            let workspace = WorkspaceLabel.text(gid: result.workspace.gid, name: result.workspace.name)
            var lines = ["\(result.purpose.rawValue) credential of \(workspace): \(result.ok ? "ok" : "FAILED")"]
            for check in result.checks {
                lines.append("  \(check.ok ? "ok    " : "FAILED") \(check.name): \(check.detail)")
                if let fix = check.fix { lines.append("         fix: \(fix)") }
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `credentials delete --workspace W --purpose P`: calls `deleteCredential` (an OAuth grant is revoked at Asana first).
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored credential (an OAuth grant is revoked at Asana first).")

        @OptionGroup var key: CredentialKeyOptions

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let (answer, deleted) = try await connection.call(DeleteCredential.self, key.params)
            let (workspace, purpose) = (key.workspace, key.purpose)
            try connection.print(answer) {
                guard deleted.done else { return "no \(purpose.rawValue) credential stored for \(workspace)" }
                let revoked = switch deleted.revokedAtAsana {
                case true?: "; its OAuth grant was revoked at Asana"
                case false?: "; revoking its OAuth grant at Asana failed: revoke the app in Asana"
                case nil: ""
                }
                return "deleted the \(purpose.rawValue) credential of \(workspace)\(revoked)"
            }
            if !deleted.done { throw ClientFailure.notFound("no \(purpose.rawValue) credential stored for \(workspace)") }
        }
    }
}

/// `--workspace` and `--purpose`: which stored credential (`credentials test`, `credentials delete`).
struct CredentialKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Workspace: gid or exact name.", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
    var workspace: String

    @Option(help: "Which stored credential.")
    var purpose: CredentialPurpose

    var params: CredentialKey { CredentialKey(workspace: workspace, purpose: purpose) }
}
