import Foundation

/// How an ``AsanaSimulator`` binds and how strict it is.
public struct SimulatorConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host: String
    /// TCP port; 0 = any free port (read the bound one from ``AsanaSimulator/start()``).
    public var port: Int
    /// Per-token budget of requests in any 60-second window. Asana's standard limiter allows 1,500 requests a
    /// minute on paid plans and 150 on free ones (https://developers.asana.com/docs/rate-limits). Rejected requests count too.
    public var requestsPerMinute: Int
    /// Fixed `Retry-After` value in seconds for rate-limited answers; `nil` = the seconds until the sliding
    /// window has room again (at least 1).
    public var retryAfterSeconds: Int?
    /// How long a pagination `offset` token stays valid. Asana's tokens carry `exp = iat + 900`, about
    /// 15 minutes (inferred from the token quoted in https://github.com/Asana/node-asana/issues/303).
    public var offsetLifetime: Duration
    /// How long an OAuth access token from `/-/oauth_token` stays valid; sent as `expires_in` (whole seconds).
    /// Asana: 3600 s (https://developers.asana.com/docs/oauth).
    public var accessTokenLifetime: Duration
    /// How long an authorization code from `/-/oauth_authorize` can be exchanged (chosen: 10 minutes).
    public var authorizationCodeLifetime: Duration
    /// Whether a `refresh_token` grant answers with a new refresh token (the old one then stops working).
    /// Asana's refresh answers seem to carry none (inferred from https://developers.asana.com/docs/oauth; unconfirmed), hence `false`.
    public var rotateRefreshTokens: Bool
    /// Per-token maximum of GET requests in flight; one more → 429 (50: https://developers.asana.com/docs/rate-limits).
    public var maxConcurrentReads: Int
    /// Per-token maximum of POST (write) requests in flight; one more → 429 (15: https://developers.asana.com/docs/rate-limits).
    public var maxConcurrentWrites: Int
    /// `Retry-After` seconds on a concurrency 429; `nil` = no header (https://github.com/Asana/node-asana/issues/210, https://developers.asana.com/docs/rate-limits).
    public var concurrencyRetryAfterSeconds: Int?
    /// A fixed delay added to every API request (below `/api/1.0`, not the OAuth paths), waited out while the request
    /// holds its concurrency slot and before it is served: Asana's own time per call, for measuring a client at a
    /// realistic round trip (e.g. 50 or 200 ms). Default `.zero`. A latency fault adds to it.
    public var latency: Duration
    /// The clock used for rate-limit windows, offset, code and access-token expiry; inject a fake one in tests.
    public var now: @Sendable () -> Date

    /// - Parameters: see the properties; every argument has Asana's default.
    public init(
        host: String = "127.0.0.1", port: Int = 0, requestsPerMinute: Int = 1500, retryAfterSeconds: Int? = nil,
        offsetLifetime: Duration = .seconds(900), accessTokenLifetime: Duration = .seconds(3600),
        authorizationCodeLifetime: Duration = .seconds(600), rotateRefreshTokens: Bool = false,
        maxConcurrentReads: Int = 50, maxConcurrentWrites: Int = 15, concurrencyRetryAfterSeconds: Int? = 1,
        latency: Duration = .zero, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.host = host
        self.port = port
        self.requestsPerMinute = requestsPerMinute
        self.retryAfterSeconds = retryAfterSeconds
        self.offsetLifetime = offsetLifetime
        self.accessTokenLifetime = accessTokenLifetime
        self.authorizationCodeLifetime = authorizationCodeLifetime
        self.rotateRefreshTokens = rotateRefreshTokens
        self.maxConcurrentReads = maxConcurrentReads
        self.maxConcurrentWrites = maxConcurrentWrites
        self.concurrencyRetryAfterSeconds = concurrencyRetryAfterSeconds
        self.latency = latency
        self.now = now
    }
}
