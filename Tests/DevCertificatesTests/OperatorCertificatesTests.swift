import Crypto
import DevCertificates
import Foundation
import Testing
import X509

/// `OperatorCertificates` and `CertificateSummary`: lifetimes, key usages, the CA checks, expiry.
@Suite("Operator certificates")
struct OperatorCertificatesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func authority() throws -> OperatorCertificates.Authority {
        let issued = try OperatorCertificates.makeAuthority(commonName: "Test CA", now: now)
        return OperatorCertificates.Authority(certificate: issued.certificate, privateKey: try Certificate.PrivateKey(pemEncoded: issued.keyPEM))
    }

    @Test("a server certificate: serverAuth, the hosts as DNS and IP SANs, 397 days, signed by the CA; a client: clientAuth, CN = name, 90 days")
    func leaves() throws {
        let ca = try Self.authority()
        let server = try OperatorCertificates.issueServer(by: ca, hosts: ["asana.internal", "10.1.2.3", "[::1]"], now: Self.now)
        let cert = server.certificate
        #expect(cert.notValidAfter.timeIntervalSince(cert.notValidBefore) == 397 * 86_400)
        #expect(try cert.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
        #expect(try cert.extensions.basicConstraints == .notCertificateAuthority)
        #expect(cert.issuer == ca.certificate.subject)
        #expect(ca.certificate.publicKey.isValidSignature(cert.signature, for: cert))
        let summary = CertificateSummary(cert, now: Self.now)
        #expect(summary.fields.first { $0.name == "SANs" }?.value == "DNS:asana.internal, IP:10.1.2.3, IP:::1")
        #expect(summary.daysLeft == 396)
        #expect(!summary.isExpired)

        let client = try OperatorCertificates.issueClient(by: ca, name: "ops-bot", now: Self.now)
        #expect(client.certificate.notValidAfter.timeIntervalSince(client.certificate.notValidBefore) == 90 * 86_400)
        #expect(try client.certificate.extensions.extendedKeyUsage == ExtendedKeyUsage([.clientAuth]))
        #expect("\(client.certificate.subject)" == "CN=ops-bot")
        #expect(try OperatorCertificates.issueClient(by: ca, name: "short", days: 7, now: Self.now).certificate.notValidAfter
                == Self.now.addingTimeInterval(-300 + 7 * 86_400))
    }

    @Test("bad --days, a leaf that would outlive its CA, bad hosts and names are refused")
    func refusals() throws {
        let ca = try Self.authority()
        #expect(throws: OperatorCertificatesError.invalidDays(0)) { try OperatorCertificates.issueClient(by: ca, name: "x", days: 0, now: Self.now) }
        #expect(throws: OperatorCertificatesError.invalidDays(826)) { try OperatorCertificates.issueServer(by: ca, hosts: ["a"], days: 826, now: Self.now) }
        let late = Self.now.addingTimeInterval(9.9 * 365 * 86_400)
        #expect(throws: OperatorCertificatesError.outlivesAuthority(notAfter: ca.certificate.notValidAfter)) {
            try OperatorCertificates.issueServer(by: ca, hosts: ["a"], now: late)
        }
        #expect(throws: DevCertificatesError.invalidHost("bad host")) { try OperatorCertificates.issueServer(by: ca, hosts: ["bad host"], now: Self.now) }
        #expect(throws: DevCertificatesError.noServerHosts) { try OperatorCertificates.issueServer(by: ca, hosts: [], now: Self.now) }
        for name in ["", "a=b", "ops,bot"] {
            #expect(throws: DevCertificatesError.invalidClientName(name)) { try OperatorCertificates.issueClient(by: ca, name: name, now: Self.now) }
        }
    }

    @Test("the summary of an expired certificate says EXPIRED with negative days left; one not valid yet says so")
    func expiry() throws {
        let ca = try Self.authority()
        let client = try OperatorCertificates.issueClient(by: ca, name: "ops-bot", days: 1, now: Self.now)
        let later = CertificateSummary(client.certificate, now: Self.now.addingTimeInterval(3 * 86_400))
        #expect(later.isExpired)
        #expect(later.daysLeft == -3)
        #expect(later.text.contains("(EXPIRED)"))
        let earlier = CertificateSummary(client.certificate, now: Self.now.addingTimeInterval(-86_400))
        #expect(earlier.isNotYetValid)
    }

    @Test("loading a CA refuses a leaf, a key that is not the certificate's, and a file that is no PEM")
    func loadAuthorityChecks() throws {
        let directory = NSTemporaryDirectory() + "opcerts-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ca = try OperatorCertificates.makeAuthority(commonName: "Test CA")
        try OperatorCertificates.write(ca, certificatePath: directory + "/ca.pem", keyPath: directory + "/ca-key.pem", force: false)
        let loaded = try OperatorCertificates.loadAuthority(certificatePath: directory + "/ca.pem", keyPath: directory + "/ca-key.pem")
        let leaf = try OperatorCertificates.issueClient(by: loaded, name: "leaf")
        try OperatorCertificates.write(leaf, certificatePath: directory + "/leaf.pem", keyPath: directory + "/leaf-key.pem", force: false)
        #expect(throws: OperatorCertificatesError.notACertificateAuthority(path: directory + "/leaf.pem")) {
            try OperatorCertificates.loadAuthority(certificatePath: directory + "/leaf.pem", keyPath: directory + "/leaf-key.pem")
        }
        #expect(throws: OperatorCertificatesError.keyDoesNotMatch(certificatePath: directory + "/ca.pem", keyPath: directory + "/leaf-key.pem")) {
            try OperatorCertificates.loadAuthority(certificatePath: directory + "/ca.pem", keyPath: directory + "/leaf-key.pem")
        }
        #expect(throws: DevCertificatesError.alreadyExists(directory + "/leaf.pem")) {
            try OperatorCertificates.write(leaf, certificatePath: directory + "/leaf.pem", keyPath: directory + "/leaf-key.pem", force: false)
        }
        #expect(throws: (any Error).self) { try OperatorCertificates.readCertificate(directory + "/ca-key.pem") }
    }
}
