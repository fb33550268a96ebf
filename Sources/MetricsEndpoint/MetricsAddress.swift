/// A `HOST:PORT` for the metrics listener (`serve --metrics-address 127.0.0.1:9464`; `[::1]:9464` for IPv6).
public struct MetricsAddress: Sendable, Equatable {
    public let host: String
    /// 0 picks a free port.
    public let port: Int

    /// - Throws: ``MetricsAddressError`` when `text` is not `HOST:PORT` with a port in 0...65535.
    public init(parsing text: String) throws(MetricsAddressError) {
        guard let colon = text.lastIndex(of: ":") else { throw MetricsAddressError(text: text) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" "), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw MetricsAddressError(text: text)
        }
        self.host = host
        self.port = port
    }
}

/// A `--metrics-address` that is not `HOST:PORT`.
public struct MetricsAddressError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "--metrics-address \(text) is not HOST:PORT with a port from 0 to 65535 (e.g. 127.0.0.1:9464, [::1]:9464)"
    }
}
