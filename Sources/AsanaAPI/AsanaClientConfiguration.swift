/// Settings of an ``AsanaClient``: where Asana lives, how big pages are, how hard to retry.
///
/// Every value has a default, so `AsanaClientConfiguration()` talks to the real Asana API.
/// Out-of-range values are not rejected here; the client clamps them when it uses them
/// (see each property).
public struct AsanaClientConfiguration: Sendable, Equatable {
    /// Root of the REST API, without a trailing slash; default `"https://app.asana.com/api/1.0"`
    /// (Asana OpenAPI `servers`). Trailing slashes are removed by the client. Point it at the simulator in tests.
    public var baseURL: String

    /// Records per list page, sent as `limit`. Default 100. Asana accepts `limit` 1...100
    /// (Asana OpenAPI parameter `limit`); the client clamps to that range.
    public var pageSize: Int

    /// Total tries of one request (first try + retries) for 429 answers and for 5xx or transport
    /// failures of GET requests. Default 5, as python-asana (Asana/python-asana `asana/configuration.py`). Values below 1 count as 1.
    public var maxAttempts: Int

    /// Base of the capped exponential backoff: retry `n` (1-based) waits a uniformly random time in
    /// `0 ... min(backoffCap, backoffBase × 2^(n-1))` ("full jitter"). Default 500 ms.
    public var backoffBase: Duration

    /// Upper bound of one backoff wait. Default 8 s.
    public var backoffCap: Duration

    /// Longest `Retry-After` the client is willing to sleep. A 429 asking for longer fails at once with
    /// ``AsanaAPIError/rateLimited(retryAfter:)`` so the caller can decide. Default 120 s.
    public var maxRetryAfter: Duration

    /// Timeout of one HTTP request (connect + response), used by ``HTTPClientAsanaTransport``. Default 30 s.
    public var requestTimeout: Duration

    /// Timeout of establishing one connection to Asana (TCP connect plus the TLS handshake), used by
    /// ``HTTPClientAsanaTransport``. Default 5 s (`serve --asana-connect-timeout`). A connection that is not
    /// up within it fails with ``AsanaConnectFailure``; AsyncHTTPClient's own retry of connection
    /// establishment is switched off, so a connect never waits out ``requestTimeout``.
    public var connectTimeout: Duration

    /// Total tries (first try + retries) of a request whose connection could not be established (refused,
    /// connect timeout, TLS handshake timeout), for every method: nothing reached Asana, so even a POST is
    /// safe to send again. Default 3: two quick retries with the ``backoffBase`` backoff (at most 0.5 s, then
    /// 1 s), so a refused connection fails in about 2 s and an unreachable host within
    /// `connectAttempts × connectTimeout` plus 1.5 s. Capped by ``maxAttempts``; values below 1 count as 1.
    public var connectAttempts: Int

    /// Most pages one listing may take before ``AsanaClient`` gives up with
    /// ``AsanaAPIError/malformedResponse(_:)`` naming the listing and this bound. Default 20,000 pages
    /// (2,000,000 records at `limit` 100). Asana documents no user limit for Enterprise plans
    /// (https://help.asana.com/hc/en-us/articles/19507778929179-Limits-based-on-your-Asana-plan), so the bound
    /// comes from its rate limit instead: at 1,500 requests a minute
    /// (https://developers.asana.com/docs/rate-limits) a one-hour sync can read at most 90,000 pages in all,
    /// and no workspace's single listing comes near 20,000 of them. A listing that still returns a new
    /// `next_page.offset` after that is treated as a broken Asana, not as data. Values below 1 count as 1.
    public var maxListPages: Int

    /// Largest response body accepted, in bytes; larger bodies fail with
    /// ``AsanaAPIError/malformedResponse(_:)``. Default 16 MiB. Used by ``HTTPClientAsanaTransport``.
    public var maxResponseBytes: Int

    /// Root of Asana's OAuth endpoints (`/-/oauth_authorize`, `/-/oauth_token`, `/-/oauth_revoke`,
    /// https://developers.asana.com/docs/oauth), or `nil` (the default) to derive it from ``baseURL``: see ``effectiveOAuthBaseURL``.
    public var oauthBaseURL: String?

    /// The production default of ``baseURL``: `https://app.asana.com/api/1.0` (Asana OpenAPI `servers`).
    public static let asanaBaseURL = "https://app.asana.com/api/1.0"

    /// Creates a configuration; every parameter is optional and defaults as documented on its property.
    public init(
        baseURL: String = AsanaClientConfiguration.asanaBaseURL,
        pageSize: Int = 100,
        maxAttempts: Int = 5,
        backoffBase: Duration = .milliseconds(500),
        backoffCap: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(120),
        requestTimeout: Duration = .seconds(30),
        maxResponseBytes: Int = 16 * 1024 * 1024,
        oauthBaseURL: String? = nil,
        connectTimeout: Duration = AsanaClientConfiguration.defaultConnectTimeout,
        connectAttempts: Int = 3,
        maxListPages: Int = AsanaClientConfiguration.defaultMaxListPages
    ) {
        self.baseURL = baseURL
        self.pageSize = pageSize
        self.maxAttempts = maxAttempts
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.maxRetryAfter = maxRetryAfter
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
        self.oauthBaseURL = oauthBaseURL
        self.connectTimeout = connectTimeout
        self.connectAttempts = connectAttempts
        self.maxListPages = maxListPages
    }

    /// The default of ``connectTimeout``: 5 s.
    public static let defaultConnectTimeout: Duration = .seconds(5)

    /// The default of ``maxListPages``: 20,000 pages.
    public static let defaultMaxListPages = 20_000

    /// ``pageSize`` clamped to Asana's accepted `limit` range 1...100 (Asana OpenAPI parameter `limit`).
    public var effectivePageSize: Int { min(max(pageSize, 1), 100) }

    /// ``baseURL`` with trailing slashes removed.
    public var normalizedBaseURL: String {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The OAuth root without a trailing slash: ``oauthBaseURL`` when set, else ``normalizedBaseURL`` with
    /// a trailing `/api/1.0` removed. `https://app.asana.com/api/1.0` gives `https://app.asana.com`
    /// (https://developers.asana.com/docs/oauth); a simulator at `http://127.0.0.1:P/api/1.0` gives `http://127.0.0.1:P`.
    public var effectiveOAuthBaseURL: String {
        if let oauthBaseURL {
            var url = oauthBaseURL
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        let url = normalizedBaseURL
        return url.hasSuffix("/api/1.0") ? String(url.dropLast("/api/1.0".count)) : url
    }
}
