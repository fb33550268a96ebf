/// Limits an ``AsanaGovernor`` keeps for one Asana token (https://developers.asana.com/docs/rate-limits).
///
/// Asana limits each token separately (tokens do not share quotas): a per-minute request budget
/// (Free 150, Paid 1,500 requests per minute) and at most 50 GET plus 15 POST/PUT/PATCH/DELETE requests
/// in flight at once, every excess request answered 429 (https://developers.asana.com/docs/rate-limits; 16 parallel
/// writes hit the cap: https://github.com/Asana/node-asana/issues/210). The concurrency defaults here are well below Asana's caps on purpose: the cost
/// limiter (same page) also charges large reads, another process may use the same token (the caps are
/// per token, not per client), and the `Retry-After` of a concurrency 429 is long or missing (same page,
/// https://github.com/Asana/node-asana/issues/210) — a few fewer parallel requests cost far less than one such pause.
/// Values below 1 count as 1.
public struct AsanaGovernorConfiguration: Sendable, Equatable {
    /// Requests sent per sliding 60-second window, counted when sent (429s and retries included,
    /// as Asana counts rejected requests too, https://developers.asana.com/docs/rate-limits). Default 1,500 (Asana's paid plans);
    /// use 150 for a free workspace.
    public var requestsPerMinute: Int
    /// GET requests in flight at once. Default 16 (Asana allows 50, https://developers.asana.com/docs/rate-limits).
    public var maxConcurrentReads: Int
    /// POST requests in flight at once. Default 8 (Asana allows 15, https://developers.asana.com/docs/rate-limits).
    public var maxConcurrentWrites: Int

    /// The most requests of one token in flight at once, reads and writes together (each at least 1): what an HTTP
    /// connection pool must hold so that no request the governor lets go waits for a connection. Default 24.
    public var maxConcurrentRequests: Int { max(1, maxConcurrentReads) + max(1, maxConcurrentWrites) }

    /// Creates a configuration; every parameter defaults as documented on its property.
    public init(requestsPerMinute: Int = 1500, maxConcurrentReads: Int = 16, maxConcurrentWrites: Int = 8) {
        self.requestsPerMinute = requestsPerMinute
        self.maxConcurrentReads = maxConcurrentReads
        self.maxConcurrentWrites = maxConcurrentWrites
    }
}
