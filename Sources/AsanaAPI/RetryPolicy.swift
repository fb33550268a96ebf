/// When and how long ``AsanaClient`` waits before retrying (https://developers.asana.com/docs/rate-limits).
///
/// - 429: sleep the `Retry-After` header (seconds, integer or decimal) and retry, GET and POST alike
///   (a 429 means Asana did not process the request); without a usable header, back off.
/// - 5xx or transport failure on GET: back off and retry. On POST: never retried.
/// - Backoff: retry `n` (1-based) waits a uniformly random time in `0 ... min(cap, base × 2^(n-1))`
///   ("full jitter"), so many clients do not retry in step.
public struct RetryPolicy: Sendable, Equatable {
    /// Total tries including the first, at least 1.
    public var maxAttempts: Int
    /// Backoff ceiling of the first retry.
    public var backoffBase: Duration
    /// Largest backoff ceiling.
    public var backoffCap: Duration
    /// Longest `Retry-After` that is honoured by sleeping; longer fails fast.
    public var maxRetryAfter: Duration

    /// Creates a policy; `maxAttempts` below 1 counts as 1, negative durations as zero.
    public init(maxAttempts: Int, backoffBase: Duration, backoffCap: Duration, maxRetryAfter: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoffBase = max(.zero, backoffBase)
        self.backoffCap = max(.zero, backoffCap)
        self.maxRetryAfter = max(.zero, maxRetryAfter)
    }

    /// The policy described by a client configuration.
    public init(configuration: AsanaClientConfiguration) {
        self.init(
            maxAttempts: configuration.maxAttempts,
            backoffBase: configuration.backoffBase,
            backoffCap: configuration.backoffCap,
            maxRetryAfter: configuration.maxRetryAfter)
    }

    /// Upper bound of the wait before retry number `retry` (1-based): `min(cap, base × 2^(retry-1))`.
    public func backoffCeiling(retry: Int) -> Duration {
        var ceiling = min(backoffBase, backoffCap)
        if ceiling == .zero { return .zero }
        var step = 1
        while step < retry {
            // Doubling past half the cap reaches the cap; checking first also avoids overflow.
            if ceiling >= backoffCap / 2 { return backoffCap }
            ceiling = ceiling * 2
            step += 1
        }
        return ceiling
    }

    /// A random wait in `0 ... backoffCeiling(retry:)`, with nanosecond resolution.
    public func backoff(retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = nanoseconds(backoffCeiling(retry: retry))
        guard ceiling > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...ceiling, using: &generator))
    }

    /// A random wait in `0 ... backoffCeiling(retry:)` drawn from `SystemRandomNumberGenerator`.
    public func backoff(retry: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return backoff(retry: retry, using: &generator)
    }

    /// Parses a `Retry-After` header value given in seconds, integer (`"7"`) or decimal (`"1.5"`),
    /// surrounding spaces allowed. Returns `nil` for a missing, negative, non-finite or non-numeric
    /// value (including the HTTP-date form, which Asana does not send: https://developers.asana.com/docs/rate-limits), so the
    /// caller falls back to backoff. Values above 10^9 s are clamped to 10^9 s (they exceed any
    /// sensible `maxRetryAfter` anyway).
    public static func parseRetryAfter(_ value: String?) -> Duration? {
        guard let value else { return nil }
        let trimmed = value.trimmingASCIISpaces()
        guard !trimmed.isEmpty, let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else {
            return nil
        }
        let clamped = min(seconds, 1e9)
        return .milliseconds(Int64((clamped * 1000).rounded(.up)))
    }
}

/// `duration` in whole nanoseconds, saturating at `Int64.max`, zero for negatives.
func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0 else { return 0 }
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow { return .max }
    let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
    return overflow2 ? .max : total
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIISpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
