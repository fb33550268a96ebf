import Foundation
import Synchronization

/// Asana's standard per-token, per-minute limiter (https://developers.asana.com/docs/rate-limits): a sliding 60-second window per token,
/// "evaluated more often than once a minute" so `Retry-After` can be under 60. Rejected requests are recorded
/// too, as Asana counts them, so a client that ignores `Retry-After` stays limited for longer.
final class RateLimiter: Sendable {
    /// The answer for one request.
    enum Decision: Equatable, Sendable {
        case allowed
        /// Rejected; retry after this many whole seconds (at least 1).
        case limited(retryAfter: Int)
    }

    private let limit: Int
    private let fixedRetryAfter: Int?
    private let windows = Mutex<[String: [Date]]>([:])

    /// - Parameters:
    ///   - requestsPerMinute: budget per token per 60 s window (values below 1 behave as 1).
    ///   - retryAfterSeconds: fixed `Retry-After`, or nil to compute it from the window.
    init(requestsPerMinute: Int, retryAfterSeconds: Int?) {
        limit = max(1, requestsPerMinute)
        fixedRetryAfter = retryAfterSeconds
    }

    /// Records a request by `token` at `now` and says whether it may proceed.
    func admit(token: String, now: Date) -> Decision {
        windows.withLock { windows in
            var stamps = windows[token, default: []]
            let windowStart = now.addingTimeInterval(-60)
            stamps.removeAll { $0 <= windowStart }
            let allowed = stamps.count < limit
            stamps.append(now)
            windows[token] = stamps
            if allowed { return .allowed }
            if let fixedRetryAfter { return .limited(retryAfter: max(0, fixedRetryAfter)) }
            // The window has room again once all but (limit - 1) of the recorded calls have aged out.
            let freeingStamp = stamps[stamps.count - limit]
            let seconds = freeingStamp.addingTimeInterval(60).timeIntervalSince(now)
            return .limited(retryAfter: max(1, Int(seconds.rounded(.up))))
        }
    }
}
