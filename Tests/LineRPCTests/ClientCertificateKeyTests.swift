import AccessProtocol
import Foundation
@testable import LineRPC
import NIOSSL
import Testing

/// Every key type protocol.md §1 lists works for a client certificate: the server's CertificateRequest
/// names its signature algorithm, and the certificate maps to its principal.
@Suite("Client certificate key types")
struct ClientCertificateKeyTests {
    /// `openssl req -newkey` arguments per key type.
    static let keyTypes: [(name: String, arguments: [String])] = [
        ("P-256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
        ("P-384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]),
        ("P-521", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"]),
        ("Ed25519", ["-newkey", "ed25519"]),
        ("RSA 2048", ["-newkey", "rsa:2048"]),
    ]

    @Test("a client certificate with this key type authenticates", arguments: keyTypes.map(\.name))
    func keyType(name: String) async throws {
        let arguments = try #require(Self.keyTypes.first { $0.name == name }?.arguments)
        let (fixture, task) = try await ServerFixture.start(mutualTLS: true)
        let directory = fixture.certificates.directory
        let stem = (directory as NSString).appendingPathComponent(name.replacingOccurrences(of: " ", with: "-"))
        try "extendedKeyUsage=clientAuth\n".write(toFile: stem + ".ext", atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-new"] + arguments + ["-nodes", "-subj", "/CN=test-client", "-keyout", stem + "-key.pem", "-out", stem + ".csr"])
        try Self.openssl(["x509", "-req", "-in", stem + ".csr", "-CA", fixture.certificates.caCertificate, "-CAkey", fixture.certificates.caKey,
                          "-CAcreateserial", "-days", "1", "-extfile", stem + ".ext", "-out", stem + ".pem"])
        var configuration = try fixture.clientConfiguration()
        configuration.tls = try TLSSettings.client(trustRoots: fixture.certificates.caCertificate, certificateChain: stem + ".pem", privateKey: stem + "-key.pem")
        for version in [TLSVersion.tlsv13, .tlsv12] {
            configuration.tls.maximumTLSVersion = version
            let answer = try await RPCClient.withConnection(configuration) { client in
                try await client.call("echo", params: .object(["text": .string(name)]))
            }
            #expect(answer["principal"] == .string("cert:test-client"), "\(name) over \(version)")
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl \(arguments.prefix(2).joined(separator: " "))")
    }
}
