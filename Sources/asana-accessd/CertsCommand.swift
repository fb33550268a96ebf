import ArgumentParser
import DevCertificates

/// `asana-accessd certs dev`: a development CA, server and client certificate set.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs", abstract: "Make TLS certificates (see certs/README.md).", subcommands: [Dev.self])

    struct Dev: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a dev CA, a server certificate for localhost/127.0.0.1/::1 and a client certificate.")

        @Option(name: .customLong("out"), help: "Output directory (git-ignored by default).", completion: .directory)
        var directory: String = "certs/dev"

        @Option(name: .customLong("client-name"), help: "Principal name in the client certificate's subject CN.")
        var clientName: String = "dev-admin"

        @Option(name: .customLong("host"), help: "A server name or IP address for the server certificate; repeat for more. Default: localhost, 127.0.0.1, ::1.")
        var hosts: [String] = []

        @Flag(help: "Replace an existing set.")
        var force = false

        func run() throws {
            let files = try DevCertificates.make(
                in: directory, serverHosts: hosts.isEmpty ? ["localhost", "127.0.0.1", "::1"] : hosts,
                clientName: clientName, force: force)
            print("wrote \(files.caCertificate), \(files.serverCertificate), \(files.clientCertificate) and their keys (mode 0600)")
        }
    }
}
