import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SwiftASN1
import TestSupport
import Testing
@_spi(FixedExpiryValidationTime) import X509

import DevCertificates

/// The development certificate set: files, modes, extensions, OpenSSL's verdict, and real mutual-TLS handshakes.
@Suite struct DevCertificatesTests {
    // MARK: - Files

    @Test func makesTheSixFilesWithPrivateModes() throws {
        try withTemporaryDirectory { base in
            let directory = base + "/nested/dev"
            let files = try DevCertificates.make(in: directory)

            #expect(files == DevCertificates.Files(directory: directory))
            #expect(try mode(of: directory) == 0o700)
            for key in [files.caKey, files.serverKey, files.clientKey] {
                #expect(try mode(of: key) == 0o600, "\(key)")
                let text = try String(contentsOfFile: key, encoding: .utf8)
                #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
                #expect(text.hasSuffix("-----END PRIVATE KEY-----\n"))
            }
            for certificate in [files.caCertificate, files.serverCertificate, files.clientCertificate] {
                #expect(try mode(of: certificate) == 0o644, "\(certificate)")
                let text = try String(contentsOfFile: certificate, encoding: .utf8)
                #expect(text.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
                #expect(text.hasSuffix("-----END CERTIFICATE-----\n"))
            }
            // No temporary files left behind.
            let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(names == ["ca-key.pem", "ca.pem", "client-key.pem", "client.pem", "server-key.pem", "server.pem"])
        }
    }

    @Test func refusesToReplaceAnExistingSetUnlessForced() throws {
        try withTemporaryDirectory { base in
            let directory = base + "/dev"
            let first = try DevCertificates.make(in: directory)
            let firstCA = try String(contentsOfFile: first.caCertificate, encoding: .utf8)

            #expect(throws: DevCertificatesError.alreadyExists(first.caCertificate)) {
                try DevCertificates.make(in: directory)
            }
            // Even one file of a set is enough to refuse.
            try FileManager.default.removeItem(atPath: first.caCertificate)
            #expect(throws: DevCertificatesError.alreadyExists(first.caKey)) {
                try DevCertificates.make(in: directory)
            }
            #expect(try String(contentsOfFile: first.serverKey, encoding: .utf8).isEmpty == false)

            let second = try DevCertificates.make(in: directory, force: true)
            #expect(try String(contentsOfFile: second.caCertificate, encoding: .utf8) != firstCA)
            #expect(try mode(of: second.caKey) == 0o600)
        }
    }

    @Test func rejectsBadInput() throws {
        try withTemporaryDirectory { base in
            #expect(throws: DevCertificatesError.noServerHosts) {
                try DevCertificates.make(in: base + "/a", serverHosts: [])
            }
            #expect(throws: DevCertificatesError.invalidHost("bad host")) {
                try DevCertificates.make(in: base + "/a", serverHosts: ["bad host"])
            }
            for host in ["-x.example", "256.1.1.1", "1.2.3", "a..b", "fe80::1%eth0", "*", "x_y.test"] {
                #expect(throws: DevCertificatesError.invalidHost(host)) {
                    try DevCertificates.make(in: base + "/a", serverHosts: ["localhost", host])
                }
            }
            #expect(throws: DevCertificatesError.invalidClientName("")) {
                try DevCertificates.make(in: base + "/a", clientName: "")
            }
            #expect(throws: DevCertificatesError.invalidClientName(String(repeating: "x", count: 65))) {
                try DevCertificates.make(in: base + "/a", clientName: String(repeating: "x", count: 65))
            }
            #expect(throws: DevCertificatesError.invalidClientName("a\nb")) {
                try DevCertificates.make(in: base + "/a", clientName: "a\nb")
            }
            try "x".write(toFile: base + "/file", atomically: false, encoding: .utf8)
            #expect(throws: DevCertificatesError.invalidDirectory(base + "/file")) {
                try DevCertificates.make(in: base + "/file")
            }
            // Nothing was written by the refused calls.
            #expect(!FileManager.default.fileExists(atPath: base + "/a"))
            #expect(DevCertificatesError.alreadyExists("/x/ca.pem").description.contains("/x/ca.pem"))
        }
    }

    // MARK: - Contents

    @Test func certificatesCarryTheExtensionsVerifiersNeed() throws {
        try withTemporaryDirectory { base in
            let now = Date(timeIntervalSince1970: 1_800_000_000.75)
            let files = try DevCertificates.make(
                in: base + "/dev",
                serverHosts: ["LocalHost", "api.dev.test", "*.svc.test", "127.0.0.1", "[::1]", "10.1.2.3"],
                clientName: "ops-bot",
                now: now)
            let ca = try certificate(files.caCertificate)
            let server = try certificate(files.serverCertificate)
            let client = try certificate(files.clientCertificate)

            let start = Date(timeIntervalSince1970: 1_800_000_000 - 300)
            // CA: self-signed, CA:TRUE pathlen 0, keyCertSign, ten years.
            #expect(ca.issuer == ca.subject)
            #expect(ca.subject.description.contains("CN=asana-access dev CA"))
            #expect(ca.notValidBefore == start)
            let tenYears = ca.notValidAfter.timeIntervalSince(ca.notValidBefore) / 86_400
            #expect(tenYears == 3652 || tenYears == 3653)
            #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(ca.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
            #expect(try ca.extensions.keyUsage?.keyCertSign == true)
            #expect(try ca.extensions.keyUsage?.cRLSign == true)
            #expect(ca.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
            let caKeyID = try #require(try ca.extensions.subjectKeyIdentifier?.keyIdentifier)
            #expect(caKeyID.count == 20)
            #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))

            for leaf in [server, client] {
                #expect(leaf.issuer == ca.subject)
                #expect(leaf.notValidBefore == start)
                #expect(leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore) == 825 * 86_400)
                #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
                #expect(try leaf.extensions.keyUsage == KeyUsage(digitalSignature: true))
                #expect(try leaf.extensions.authorityKeyIdentifier?.keyIdentifier == caKeyID)
                #expect(try leaf.extensions.subjectKeyIdentifier?.keyIdentifier
                    == SubjectKeyIdentifier(hash: leaf.publicKey).keyIdentifier)
                #expect(ca.publicKey.isValidSignature(leaf.signature, for: leaf))
                #expect(leaf.signatureAlgorithm == .ecdsaWithSHA256)
                #expect(leaf.serialNumber != ca.serialNumber)
            }

            #expect(server.subject.description.contains("CN=localhost"))
            #expect(try server.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
            let names = try #require(try server.extensions.subjectAlternativeNames)
            #expect(Array(names) == [
                .dnsName("localhost"), .dnsName("api.dev.test"), .dnsName("*.svc.test"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3])),
            ])

            #expect(commonName(client) == "ops-bot")
            #expect(try client.extensions.extendedKeyUsage == ExtendedKeyUsage([.clientAuth]))
            #expect(try client.extensions.subjectAlternativeNames == nil)

            // The key files hold the keys the certificates were made for.
            let serverKey = try Certificate.PrivateKey(
                pemEncoded: String(contentsOfFile: files.serverKey, encoding: .utf8))
            #expect(serverKey.publicKey == server.publicKey)
            let clientKey = try Certificate.PrivateKey(
                pemEncoded: String(contentsOfFile: files.clientKey, encoding: .utf8))
            #expect(clientKey.publicKey == client.publicKey)
        }
    }

    @Test func swiftCertificatesVerifierAcceptsTheChain() async throws {
        try await withTemporaryDirectory { base in
            let files = try DevCertificates.make(in: base + "/dev")
            let ca = try certificate(files.caCertificate)
            let roots = CertificateStore([ca])

            for (hostname, ip) in [("localhost", nil), (nil, "127.0.0.1"), (nil, "::1")] as [(String?, String?)] {
                var verifier = Verifier(rootCertificates: roots) {
                    RFC5280Policy()
                    ServerIdentityPolicy(serverHostname: hostname, serverIP: ip)
                }
                let result = await verifier.validate(
                    leaf: try certificate(files.serverCertificate), intermediates: CertificateStore())
                guard case .validCertificate(let chain) = result else {
                    Issue.record("server as \(hostname ?? ip ?? "?"): \(result)")
                    continue
                }
                #expect(Array(chain).count == 2)
            }

            var wrongName = Verifier(rootCertificates: roots) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: "example.com", serverIP: nil)
            }
            let refused = await wrongName.validate(
                leaf: try certificate(files.serverCertificate), intermediates: CertificateStore())
            guard case .couldNotValidate = refused else {
                Issue.record("a server certificate for localhost passed as example.com")
                return
            }

            var clientVerifier = Verifier(rootCertificates: roots) { RFC5280Policy() }
            let client = await clientVerifier.validate(
                leaf: try certificate(files.clientCertificate), intermediates: CertificateStore())
            guard case .validCertificate(let chain) = client else {
                Issue.record("client: \(client)")
                return
            }
            #expect(chain.root == ca)

            // Expired in 826 days.
            var later = Verifier(rootCertificates: roots) {
                RFC5280Policy(fixedExpiryValidationTime: Date().addingTimeInterval(826 * 86_400))
            }
            let expired = await later.validate(
                leaf: try certificate(files.clientCertificate), intermediates: CertificateStore())
            guard case .couldNotValidate = expired else {
                Issue.record("a client certificate still valid after 826 days")
                return
            }
        }
    }

    // MARK: - OpenSSL

    @Test(.enabled(if: openSSLPath != nil, "needs the openssl command"))
    func openSSLVerifiesServerAndClient() throws {
        try withTemporaryDirectory { base in
            let files = try DevCertificates.make(in: base + "/dev")
            for (certificate, purpose) in [(files.serverCertificate, "sslserver"), (files.clientCertificate, "sslclient")] {
                let plain = try runOpenSSL(["verify", "-CAfile", files.caCertificate, certificate])
                #expect(plain.status == 0, "\(plain.output)")
                #expect(plain.output.contains("\(certificate): OK"))
                let strict = try runOpenSSL(
                    ["verify", "-x509_strict", "-purpose", purpose, "-CAfile", files.caCertificate, certificate])
                #expect(strict.status == 0, "\(strict.output)")
            }
            // The server certificate is no client certificate and the other way round.
            let wrong = try runOpenSSL(
                ["verify", "-purpose", "sslclient", "-CAfile", files.caCertificate, files.serverCertificate])
            #expect(wrong.status != 0)
            // Names, as OpenSSL reads them.
            let hosts = try runOpenSSL(["x509", "-noout", "-checkhost", "localhost", "-checkip", "::1", "-in", files.serverCertificate])
            #expect(hosts.output.contains("Hostname localhost does match certificate"))
            #expect(hosts.output.contains("IP ::1 does match certificate"))
            // The key files are the keys of the certificates.
            for (certificate, key) in [(files.serverCertificate, files.serverKey), (files.clientCertificate, files.clientKey)] {
                let fromCertificate = try runOpenSSL(["x509", "-noout", "-pubkey", "-in", certificate])
                let fromKey = try runOpenSSL(["pkey", "-pubout", "-in", key])
                #expect(fromKey.status == 0)
                #expect(fromCertificate.output == fromKey.output)
            }
        }
    }

    /// `certs/make-dev-certs.sh` is the openssl recipe for the same set; its files must work the same way.
    @Test(.enabled(if: openSSLPath != nil && FileManager.default.fileExists(atPath: scriptPath), "needs openssl and certs/make-dev-certs.sh"))
    func openSSLRecipeMakesAnEquivalentSet() async throws {
        try await withTemporaryDirectory { base in
            let directory = base + "/dev"
            let made = try run("/bin/bash", [scriptPath, "--client", "script-client", directory])
            #expect(made.status == 0, "\(made.output)")
            let files = DevCertificates.Files(directory: directory)
            #expect(try mode(of: directory) == 0o700)
            for key in [files.caKey, files.serverKey, files.clientKey] { #expect(try mode(of: key) == 0o600) }
            for cert in [files.caCertificate, files.serverCertificate, files.clientCertificate] {
                #expect(try mode(of: cert) == 0o644)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 6)

            // Same extensions as the Swift-made set.
            let server = try certificate(files.serverCertificate)
            #expect(try server.extensions.basicConstraints == .notCertificateAuthority)
            #expect(try server.extensions.keyUsage == KeyUsage(digitalSignature: true))
            #expect(try server.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
            #expect(try server.extensions.subjectAlternativeNames.map(Array.init) == [
                .dnsName("localhost"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            ])
            let ca = try certificate(files.caCertificate)
            #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(try server.extensions.authorityKeyIdentifier?.keyIdentifier
                == ca.extensions.subjectKeyIdentifier?.keyIdentifier)
            #expect(server.notValidAfter.timeIntervalSince(server.notValidBefore) == 825 * 86_400)

            // Refuses to replace the set without --force, like the Swift maker; and each accepts the other's set.
            let again = try run("/bin/bash", [scriptPath, directory])
            #expect(again.status != 0)
            #expect(throws: DevCertificatesError.alreadyExists(files.caCertificate)) {
                try DevCertificates.make(in: directory)
            }

            let outcome = try await exchange(server: files, client: .certificate(files), serverHostname: "localhost")
            #expect(try outcome.reply.get() == "echo:hello over mTLS")
            #expect(outcome.peerCommonName == "script-client")

            // Rotating the server certificate keeps the CA: the old client still connects.
            let oldServer = try String(contentsOfFile: files.serverCertificate, encoding: .utf8)
            let rotated = try run("/bin/bash", [scriptPath, "--rotate-server", directory])
            #expect(rotated.status == 0, "\(rotated.output)")
            #expect(try String(contentsOfFile: files.serverCertificate, encoding: .utf8) != oldServer)
            let afterRotation = try await exchange(
                server: files, client: .certificate(files), serverHostname: "localhost")
            #expect(try afterRotation.reply.get() == "echo:hello over mTLS")
        }
    }

    // MARK: - Mutual TLS with NIOSSL

    @Test func mutualTLSHandshakeAndEcho() async throws {
        try await withTemporaryDirectory { base in
            let files = try DevCertificates.make(in: base + "/dev")
            let outcome = try await exchange(server: files, client: .certificate(files), serverHostname: "localhost")
            #expect(try outcome.reply.get() == "echo:hello over mTLS")
            #expect(outcome.peerCommonName == "dev-admin")
        }
    }

    @Test func clientVerifiesTheServerByIPAddressToo() async throws {
        try await withTemporaryDirectory { base in
            let files = try DevCertificates.make(in: base + "/dev", clientName: "ip-client")
            // With no server hostname NIOSSL matches the connected address against the IP SANs.
            let outcome = try await exchange(server: files, client: .certificate(files), serverHostname: nil)
            #expect(try outcome.reply.get() == "echo:hello over mTLS")
            #expect(outcome.peerCommonName == "ip-client")
        }
    }

    @Test func clientWithoutACertificateIsRefused() async throws {
        try await withTemporaryDirectory { base in
            let files = try DevCertificates.make(in: base + "/dev")
            let outcome = try await exchange(server: files, client: .none(trusting: files), serverHostname: "localhost")
            expectRefused(outcome, because: "CERTIFICATE_REQUIRED")
            #expect(outcome.peerCommonName == nil)
        }
    }

    @Test func clientFromAnotherCAIsRefused() async throws {
        try await withTemporaryDirectory { base in
            let files = try DevCertificates.make(in: base + "/dev")
            let stranger = try DevCertificates.make(in: base + "/other")
            // The stranger trusts our server, but its own certificate comes from a CA our server does not know.
            let outcome = try await exchange(
                server: files,
                client: .certificate(stranger, trusting: files),
                serverHostname: "localhost")
            expectRefused(outcome, because: "UNKNOWN_CA")
            #expect(outcome.peerCommonName == nil)
        }
    }

    @Test func serverFromAnotherCAIsRefusedByTheClient() async throws {
        try await withTemporaryDirectory { base in
            let files = try DevCertificates.make(in: base + "/dev")
            let stranger = try DevCertificates.make(in: base + "/other")
            let outcome = try await exchange(server: stranger, client: .certificate(files), serverHostname: "localhost")
            expectRefused(outcome, because: "CERTIFICATE_VERIFY_FAILED")
        }
    }
}

// MARK: - Helpers

private func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("devcerts-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

private func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("devcerts-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

private func mode(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
}

private func certificate(_ path: String) throws -> Certificate {
    try Certificate(pemEncoded: String(contentsOfFile: path, encoding: .utf8))
}

private func commonName(_ certificate: Certificate) -> String? {
    for rdn in certificate.subject {
        for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
            return String(attribute.value)
        }
    }
    return nil
}

private let openSSLPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

private let scriptPath = Repository.root.appendingPathComponent("certs/make-dev-certs.sh").path

private func runOpenSSL(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try run(openSSLPath!, arguments)
}

private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// What the client presents and trusts.
private enum ClientIdentity {
    /// The set's client certificate and key, trusting `trusting`'s CA (the same set by default).
    case certificate(DevCertificates.Files, trusting: DevCertificates.Files? = nil)
    /// No certificate, trusting this set's CA.
    case none(trusting: DevCertificates.Files)
}

private struct Outcome {
    /// What the client read back, or why it read nothing.
    var reply: Result<String, any Error>
    /// The client certificate's common name as the server saw it after the handshake.
    var peerCommonName: String?
}

private struct ExchangeTimedOut: Error {}

/// The client read no reply, and BoringSSL's error names `reason` (for example `UNKNOWN_CA`).
private func expectRefused(_ outcome: Outcome, because reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
    switch outcome.reply {
    case .success(let reply):
        Issue.record("expected a refused handshake, got the reply \(reply)", sourceLocation: sourceLocation)
    case .failure(let error):
        #expect(String(describing: error).contains(reason), "\(error)", sourceLocation: sourceLocation)
    }
}
private struct ClosedWithoutReply: Error {}

/// Starts a TLS echo server on 127.0.0.1 with `server`'s certificate requiring a client certificate from
/// `server`'s CA, connects one client, sends one line and waits for the echo.
private func exchange(
    server: DevCertificates.Files,
    client identity: ClientIdentity,
    serverHostname: String?
) async throws -> Outcome {
    let group = MultiThreadedEventLoopGroup.singleton

    var serverTLS = TLSConfiguration.makeServerConfigurationWithMTLS(
        certificateChain: try NIOSSLCertificate.fromPEMFile(server.serverCertificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: server.serverKey, format: .pem)),
        trustRoots: .certificates(try NIOSSLCertificate.fromPEMFile(server.caCertificate)))
    serverTLS.minimumTLSVersion = .tlsv12
    let serverContext = try NIOSSLContext(configuration: serverTLS)

    var clientTLS = TLSConfiguration.makeClientConfiguration()
    clientTLS.minimumTLSVersion = .tlsv12
    switch identity {
    case .certificate(let files, let trusting):
        clientTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile((trusting ?? files).caCertificate))
        clientTLS.certificateChain = try NIOSSLCertificate.fromPEMFile(files.clientCertificate).map { .certificate($0) }
        clientTLS.privateKey = .privateKey(try NIOSSLPrivateKey(file: files.clientKey, format: .pem))
    case .none(let trusting):
        clientTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trusting.caCertificate))
    }
    let clientContext = try NIOSSLContext(configuration: clientTLS)

    let peerName = group.any().makePromise(of: String?.self)
    let listener = try await ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
                try channel.pipeline.syncOperations.addHandler(EchoHandler(peerName: peerName))
            }
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
    let port = try #require(listener.localAddress?.port)

    let reply = group.any().makePromise(of: String.self)
    let timeout = reply.futureResult.eventLoop.scheduleTask(in: .seconds(20)) {
        reply.fail(ExchangeTimedOut())
    }
    var connection: (any Channel)?
    do {
        connection = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: clientContext, serverHostname: serverHostname))
                    try channel.pipeline.syncOperations.addHandler(ReplyCollector(reply: reply))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        try await connection?.writeAndFlush(ByteBuffer(string: "hello over mTLS\n")).get()
    } catch {
        reply.fail(error)
    }

    let result: Result<String, any Error>
    do {
        result = .success(try await reply.futureResult.get())
    } catch {
        result = .failure(error)
    }
    timeout.cancel()
    // The server side settles once its handshake succeeds or fails.
    peerName.futureResult.eventLoop.scheduleTask(in: .seconds(5)) { peerName.succeed(nil) }
    let name = try? await peerName.futureResult.get()
    try? await connection?.close().get()
    try await listener.close().get()
    return Outcome(reply: result, peerCommonName: name ?? nil)
}

/// Server side: records the client certificate's common name and echoes each read.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let peerName: EventLoopPromise<String?>

    init(peerName: EventLoopPromise<String?>) { self.peerName = peerName }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A read only arrives after the handshake, so the client certificate is known by now.
        let peer = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
        let name = (try? peer?.toDERBytes()).flatMap { try? Certificate(derEncoded: $0) }.flatMap(commonName)
        peerName.succeed(name)

        var buffer = unwrapInboundIn(data)
        let text = buffer.readString(length: buffer.readableBytes) ?? ""
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "echo:" + text)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        peerName.succeed(nil)
        context.close(promise: nil)
    }
}

/// Client side: collects bytes up to the first newline.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let reply: EventLoopPromise<String>
    private var received = ""

    init(reply: EventLoopPromise<String>) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received += buffer.readString(length: buffer.readableBytes) ?? ""
        if let newline = received.firstIndex(of: "\n") {
            reply.succeed(String(received[..<newline]))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        reply.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        reply.fail(ClosedWithoutReply())
        context.fireChannelInactive()
    }
}
