import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access call METHOD [--params JSON]`: any method, result printed as JSON.
    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call any method and print its result as JSON (pretty on a terminal).")

        /// The protocol's methods (``AccessProtocol/allAccessMethods``), sorted, offered by shell completion;
        /// others may be typed.
        static let knownMethods = allAccessMethods.map { $0.name }.sorted()

        @Argument(help: ArgumentHelp("The method name, e.g. rpc.discover.", valueName: "method"),
                  completion: .list(Call.knownMethods))
        var method: String

        @Option(help: ArgumentHelp("The params: a JSON object (params are by name); `null` or absent sends none. Parsed as strictly as the server does.", valueName: "json"))
        var params: String?

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if method.isEmpty { throw ValidationError("METHOD must not be empty.") }
            _ = try parsedParams()
        }

        /// `--params` as JSON; `nil` when absent or `null`.
        /// - Throws: `ValidationError` when it is not strict JSON (trailing commas and duplicate
        ///   members are refused, as the server refuses them), or not an object or array (JSON-RPC 2.0 §4.2).
        func parsedParams() throws -> JSONValue? {
            guard let params else { return nil }
            let value: JSONValue
            do {
                value = try JSONValue(strictJSON: params)
            } catch {
                throw ValidationError("--params is not valid JSON (\(error.message)): \(params)")
            }
            switch value {
            case .null: return nil
            case .object, .array: return value
            default: throw ValidationError("--params must be a JSON object, got a \(value.typeName).")
            }
        }

        func run() async throws {
            let params = try parsedParams()
            let method = method
            let result = try await connection.withClient { client in
                try await client.call(method, params: params) { name, params in
                    var notification: [String: JSONValue] = ["method": .string(name)]
                    if let params { notification["params"] = params }
                    if let text = try? OutputMode.encodeJSON(.object(notification)) {
                        StandardError.write(text)
                    }
                }
            }
            try OutputMode.printJSON(result, pretty: connection.outputMode == .human)
        }
    }
}
