import Hummingbird
import Synchronization

/// A failure the simulator answers instead of serving a request, for testing a client's error handling.
///
/// Build with ``status(_:retryAfter:times:pathPrefix:method:)``:
/// `.status(500, times: 2, pathPrefix: "/users")` answers the next two matching requests with 500 (body with a
/// `phrase`); `.status(429, retryAfter: 1, times: 1, pathPrefix: "/")` answers one with 429 and
/// `Retry-After: 1` (no header when `retryAfter` is nil); or with
/// ``latency(_:times:pathPrefix:method:)`` (a delay, then normal service).
/// Faults are checked before authentication and rate limiting and do not use up the token's budget.
public struct SimulatedFault: Sendable, Equatable {
    /// What a fault does.
    public enum Kind: Sendable, Equatable {
        /// Answers ``SimulatedFault/status`` instead of serving.
        case status
        /// Waits this long, then serves the request normally. The wait starts once the request holds a concurrency
        /// slot (so it keeps the slot; a request refused earlier with 401 or 429 is answered at once).
        case latency(Duration)
    }

    /// What this fault does; ``Kind/status`` for faults built with ``status(_:retryAfter:times:pathPrefix:method:)``.
    public var kind: Kind = .status
    /// HTTP status to answer (4xx or 5xx); 0 for faults that answer no status.
    public var status: Int
    /// `Retry-After` header value in seconds, sent when not nil.
    public var retryAfter: Int?
    /// How many matching requests still get this fault.
    public var times: Int
    /// Matches paths (relative to `/api/1.0`, without the query) that start with this, e.g. `"/users"`.
    public var pathPrefix: String
    /// Matches only this method (`"GET"`, `"POST"`) when not nil.
    public var method: String?

    /// A fault answering `status` to the next `times` requests whose path starts with `pathPrefix`.
    public static func status(
        _ status: Int, retryAfter: Int? = nil, times: Int = 1, pathPrefix: String = "/", method: String? = nil
    ) -> SimulatedFault {
        SimulatedFault(status: status, retryAfter: retryAfter, times: times, pathPrefix: pathPrefix, method: method)
    }

    /// A fault delaying the next `times` matching requests by `duration`, then serving them normally.
    public static func latency(
        _ duration: Duration, times: Int = 1, pathPrefix: String = "/", method: String? = nil
    ) -> SimulatedFault {
        SimulatedFault(kind: .latency(duration), status: 0, retryAfter: nil, times: times, pathPrefix: pathPrefix, method: method)
    }

    /// The error answer for this fault. `serial` numbers 500 phrases.
    func errorBody(serial: UInt64) -> AsanaErrorBody {
        let status = HTTPResponse.Status(code: status)
        switch status.code {
        case 429: return AsanaErrorBody(status, AsanaErrorBody.rateLimitMessage, retryAfter: retryAfter)
        case 500: return AsanaErrorBody(status, "Server Error", phrase: ErrorPhrase.make(serial), retryAfter: retryAfter)
        case 502: return AsanaErrorBody(status, "Bad Gateway", retryAfter: retryAfter)
        case 503: return AsanaErrorBody(status, "Service Unavailable", retryAfter: retryAfter)
        case 504: return AsanaErrorBody(status, "Gateway Timeout", retryAfter: retryAfter)
        default: return AsanaErrorBody(status, status.reasonPhrase.isEmpty ? "Error \(status.code)" : status.reasonPhrase, retryAfter: retryAfter)
        }
    }
}

/// The queue of pending faults; first match wins, each use decrements `times`.
final class FaultQueue: Sendable {
    private let faults = Mutex<[SimulatedFault]>([])

    /// Appends faults after those already pending.
    func add(_ new: [SimulatedFault]) {
        faults.withLock { $0.append(contentsOf: new.filter { $0.times > 0 }) }
    }

    /// Drops every pending fault.
    func clear() { faults.withLock { $0.removeAll() } }

    /// Takes one use of the first fault matching `method` and `path`, if any.
    func take(method: String, path: String) -> SimulatedFault? {
        faults.withLock { list in
            guard let index = list.firstIndex(where: { ($0.method == nil || $0.method == method) && path.hasPrefix($0.pathPrefix) })
            else { return nil }
            let fault = list[index]
            list[index].times -= 1
            if list[index].times <= 0 { list.remove(at: index) }
            return fault
        }
    }
}
