import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

/// Where the server is, how to trust it and how to prove who we are; shared by every subcommand.
///
/// Each option falls back to an environment variable, then to a default:
/// `--host` ASANA_ACCESS_HOST (127.0.0.1), `--port` ASANA_ACCESS_PORT (7443),
/// `--ca` ASANA_ACCESS_CA (system trust store), `--cert` ASANA_ACCESS_CERT and `--key` ASANA_ACCESS_KEY
/// (no client certificate). The environment is read in `validate()`, not at declaration, so help text
/// and completion scripts do not depend on it.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Server TCP port (env ASANA_ACCESS_PORT, default 7443).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).", valueName: "file"),
            completion: .file(extensions: ["pem"]))
    var ca: String?

    @Option(help: ArgumentHelp("PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).", valueName: "file"),
            completion: .file(extensions: ["pem"]))
    var cert: String?

    @Option(help: ArgumentHelp("PEM file of the client certificate's private key (env ASANA_ACCESS_KEY).", valueName: "file"),
            completion: .file(extensions: ["pem"]))
    var key: String?

    @Option(help: ArgumentHelp("Name to check the server certificate against and send as SNI (default: --host when it is a name).", valueName: "name"))
    var serverName: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.", valueName: "file"),
            completion: .file())
    var tokenFile: String?

    @Flag(help: "Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).")
    var json = false

    /// The API token from `--token-file` or `ASANA_ACCESS_TOKEN`, read in `validate()`.
    private(set) var token: String?

    /// Default TCP port of asana-accessd.
    static let defaultPort = 7443
    /// Default host: the loopback interface.
    static let defaultHost = "127.0.0.1"

    /// Fills unset options from the environment and checks them.
    /// - Throws: `ValidationError` (exit 2) for a port outside 1...65535, a file that cannot be read,
    ///   or `--cert` without `--key` (or the reverse).
    mutating func validate() throws {
        let environment = ProcessInfo.processInfo.environment
        func fromEnvironment(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        if host == nil { host = fromEnvironment("ASANA_ACCESS_HOST") }
        if port == nil, let text = fromEnvironment("ASANA_ACCESS_PORT") {
            guard let value = Int(text) else {
                throw ValidationError("ASANA_ACCESS_PORT must be a port number, got \"\(text)\".")
            }
            port = value
        }
        if ca == nil { ca = fromEnvironment("ASANA_ACCESS_CA") }
        if cert == nil { cert = fromEnvironment("ASANA_ACCESS_CERT") }
        if key == nil { key = fromEnvironment("ASANA_ACCESS_KEY") }
        if let tokenFile {
            guard let contents = FileManager.default.contents(atPath: tokenFile) else {
                throw ValidationError("--token-file \(tokenFile) cannot be read.")
            }
            token = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = fromEnvironment("ASANA_ACCESS_TOKEN")
        }

        if let host, host.isEmpty { throw ValidationError("--host must not be empty.") }
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be in 1...65535, got \(port).")
        }
        switch (cert, key) {
        case (.some, nil): throw ValidationError("--cert needs --key (or ASANA_ACCESS_KEY) too.")
        case (nil, .some): throw ValidationError("--key needs --cert (or ASANA_ACCESS_CERT) too.")
        default: break
        }
        for (option, path) in [("--ca", ca), ("--cert", cert), ("--key", key)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(option): cannot read \"\(path)\".")
            }
        }
    }

    /// The client configuration for `LineRPC`.
    /// - Throws: ``ClientFailure/tlsFiles(_:)`` when a PEM file does not load.
    func clientConfiguration() throws -> RPCClientConfiguration {
        do {
            return RPCClientConfiguration(
                host: host ?? Self.defaultHost, port: port ?? Self.defaultPort,
                tls: try TLSSettings.client(trustRoots: ca, certificateChain: cert, privateKey: key),
                serverHostname: serverName)
        } catch {
            let files = [ca, cert, key].compactMap { $0 }.joined(separator: ", ")
            throw ClientFailure.tlsFiles("\(files): \(error)")
        }
    }

    /// How results are printed: JSON with `--json` or when stdout is not a terminal, else for people.
    var outputMode: OutputMode {
        json || isatty(STDOUT_FILENO) == 0 ? .json : .human
    }

    /// Connects, runs `body`, closes; maps every transport failure to ``ClientFailure`` (exit 3).
    /// - Throws: `RPCError` when the server answers with an error (exit 1); ``ClientFailure`` otherwise.
    ///   In JSON mode an error answer is also printed on stdout as `{"error": {code, message, data}}`, so
    ///   scripts keep its `data` (the human line still goes to stderr), unless `errorsOnStdout` is false
    ///   (stdout carries a file, as `report` without `--output`).
    func withClient<Result>(errorsOnStdout: Bool = true, _ body: (RPCClient) async throws -> Result) async throws -> Result {
        let configuration = try clientConfiguration()
        do {
            return try await RPCClient.withConnection(configuration) { client in
                if let token {
                    _ = try await client.call("authenticate", params: .object(["token": .string(token)]))
                }
                return try await body(client)
            }
        } catch let error as RPCError {
            if outputMode == .json, errorsOnStdout {
                var object: [String: JSONValue] = ["code": .integer(Int64(error.code)), "message": .string(error.message)]
                if let data = error.data { object["data"] = data }
                try? OutputMode.printJSON(.object(["error": .object(object)]))
            }
            throw error
        } catch let error as RPCClientError {
            throw ClientFailure.connection(error)
        } catch let error as ClientFailure {
            throw error
        } catch {
            // LineRPC wraps NIOSSLError and BoringSSLError only; NIOSSLExtraError (hostname mismatch)
            // and NIO channel errors (connection reset) arrive as they are.
            if String(reflecting: type(of: error)).hasPrefix("NIOSSL.") {
                throw ClientFailure.connection(.tlsFailed("\(error)"))
            }
            throw ClientFailure.transport("\(error)")
        }
    }
}
