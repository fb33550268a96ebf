import AccessProtocol
import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access tokens list|create|revoke`: the server's API tokens (admin).
    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, create and revoke the server's API tokens (admin).",
            subcommands: [List.self, Create.self, Revoke.self])
    }
}

extension AccessRole: ExpressibleByArgument {}

extension AsanaAccessCommand.Tokens {
    /// `tokens list`: calls `listTokens`; never shows a token's text.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens: names, roles, dates (never the token text).")

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let (answer, tokens) = try await connection.call(ListTokens.self, EmptyParams())
            try connection.print(answer) {
                var table = TextTable(header: ["NAME", "ROLE", "ID", "CREATED", "LAST USED", "EXPIRES", "REVOKED"])
                table.rows = tokens.items.map {
                    [$0.name, $0.role.rawValue, $0.id, TimeText.text($0.createdAt), TimeText.text($0.lastUsedAt),
                     TimeText.text($0.expiresAt), TimeText.text($0.revokedAt)]
                }
                return tokens.items.isEmpty ? "no API tokens" : table.render()
            }
        }
    }

    /// `tokens create --name N --role R [--expires-in 90d | --expires-at T]`: calls `createToken`. The token
    /// text is printed once, alone on stdout (so `> file` keeps only it); what it is goes to stderr.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token; its text is printed once, on stdout.")

        @Option(help: ArgumentHelp("Unique name, 1 to 64 of A-Z a-z 0-9 . _ -", valueName: "name"))
        var name: String

        @Option(help: "What the token may do.")
        var role: AccessRole

        @Option(help: ArgumentHelp("Lifetime: Nd, Nh or Nm (days, hours, minutes), e.g. 90d.", valueName: "duration"))
        var expiresIn: String?

        @Option(help: ArgumentHelp("Expiry as an ISO 8601 time, e.g. 2027-01-31T00:00:00Z.", valueName: "time"))
        var expiresAt: String?

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if name.isEmpty { throw ValidationError("--name must not be empty.") }
            if expiresIn != nil, expiresAt != nil { throw ValidationError("give --expires-in or --expires-at, not both.") }
        }

        func run() async throws {
            let params = CreateToken.Params(name: name, role: role, expiresIn: expiresIn, expiresAt: expiresAt)
            let (answer, created) = try await connection.call(CreateToken.self, params)
            // The token text alone, also when piped (`> deploy.token`); the whole answer only with --json.
            if connection.json {
                try OutputMode.printJSON(answer)
            } else {
                print(created.token)
                let expiry = created.summary.expiresAt.map { "expires \(TimeText.text($0))" } ?? "never expires"
                StandardError.write("token \(created.summary.name) (\(created.summary.role.rawValue), \(expiry)): shown once, store it now")
            }
        }
    }

    /// `tokens revoke --name N`: calls `revokeToken`; connections that use it lose their identity.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by name.")

        @Option(help: ArgumentHelp("The token's name.", valueName: "name"))
        var name: String

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let (answer, done) = try await connection.call(RevokeToken.self, .init(name: name))
            try connection.print(answer) { done.done ? "revoked \(name)" : "no active token named \(name)" }
            if !done.done { throw ClientFailure.notFound("no active token named \(name)") }
        }
    }
}
