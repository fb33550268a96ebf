import Hummingbird
import Synchronization

/// A failure the simulator answers instead of serving a request, for testing a client's error handling.
///
/// Build with ``status(_:retryAfter:times:pathPrefix:method:)``:
/// `.status(500, times: 2, pathPrefix: "/users")` answers the next two matching requests with 500 (body with a
/// `phrase`); `.status(429, retryAfter: 1, times: 1, pathPrefix: "/")` answers one with 429 and
/// `Retry-After: 1` (no header when `retryAfter` is nil); or with
/// ``latency(_:times:pathPrefix:method:)`` (a delay, then normal service) and
/// ``connectionReset(times:pathPrefix:method:)`` (the connection is closed without any HTTP answer), or
/// ``endlessPages(times:pathPrefix:method:)`` (list pages whose `next_page.offset` never ends).
/// Faults are checked before authentication and rate limiting and do not use up the token's budget.
public struct SimulatedFault: Sendable, Equatable {
    /// What a fault does.
    public enum Kind: Sendable, Equatable {
        /// Answers ``SimulatedFault/status`` instead of serving.
        case status
        /// Waits this long, then serves the request normally. The wait starts once the request holds a concurrency
        /// slot (so it keeps the slot; a request refused earlier with 401 or 429 is answered at once).
        case latency(Duration)
        /// Closes the TCP connection without sending any HTTP answer: the client sees a transport error
        /// (AsyncHTTPClient: `HTTPClientError.remoteConnectionClosed`), not a status.
        case connectionReset
        /// Answers a list request `200` with `{"data": [], "next_page": {offset, path, uri}}` whose `offset` is new
        /// every time (never repeated), so a client that follows `next_page` never reaches the end: an Asana
        /// whose pagination is broken. Not authenticated, like every fault.
        case endlessPages
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

    /// A fault closing the connection of the next `times` matching requests without an answer.
    public static func connectionReset(times: Int = 1, pathPrefix: String = "/", method: String? = nil) -> SimulatedFault {
        SimulatedFault(kind: .connectionReset, status: 0, retryAfter: nil, times: times, pathPrefix: pathPrefix, method: method)
    }

    /// A fault answering the next `times` matching GETs (default: all of them) with an empty page that always has a
    /// new `next_page.offset` (``Kind/endlessPages``), e.g. `.endlessPages(pathPrefix: "/users")`.
    public static func endlessPages(times: Int = .max, pathPrefix: String = "/", method: String? = "GET") -> SimulatedFault {
        SimulatedFault(kind: .endlessPages, status: 0, retryAfter: nil, times: times, pathPrefix: pathPrefix, method: method)
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

/// One kind of random fault: an HTTP status (429, 500, 502, 503, 504) or a closed connection.
/// Integer literals are statuses: `[429, 500, .connectionReset]`.
public enum RandomFaultKind: Sendable, Equatable, ExpressibleByIntegerLiteral {
    case status(Int)
    case connectionReset

    public init(integerLiteral value: Int) { self = .status(value) }
}

/// Random faults for chaos testing (``AsanaSimulator/injectRandomFaults(_:)``): each matching request fails with
/// `probability`, the kind picked uniformly from `kinds`. A seeded SplitMix64 generator makes the sequence of
/// outcomes a pure function of `seed` and the order of matching requests. 429s carry `Retry-After: 0` or `1`
/// (drawn too); other statuses carry none.
public struct RandomFaultPlan: Sendable, Equatable {
    /// Chance in 0…1 that a matching request fails.
    public var probability: Double
    /// What a failure is; empty = never fails.
    public var kinds: [RandomFaultKind]
    /// The generator's seed.
    public var seed: UInt64
    /// Matches paths (relative to `/api/1.0`; `/-/…` for OAuth) starting with this.
    public var pathPrefix: String
    /// Matches only this method when not nil; `"GET"` by default, so writes are not failed unless asked for.
    public var method: String?

    public init(
        probability: Double, kinds: [RandomFaultKind] = [429, 500, 502, 503, 504, .connectionReset], seed: UInt64,
        pathPrefix: String = "/", method: String? = "GET"
    ) {
        self.probability = probability
        self.kinds = kinds
        self.seed = seed
        self.pathPrefix = pathPrefix
        self.method = method
    }
}

/// The pending faults and the random plan. Queued faults come first (first match wins, each use decrements `times`);
/// then the random plan draws. Counts every status or connection-reset fault it hands out.
final class FaultQueue: Sendable {
    private struct Random: Sendable {
        var plan: RandomFaultPlan
        var generator: SplitMix64
    }

    private struct State: Sendable {
        var queue: [SimulatedFault] = []
        var random: Random?
        var applied = 0
    }

    private let state = Mutex(State())

    /// Appends faults after those already pending.
    func add(_ new: [SimulatedFault]) {
        state.withLock { $0.queue.append(contentsOf: new.filter { $0.times > 0 }) }
    }

    /// Replaces the random plan (its generator restarts from the plan's seed).
    func setRandomPlan(_ plan: RandomFaultPlan) {
        state.withLock { $0.random = Random(plan: plan, generator: SplitMix64(seed: plan.seed)) }
    }

    /// Drops every pending fault and the random plan (the applied count stays).
    func clear() {
        state.withLock {
            $0.queue.removeAll()
            $0.random = nil
        }
    }

    /// How many status and connection-reset faults were handed out (latency faults not counted).
    var appliedCount: Int { state.withLock { $0.applied } }

    /// Takes one use of the first queued fault matching `method` and `path`, else draws from the random plan.
    func take(method: String, path: String) -> SimulatedFault? {
        state.withLock { state in
            var fault: SimulatedFault?
            if let index = state.queue.firstIndex(where: { ($0.method == nil || $0.method == method) && path.hasPrefix($0.pathPrefix) }) {
                fault = state.queue[index]
                state.queue[index].times -= 1
                if state.queue[index].times <= 0 { state.queue.remove(at: index) }
            } else if var random = state.random, random.plan.method == nil || random.plan.method == method,
                path.hasPrefix(random.plan.pathPrefix)
            {
                let draw = Double(random.generator.next() >> 11) * 0x1p-53
                if draw < random.plan.probability, !random.plan.kinds.isEmpty {
                    switch random.plan.kinds[Int(random.generator.next() % UInt64(random.plan.kinds.count))] {
                    case .status(let code):
                        let retryAfter = code == 429 ? Int(random.generator.next() % 2) : nil
                        fault = .status(code, retryAfter: retryAfter, pathPrefix: path, method: method)
                    case .connectionReset:
                        fault = .connectionReset(pathPrefix: path, method: method)
                    }
                }
                state.random = random
            }
            if let fault {
                if case .latency = fault.kind {} else { state.applied += 1 }
            }
            return fault
        }
    }
}
