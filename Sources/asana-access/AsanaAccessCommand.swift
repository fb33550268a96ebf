import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

/// `asana-access`: the thin command-line client of `asana-accessd`.
///
/// It speaks only the protocol (newline-delimited JSON-RPC 2.0 over TLS, protocol.md) through
/// `LineRPC`'s client. Exit codes are listed in ``ExitStatus``: 0 ok, 1 the server answered with an
/// error, 2 usage, 3 connection or TLS failure.
@main
struct AsanaAccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asana-access",
        abstract: "Talk to an asana-accessd server: ping, sync, status, list users, provision, sync runs, audit, tokens, credentials, OAuth.",
        discussion: """
            Connection settings come from the options (before or after the subcommand) or from \
            ASANA_ACCESS_HOST, ASANA_ACCESS_PORT, ASANA_ACCESS_CA, ASANA_ACCESS_CERT and ASANA_ACCESS_KEY; \
            an API token from --token-file or ASANA_ACCESS_TOKEN. Results are printed as a table on a \
            terminal and as one line of JSON otherwise (or with --json).

            Exit codes: 0 ok, 1 the server answered with an error, 2 usage error, 3 connection or TLS failure.
            """,
        version: ProductVersion.current,
        subcommands: [Ping.self, Sync.self, Status.self, ListUsers.self, Changes.self, Report.self, Provision.self, SyncRuns.self, Audit.self,
                      Tokens.self, Credentials.self, OAuth.self, Call.self])

    /// Parses, runs, and maps every failure to this tool's exit codes (``ExitStatus``).
    ///
    /// ArgumentParser's own `main` exits 64 (`EX_USAGE`) on a usage error; this one exits 2, the
    /// convention of shells and most command-line tools. Help, `--version` and
    /// `--generate-completion-script` keep ArgumentParser's behaviour (printed to stdout, exit 0).
    static func main() async {
        do {
            let subcommands = configuration.subcommands.map { $0._commandName }
            let arguments = try ArgumentOrder.normalized(Array(CommandLine.arguments.dropFirst()), subcommands: subcommands)
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(with: error)
        }
    }

    /// Prints what `error` means and ends the process with the matching ``ExitStatus``.
    static func exit(with error: any Error) -> Never {
        switch error {
        case let error as RPCError:
            StandardError.write(ClientFailure.describe(error))
            terminate(ExitStatus.rpcError)
        case let error as RPCClientError:
            let failure = ClientFailure.connection(error)
            StandardError.write(failure.description)
            terminate(failure.exitStatus)
        case let failure as ClientFailure:
            StandardError.write(failure.description)
            terminate(failure.exitStatus)
        default:
            if exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error))
                terminate(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}
