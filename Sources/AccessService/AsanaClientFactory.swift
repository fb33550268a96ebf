import AsanaAPI
import Logging

/// Makes an ``AsanaClient`` for a stored credential; one shared transport for all of them.
public struct AsanaClientFactory: Sendable {
    public var configuration: AsanaClientConfiguration
    public var transport: any AsanaTransport
    public var logger: Logger

    public init(configuration: AsanaClientConfiguration, transport: any AsanaTransport, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    /// A client that authenticates with `token` (never logged).
    public func client(token: String) -> AsanaClient {
        AsanaClient(token: token, configuration: configuration, transport: transport, logger: logger)
    }
}
