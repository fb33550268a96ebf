import ArgumentParser
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access ping`: calls `ping` → `{server, version, protocolVersion, time, principal?}`.
    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the server answers; show its version and who it takes you for.")

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let result = try await connection.withClient { client in
                try await client.call("ping", params: .object([:]))
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                var lines = KeyValueList()
                lines.append("server", result["server"]?.asText ?? "?")
                lines.append("version", result["version"]?.asText ?? "?")
                lines.append("protocol", result["protocolVersion"]?.asText ?? "?")
                lines.append("time", result["time"]?.asText ?? "?")
                lines.append("principal", result["principal"]?.asText ?? "(not authenticated)")
                print(lines.render())
            }
        }
    }
}
