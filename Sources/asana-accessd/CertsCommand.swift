import ArgumentParser
import DevCertificates
import Foundation

/// `asana-accessd certs dev|ca|server|client|show`: a development set, or production certificates from the
/// operator's own CA (see certs/README.md).
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs", abstract: "Make TLS certificates (see certs/README.md).", subcommands: [Dev.self, Authority.self, Server.self, Client.self, Show.self])

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

    /// The operator's CA, as `--ca-cert` and `--ca-key`.
    struct AuthorityOptions: ParsableArguments {
        @Option(name: .customLong("ca-cert"), help: ArgumentHelp("The CA's certificate (PEM); it must be marked as a CA (basicConstraints CA:TRUE).", valueName: "file"), completion: .file())
        var certificate: String
        @Option(name: .customLong("ca-key"), help: ArgumentHelp("The CA's private key (PEM); it must be the certificate's key.", valueName: "file"), completion: .file())
        var key: String

        func load() throws -> OperatorCertificates.Authority {
            try OperatorCertificates.loadAuthority(certificatePath: certificate, keyPath: key)
        }
    }

    struct Authority: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ca",
            abstract: "Make an operator CA (10 years) to issue server and client certificates from: <out>/ca.pem and <out>/ca-key.pem (0600).",
            discussion: "Keep ca-key.pem off the server (it only signs new certificates). An existing file is refused unless --force.")

        @Option(name: .customLong("out"), help: "Output directory (created 0700 if missing).", completion: .directory)
        var directory: String
        @Option(name: .customLong("name"), help: "The CA's common name.")
        var name: String = "asana-access CA"
        @Flag(help: "Replace existing files.")
        var force = false

        func run() throws {
            let issued = try OperatorCertificates.makeAuthority(commonName: name)
            let certificate = (directory as NSString).appendingPathComponent("ca.pem")
            let key = (directory as NSString).appendingPathComponent("ca-key.pem")
            try OperatorCertificates.write(issued, certificatePath: certificate, keyPath: key, force: force)
            print("wrote \(certificate) and \(key) (mode 0600); valid until \(ISO8601DateFormatter().string(from: issued.certificate.notValidAfter))")
        }
    }

    struct Server: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a server certificate from your CA: serverAuth, one SAN per --host, 397 days by default.",
            discussion: "Writes <out>/server.pem and <out>/server-key.pem (a new P-256 key, mode 0600); an existing file is refused unless --force. Give them to serve as --tls-cert and --tls-key.")

        @OptionGroup var authority: AuthorityOptions
        @Option(name: .customLong("host"), help: ArgumentHelp("A DNS name or IP address clients connect to; repeat for more. The first is also the CN.", valueName: "name-or-ip"))
        var hosts: [String] = []
        @Option(help: ArgumentHelp("Validity in days (1…\(OperatorCertificates.maximumLeafDays)).", valueName: "days"))
        var days: Int = OperatorCertificates.serverValidityDays
        @Option(name: .customLong("out"), help: "Output directory (created 0700 if missing).", completion: .directory)
        var directory: String = "."
        @Flag(help: "Replace existing files.")
        var force = false

        func validate() throws {
            if hosts.isEmpty { throw ValidationError("give at least one --host: the name or address clients connect to") }
        }

        func run() throws {
            let issued = try OperatorCertificates.issueServer(by: try authority.load(), hosts: hosts, days: days)
            let certificate = (directory as NSString).appendingPathComponent("server.pem")
            let key = (directory as NSString).appendingPathComponent("server-key.pem")
            try OperatorCertificates.write(issued, certificatePath: certificate, keyPath: key, force: force)
            print("wrote \(certificate) and \(key) (mode 0600) for \(hosts.joined(separator: ", ")); valid until \(ISO8601DateFormatter().string(from: issued.certificate.notValidAfter))")
        }
    }

    struct Client: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a client certificate from your CA: clientAuth, CN = the principal name, 90 days by default.",
            discussion: "Writes <out>/<name>.pem and <out>/<name>-key.pem (a new P-256 key, mode 0600); an existing file is refused unless --force. The server sees the principal cert:<name>; grant it a role with serve --principal-role <name>=ROLE.")

        @OptionGroup var authority: AuthorityOptions
        @Option(help: ArgumentHelp("The principal name (the certificate's CN): 1 to 64 characters.", valueName: "name"))
        var name: String
        @Option(help: ArgumentHelp("Validity in days (1…\(OperatorCertificates.maximumLeafDays)).", valueName: "days"))
        var days: Int = OperatorCertificates.clientValidityDays
        @Option(name: .customLong("out"), help: "Output directory (created 0700 if missing).", completion: .directory)
        var directory: String = "."
        @Flag(help: "Replace existing files.")
        var force = false

        func validate() throws {
            if name.isEmpty || name.hasPrefix(".") || name.contains("/") {
                throw ValidationError("--name must not be empty, start with a dot or contain a slash (it also names the files)")
            }
        }

        func run() throws {
            let issued = try OperatorCertificates.issueClient(by: try authority.load(), name: name, days: days)
            let certificate = (directory as NSString).appendingPathComponent("\(name).pem")
            let key = (directory as NSString).appendingPathComponent("\(name)-key.pem")
            try OperatorCertificates.write(issued, certificatePath: certificate, keyPath: key, force: force)
            print("wrote \(certificate) and \(key) (mode 0600) for principal cert:\(name); valid until \(ISO8601DateFormatter().string(from: issued.certificate.notValidAfter))")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a certificate's subject, issuer, serial, SANs, key usage, validity and days left; exit 1 when it is expired or not yet valid.",
            discussion: "The first certificate of a PEM file. The exit status lets a cron job or a monitoring check catch an expired certificate; watch `Days left` to renew before.")

        @Argument(help: ArgumentHelp("A PEM certificate file.", valueName: "file"), completion: .file())
        var file: String

        func run() throws {
            let summary = CertificateSummary(try OperatorCertificates.readCertificate(file))
            print(summary.text)
            if summary.isExpired { throw CommandFailure("\(file) has expired") }
            if summary.isNotYetValid { throw CommandFailure("\(file) is not valid yet") }
        }
    }
}
