#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import X509

/// What `asana-accessd certs show FILE` prints about a certificate: subject, issuer, serial, SANs, whether it
/// is a CA, key usage and extended key usage, validity and days left at `now`.
public struct CertificateSummary: Sendable {
    /// `Subject`, `Issuer`, … with their values, in the order they are printed.
    public let fields: [(name: String, value: String)]
    /// Days from `now` to `notValidAfter`, rounded down; negative once expired.
    public let daysLeft: Int
    /// Whether `now` is past `notValidAfter`.
    public let isExpired: Bool
    /// Whether `now` is before `notValidBefore`.
    public let isNotYetValid: Bool

    /// Describes `certificate` as seen at `now`.
    public init(_ certificate: Certificate, now: Date = Date()) {
        let formatter = ISO8601DateFormatter()
        let extensions = certificate.extensions
        func orNone(_ values: [String]) -> String { values.isEmpty ? "(none)" : values.joined(separator: ", ") }
        let names = ((try? extensions.subjectAlternativeNames).flatMap { $0 }.map { Array($0) } ?? []).map { name -> String in
            switch name {
            case .dnsName(let dns): return "DNS:\(dns)"
            case .ipAddress(let bytes): return "IP:\(Self.ipText(Array(bytes.bytes)))"
            default: return "\(name)"
            }
        }
        let constraints: String
        switch try? extensions.basicConstraints {
        case .isCertificateAuthority(let maxPathLength)?:
            constraints = "CA:TRUE" + (maxPathLength.map { ", pathlen:\($0)" } ?? "")
        case .notCertificateAuthority?:
            constraints = "CA:FALSE"
        case nil:
            constraints = "(none)"
        }
        let usage = (try? extensions.keyUsage).map { "\($0)" } ?? "(none)"
        let extended = orNone(((try? extensions.extendedKeyUsage).flatMap { $0 }.map { Array($0) } ?? []).map { "\($0)" })
        daysLeft = Int((certificate.notValidAfter.timeIntervalSince(now) / 86_400).rounded(.down))
        isExpired = now > certificate.notValidAfter
        isNotYetValid = now < certificate.notValidBefore
        let state = isExpired ? " (EXPIRED)" : isNotYetValid ? " (NOT YET VALID)" : ""
        fields = [
            ("Subject", "\(certificate.subject)"),
            ("Issuer", "\(certificate.issuer)"),
            ("Serial", "\(certificate.serialNumber)"),
            ("SANs", orNone(names)),
            ("Basic constraints", constraints),
            ("Key usage", usage),
            ("Extended key usage", extended),
            ("Not before", formatter.string(from: certificate.notValidBefore)),
            ("Not after", formatter.string(from: certificate.notValidAfter) + state),
            ("Days left", "\(daysLeft)"),
        ]
    }

    /// The fields as aligned `Name: value` lines.
    public var text: String {
        let width = fields.map(\.name.count).max() ?? 0
        return fields.map { $0.name + ":" + String(repeating: " ", count: width - $0.name.count + 1) + $0.value }.joined(separator: "\n")
    }

    static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(cString: buffer)
    }
}
