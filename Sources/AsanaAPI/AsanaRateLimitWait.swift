/// A request about to wait on Asana's rate limit (https://developers.asana.com/docs/rate-limits), as told to
/// ``observer``: why, and for how long.
public struct AsanaRateLimitWait: Sendable, Equatable {
    /// Why the request waits.
    public enum Reason: String, Sendable, Equatable {
        /// Asana answered 429: the request (and, with a governor, every request of the token) waits the
        /// `Retry-After` seconds, or a backoff when the answer had none.
        case rateLimited
        /// The credential's own per-minute budget (``AsanaGovernorConfiguration/requestsPerMinute``) is spent: the
        /// request waits until the oldest request counted is 60 s old.
        case requestBudget
    }

    /// Why the request waits.
    public var reason: Reason
    /// How long the request will sleep from now.
    public var duration: Duration

    public init(reason: Reason, duration: Duration) {
        self.reason = reason
        self.duration = duration
    }

    /// Who hears, in this task and the tasks it starts, that a request is about to sleep on the rate limit (a sync
    /// tells its caller it is `waiting`). Called before each such sleep, by ``AsanaGovernor/acquire(_:)`` for a
    /// pause or the budget, and by ``AsanaClient`` for a 429 when it has no governor; nil (the default): nobody.
    /// A task-local, because a governor is shared by every caller of one credential and each wants only its own waits.
    @TaskLocal public static var observer: Observer?

    /// The listener ``observer`` holds. A class around the closure, not the closure itself: Swift 6.3's optimizer
    /// miscompiles `withValue` for a task-local of optional function type (release builds crashed in
    /// `swift_task_localValuePush` on every sync; a ten-line program reproduces it), and a class reference is safe.
    public final class Observer: Sendable {
        /// Told each wait before the request sleeps.
        public let tell: @Sendable (AsanaRateLimitWait) async -> Void

        public init(_ tell: @escaping @Sendable (AsanaRateLimitWait) async -> Void) {
            self.tell = tell
        }
    }
}
