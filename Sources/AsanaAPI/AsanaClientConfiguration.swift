/// Settings of an ``AsanaClient``: where Asana lives, how big pages are, how hard to retry.
///
/// Every value has a default, so `AsanaClientConfiguration()` talks to the real Asana API.
/// Out-of-range values are not rejected here; the client clamps them when it uses them
/// (see each property).
public struct AsanaClientConfiguration: Sendable, Equatable {
    /// Root of the REST API, without a trailing slash; default `"https://app.asana.com/api/1.0"`
    /// (asana-api.md §1). Trailing slashes are removed by the client. Point it at the simulator in tests.
    public var baseURL: String

    /// Records per list page, sent as `limit`. Default 100. Asana accepts `limit` 1...100
    /// (asana-api.md §3); the client clamps to that range.
    public var pageSize: Int

    /// Total tries of one request (first try + retries) for 429 answers and for 5xx or transport
    /// failures of GET requests. Default 5, as python-asana (asana-api.md §8). Values below 1 count as 1.
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

    /// Largest response body accepted, in bytes; larger bodies fail with
    /// ``AsanaAPIError/malformedResponse(_:)``. Default 16 MiB. Used by ``HTTPClientAsanaTransport``.
    public var maxResponseBytes: Int

    /// Root of Asana's OAuth endpoints (`/-/oauth_authorize`, `/-/oauth_token`, `/-/oauth_revoke`,
    /// asana-api.md §4.2), or `nil` (the default) to derive it from ``baseURL``: see ``effectiveOAuthBaseURL``.
    public var oauthBaseURL: String?

    /// The production default of ``baseURL``: `https://app.asana.com/api/1.0` (asana-api.md §1).
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
        oauthBaseURL: String? = nil
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
    }

    /// ``pageSize`` clamped to Asana's accepted `limit` range 1...100 (asana-api.md §3).
    public var effectivePageSize: Int { min(max(pageSize, 1), 100) }

    /// ``baseURL`` with trailing slashes removed.
    public var normalizedBaseURL: String {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The OAuth root without a trailing slash: ``oauthBaseURL`` when set, else ``normalizedBaseURL`` with
    /// a trailing `/api/1.0` removed. `https://app.asana.com/api/1.0` gives `https://app.asana.com`
    /// (asana-api.md §4.2); a simulator at `http://127.0.0.1:P/api/1.0` gives `http://127.0.0.1:P`.
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
