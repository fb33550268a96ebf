import AsanaAPI
import Logging

/// Makes the ``AsanaClient``s of stored credentials: one shared transport, and one ``AsanaGovernor`` per
/// credential, so every call made with the same credential shares its budget and concurrency caps.
public struct AsanaClientFactory: Sendable {
    public var configuration: AsanaClientConfiguration
    public var transport: any AsanaTransport
    public var logger: Logger
    /// The governors, one per key (`"<workspace gid>/<purpose>"`, or `"token:<fingerprint>"` for a token being checked).
    public let governors: AsanaGovernors

    /// - Parameters:
    ///   - governorConfiguration: per-credential budget and caps (defaults: 1,500 requests a minute, 16 reads
    ///     and 8 writes at once; see ``AsanaGovernorConfiguration``).
    public init(configuration: AsanaClientConfiguration, transport: any AsanaTransport, logger: Logger,
                governorConfiguration: AsanaGovernorConfiguration = .init()) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        self.governors = AsanaGovernors(configuration: governorConfiguration)
    }

    /// A client that authenticates with `token` (never logged), without a shared governor (connection tests).
    public func client(token: String) -> AsanaClient {
        AsanaClient(token: token, configuration: configuration, transport: transport, logger: logger)
    }

    /// A client for a stored credential: tokens from `tokenSource`, calls paced by the governor of `governorKey`.
    public func client(tokenSource: any AsanaTokenSource, governorKey: String) -> AsanaClient {
        AsanaClient(tokenSource: tokenSource, configuration: configuration, transport: transport,
                    governor: governors.governor(for: governorKey), logger: logger)
    }

    /// The client of Asana's OAuth endpoints (`/-/oauth_token`, `/-/oauth_revoke`).
    public func oauthClient() -> AsanaOAuthClient {
        AsanaOAuthClient(configuration: configuration, transport: transport, logger: logger)
    }
}
