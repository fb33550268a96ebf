import Foundation

/// How an ``AsanaSimulator`` binds and how strict it is.
public struct SimulatorConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host: String
    /// TCP port; 0 = any free port (read the bound one from ``AsanaSimulator/start()``).
    public var port: Int
    /// Per-token budget of requests in any 60-second window. Asana's standard limiter allows 1,500 requests a
    /// minute on paid plans and 150 on free ones (asana-api.md §8). Rejected requests count too.
    public var requestsPerMinute: Int
    /// Fixed `Retry-After` value in seconds for rate-limited answers; `nil` = the seconds until the sliding
    /// window has room again (at least 1).
    public var retryAfterSeconds: Int?
    /// How long a pagination `offset` token stays valid. Asana's tokens carry `exp = iat + 900`, about
    /// 15 minutes (asana-api.md §3, [inferred]).
    public var offsetLifetime: Duration
    /// The clock used for rate-limit windows and offset expiry; inject a fake one in tests.
    public var now: @Sendable () -> Date

    /// - Parameters: see the properties; every argument has Asana's default.
    public init(
        host: String = "127.0.0.1", port: Int = 0, requestsPerMinute: Int = 1500, retryAfterSeconds: Int? = nil,
        offsetLifetime: Duration = .seconds(900), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.host = host
        self.port = port
        self.requestsPerMinute = requestsPerMinute
        self.retryAfterSeconds = retryAfterSeconds
        self.offsetLifetime = offsetLifetime
        self.now = now
    }
}
