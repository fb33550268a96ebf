import AccessProtocol
import ArgumentParser

/// `asana-accessd`: the server, and the administration commands that run next to it.
@main
struct AsanaAccessd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asana-accessd",
        abstract: "Holds an organisation's Asana credentials and serves provision, sync and listUsers over TLS JSON-RPC.",
        version: ProductVersion.current,
        subcommands: [ServeCommand.self, ConfigCommand.self, InitCommand.self, CredentialsCommand.self, OAuthClientCommand.self, TokensCommand.self, RotateKeyCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self, MigrateStoreCommand.self, CertsCommand.self, DemoCommand.self])
}
