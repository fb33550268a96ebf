import Foundation
import Testing

/// A throwaway CA, a server certificate for `localhost`/127.0.0.1 and a client certificate
/// (CN `ci-bot`) made with the `openssl` command into a temporary directory, once per test run.
struct TestCertificates: Sendable {
    var directory: URL
    var caCertificate: String { directory.appendingPathComponent("ca.pem").path }
    var serverCertificate: String { directory.appendingPathComponent("server.pem").path }
    var serverKey: String { directory.appendingPathComponent("server-key.pem").path }
    /// A server certificate naming only `DNS:localhost`, no IP address. (swift-nio-ssl accepts a
    /// certificate that lists the connected IP whatever the expected name, so checking
    /// `--server-name` needs a certificate without one.)
    var dnsOnlyServerCertificate: String { directory.appendingPathComponent("server-dns.pem").path }
    var dnsOnlyServerKey: String { directory.appendingPathComponent("server-dns-key.pem").path }
    var clientCertificate: String { directory.appendingPathComponent("client.pem").path }
    var clientKey: String { directory.appendingPathComponent("client-key.pem").path }
    /// A second CA that signed nothing here: trusting it must fail the handshake.
    var otherCACertificate: String { directory.appendingPathComponent("other-ca.pem").path }

    /// Whether the `openssl` command is there to make certificates.
    static let available = ClientProcess.which("openssl") != nil

    /// The certificates of this test run (made on first use).
    static let shared: Result<TestCertificates, CertificateError> = Result { try make() }.mapError { CertificateError(reason: "\($0)") }

    struct CertificateError: Error, CustomStringConvertible {
        var reason: String
        var description: String { "making test certificates with openssl failed: \(reason)" }
    }

    static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("asana-access-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let openssl = ClientProcess.which("openssl") else { throw CertificateError(reason: "openssl is not installed") }
        func run(_ arguments: [String]) throws {
            let output = try ClientProcess.runSynchronously(openssl, arguments)
            guard output.status == 0 else {
                throw CertificateError(reason: "openssl \(arguments.joined(separator: " ")): \(output.stderr)")
            }
        }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for (name, subject) in [("ca", "/CN=asana-access test CA"), ("other-ca", "/CN=some other CA")] {
            try run(["req", "-x509"] + ec + ["-keyout", path("\(name)-key.pem"), "-out", path("\(name).pem"), "-days", "2",
                     "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: path("server-dns.ext"), atomically: true, encoding: .utf8)
        try "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
            .write(toFile: path("client.ext"), atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=localhost"), ("server-dns", "/CN=localhost"), ("client", "/CN=ci-bot")] {
            try run(["req"] + ec + ["-keyout", path("\(name)-key.pem"), "-out", path("\(name).csr"), "-subj", subject])
            try run(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca-key.pem"),
                     "-CAcreateserial", "-out", path("\(name).pem"), "-days", "2", "-extfile", path("\(name).ext")])
        }
        return TestCertificates(directory: directory)
    }
}
