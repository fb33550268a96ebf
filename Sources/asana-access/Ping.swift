import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access ping`: calls `ping` → ``AccessProtocol/Ping/Result``.
    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the server answers; show its version and who it takes you for.")

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let result = try await connection.withClient { client in
                try await client.call(AccessProtocol.Ping.name, params: .object([:]))
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                let ping = try AccessProtocol.Ping.result(from: result)
                var lines = KeyValueList()
                lines.append("server", ping.server)
                lines.append("version", ping.version)
                lines.append("protocol", ping.protocolVersion)
                lines.append("time", JSONEncoder.protocolTimestamp(ping.time))
                lines.append("principal", ping.identity.map { "\($0.principal) (\($0.role))" } ?? "(not authenticated)")
                print(lines.render())
            }
        }
    }
}
