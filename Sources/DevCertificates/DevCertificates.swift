import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes a development certificate authority and a server and client certificate signed by it.
///
/// The set is what `asana-accessd certs dev` writes (default directory `certs/dev`, git-ignored)
/// and what `certs/make-dev-certs.sh` makes with `openssl`, file for file:
///
/// | file | what |
/// |---|---|
/// | `ca.pem`, `ca-key.pem` | the dev CA: `CN=asana-access dev CA`, `basicConstraints` critical `CA:TRUE, pathlen:0`, `keyUsage` critical `keyCertSign, cRLSign, digitalSignature`, valid 10 years |
/// | `server.pem`, `server-key.pem` | the server: SANs for every host (DNS names and IP addresses), `CA:FALSE`, `keyUsage` `digitalSignature`, `extendedKeyUsage` `serverAuth`, valid 825 days |
/// | `client.pem`, `client-key.pem` | a client: `CN=<principal>`, `CA:FALSE`, `keyUsage` `digitalSignature`, `extendedKeyUsage` `clientAuth`, valid 825 days |
///
/// Every certificate carries a `subjectKeyIdentifier` (SHA-1 of the public key, RFC 5280 §4.2.1.2 method 1)
/// and the leaves an `authorityKeyIdentifier` naming the CA's, so OpenSSL and BoringSSL build the chain.
/// Keys are P-256 ECDSA, written as PKCS#8 PEM (`BEGIN PRIVATE KEY`) with mode `0600`; certificates are
/// `0644`; a directory this function creates gets mode `0700` (an existing one is left as it is).
/// Validity starts five minutes before `now` to absorb clock skew, and each span is counted from there,
/// so a leaf's whole validity is exactly 825 days (the most Apple platforms accept for a TLS server).
///
/// Nothing is written until all six files are made in memory. Each file is written to a temporary
/// name in the directory and renamed into place, so a key file is never readable by others, not even
/// for a moment, and a forced remake replaces files atomically one by one.
public enum DevCertificates {
    /// Paths of the six files of a set.
    public struct Files: Sendable, Hashable {
        public let directory: String
        public let caCertificate, caKey, serverCertificate, serverKey, clientCertificate, clientKey: String

        /// The paths of the set in `directory`, whether or not the files exist.
        public init(directory: String) {
            self.directory = directory
            func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
            caCertificate = path(FileName.caCertificate)
            caKey = path(FileName.caKey)
            serverCertificate = path(FileName.serverCertificate)
            serverKey = path(FileName.serverKey)
            clientCertificate = path(FileName.clientCertificate)
            clientKey = path(FileName.clientKey)
        }

        /// All six paths, certificates before keys of each pair, CA first.
        public var all: [String] { [caCertificate, caKey, serverCertificate, serverKey, clientCertificate, clientKey] }
    }

    /// The file names of a set; the same as `certs/make-dev-certs.sh` uses.
    public enum FileName {
        public static let caCertificate = "ca.pem"
        public static let caKey = "ca-key.pem"
        public static let serverCertificate = "server.pem"
        public static let serverKey = "server-key.pem"
        public static let clientCertificate = "client.pem"
        public static let clientKey = "client-key.pem"
    }

    /// The CA's common name.
    public static let caCommonName = "asana-access dev CA"
    /// The organization name in every subject, so a dev certificate is recognisable as one.
    public static let organization = "asana-access development"
    /// How long the CA is valid.
    public static let caValidityYears = 10
    /// How long the server and client certificates are valid.
    public static let leafValidityDays = 825
    /// How far before `now` every certificate starts to be valid.
    public static let backdating: TimeInterval = 5 * 60

    /// Makes a development certificate authority and a server and client certificate signed by it.
    ///
    /// - Parameters:
    ///   - directory: Where to write the set. Created with mode `0700` (and any missing parents) if absent.
    ///   - serverHosts: Names the server certificate is valid for. IPv4 and IPv6 literals (brackets allowed)
    ///     become `iPAddress` SANs, everything else a `dNSName` SAN (lower-cased; `*.` wildcards allowed).
    ///     The first one is also the server's common name.
    ///   - clientName: The client certificate's subject common name, which the server maps to a principal.
    ///     1 to 64 characters, no control characters.
    ///   - force: Replace an existing set. Without it, any of the six files being present is an error.
    ///   - now: The moment the certificates are issued.
    /// - Returns: The paths of the six files written.
    /// - Throws: ``DevCertificatesError``; `.alreadyExists(path)` when a file of the set exists and `force` is false.
    @discardableResult
    public static func make(
        in directory: String,
        serverHosts: [String] = ["localhost", "127.0.0.1", "::1"],
        clientName: String = "dev-admin",
        force: Bool = false,
        now: Date = Date()
    ) throws -> Files {
        guard !directory.isEmpty else { throw DevCertificatesError.invalidDirectory(directory) }
        let names = try serverHosts.map(SANEntry.init(host:))
        guard let firstName = names.first else { throw DevCertificatesError.noServerHosts }
        try validateCommonName(clientName)

        let files = Files(directory: directory)
        if !force, let existing = files.all.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw DevCertificatesError.alreadyExists(existing)
        }

        // Whole seconds: X.509 times carry none, and the files then say exactly what `now` meant.
        let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 - backdating).rounded(.down))
        let caEnd = try addingYears(caValidityYears, to: start)
        let leafEnd = start.addingTimeInterval(TimeInterval(leafValidityDays) * 86_400)

        // The CA.
        let caKey = P256.Signing.PrivateKey()
        let caSigningKey = Certificate.PrivateKey(caKey)
        let caName = try DistinguishedName {
            OrganizationName(organization)
            CommonName(caCommonName)
        }
        let caKeyID = SubjectKeyIdentifier(hash: caSigningKey.publicKey)
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: caSigningKey.publicKey,
            notValidBefore: start,
            notValidAfter: caEnd,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                caKeyID
            },
            issuerPrivateKey: caSigningKey
        )

        // A leaf signed by the CA.
        func leaf(
            subject: DistinguishedName,
            usage: ExtendedKeyUsage.Usage,
            alternativeNames: [GeneralName]
        ) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
            let key = P256.Signing.PrivateKey()
            let publicKey = Certificate.PublicKey(key.publicKey)
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: start,
                notValidAfter: leafEnd,
                issuer: ca.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([usage])
                    if !alternativeNames.isEmpty {
                        SubjectAlternativeNames(alternativeNames)
                    }
                    SubjectKeyIdentifier(hash: publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: caKeyID.keyIdentifier)
                },
                issuerPrivateKey: caSigningKey
            )
            return (certificate, key)
        }

        let server = try leaf(
            subject: try DistinguishedName {
                OrganizationName(organization)
                CommonName(firstName.text)
            },
            usage: .serverAuth,
            alternativeNames: names.map(\.generalName)
        )
        let client = try leaf(
            subject: try DistinguishedName {
                OrganizationName(organization)
                CommonName(clientName)
            },
            usage: .clientAuth,
            alternativeNames: []
        )

        let contents: [(path: String, text: String, mode: mode_t)] = [
            (files.caCertificate, try ca.serializeAsPEM().pemString, 0o644),
            (files.caKey, caKey.pemRepresentation, 0o600),
            (files.serverCertificate, try server.certificate.serializeAsPEM().pemString, 0o644),
            (files.serverKey, server.key.pemRepresentation, 0o600),
            (files.clientCertificate, try client.certificate.serializeAsPEM().pemString, 0o644),
            (files.clientKey, client.key.pemRepresentation, 0o600),
        ]

        try createDirectory(directory)
        for file in contents {
            let text = file.text.hasSuffix("\n") ? file.text : file.text + "\n"
            try writeAtomically(text, to: file.path, mode: file.mode)
        }
        return files
    }

    // MARK: - Names

    /// One server name, parsed.
    struct SANEntry: Equatable {
        /// The text as it goes into the common name (brackets removed, DNS names lower-cased).
        let text: String
        let generalName: GeneralName

        init(host: String) throws {
            var text = host.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
            if let bytes = Self.ipAddressBytes(text) {
                self.text = text
                self.generalName = .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
                return
            }
            let name = text.lowercased()
            guard Self.isDNSName(name) else { throw DevCertificatesError.invalidHost(host) }
            self.text = name
            self.generalName = .dnsName(name)
        }

        /// The network-order bytes of an IPv4 (4) or IPv6 (16) literal, or nil.
        static func ipAddressBytes(_ text: String) -> [UInt8]? {
            var v4 = in_addr()
            if text.withCString({ inet_pton(AF_INET, $0, &v4) }) == 1 {
                return withUnsafeBytes(of: &v4) { Array($0) }
            }
            var v6 = in6_addr()
            if text.withCString({ inet_pton(AF_INET6, $0, &v6) }) == 1 {
                return withUnsafeBytes(of: &v6) { Array($0) }
            }
            return nil
        }

        /// Letters, digits and hyphens in dot-separated labels of 1 to 63 characters, 253 at most in all;
        /// the first label may be `*`; the last is not all digits (that would be a mistyped IP address).
        static func isDNSName(_ name: String) -> Bool {
            guard !name.isEmpty, name.utf8.count <= 253 else { return false }
            let labels = name.split(separator: ".", omittingEmptySubsequences: false)
            if let last = labels.last, last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return false }
            for (index, label) in labels.enumerated() {
                if index == 0, label == "*", labels.count > 1 { continue }
                guard (1...63).contains(label.utf8.count),
                    label.first != "-", label.last != "-",
                    label.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) })
                else { return false }
            }
            return true
        }
    }

    /// A common name is 1 to 64 characters (RFC 5280's `ub-common-name`) with no control characters.
    static func validateCommonName(_ name: String) throws {
        guard (1...64).contains(name.count),
            name.trimmingCharacters(in: .whitespaces) == name,
            !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }),
            // `serve --principal-role NAME=ROLE` and ASANA_ACCESSD_PRINCIPAL_ROLES (comma-separated) must be able to name it.
            !name.contains("="), !name.contains(",")
        else { throw DevCertificatesError.invalidClientName(name) }
    }

    // MARK: - Dates and files

    static func addingYears(_ years: Int, to date: Date) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let end = calendar.date(byAdding: .year, value: years, to: date) else {
            throw DevCertificatesError.io(path: "", reason: "cannot add \(years) years to \(date)")
        }
        return end
    }

    /// Creates `directory` (and missing parents) with mode 0700; an existing directory is left alone.
    static func createDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DevCertificatesError.invalidDirectory(directory) }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // The umask may have narrowed the mode; set it exactly.
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        } catch {
            throw DevCertificatesError.io(path: directory, reason: "\(error)")
        }
    }

    /// Writes `text` to a new file created with `mode` beside `path`, then renames it over `path`.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw DevCertificatesError.io(path: temporary, reason: errnoText()) }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        func fail() -> DevCertificatesError {
            let error = DevCertificatesError.io(path: path, reason: errnoText())
            unlink(temporary)
            return error
        }
        // The mode given to open(2) passes through the umask; set it exactly.
        guard fchmod(descriptor, mode) == 0 else { throw fail() }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw fail()
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else { throw fail() }
        closed = true
        guard close(descriptor) == 0 else { throw fail() }
        guard rename(temporary, path) == 0 else { throw fail() }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Why ``DevCertificates/make(in:serverHosts:clientName:force:now:)`` made no set.
public enum DevCertificatesError: Error, Hashable, CustomStringConvertible {
    /// A file of the set is already there and `force` was not given; the path of the first one found.
    case alreadyExists(String)
    /// The path is empty, or exists and is not a directory.
    case invalidDirectory(String)
    /// A server host is neither an IP literal nor a valid DNS name.
    case invalidHost(String)
    /// The server certificate needs at least one host.
    case noServerHosts
    /// The client name cannot be a common name (1 to 64 characters, no control characters, no edge spaces).
    case invalidClientName(String)
    /// Creating the directory or writing a file failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyExists(let path):
            "\(path) already exists; not replacing the development certificates (use --force to make a new set)"
        case .invalidDirectory(let path):
            "'\(path)' is not a directory that certificates can be written to"
        case .invalidHost(let host):
            "'\(host)' is neither an IP address nor a DNS name"
        case .noServerHosts:
            "the server certificate needs at least one host name or IP address"
        case .invalidClientName(let name):
            "'\(name)' cannot be a client certificate's common name (1 to 64 characters, no control characters, no '=' or ',', which --principal-role NAME=ROLE cannot name)"
        case .io(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}
