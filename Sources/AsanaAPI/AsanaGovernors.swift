import Synchronization

/// The ``AsanaGovernor`` of every Asana credential, made on first use with one shared configuration.
///
/// Asana's limits are per token (https://developers.asana.com/docs/rate-limits), so every ``AsanaClient`` using the same token must
/// share one governor: ask this registry with the credential's identity as key (chosen by the caller,
/// e.g. `"1000/sync"` for workspace 1000's sync credential). Different keys never wait for each other.
/// Safe to share between tasks.
public final class AsanaGovernors: Sendable {
    /// The configuration of every governor made here.
    public let configuration: AsanaGovernorConfiguration

    private let now: @Sendable () -> ContinuousClock.Instant
    private let sleep: @Sendable (Duration) async throws -> Void
    private let governors = Mutex<[String: AsanaGovernor]>([:])

    /// Creates an empty registry.
    ///
    /// - Parameters:
    ///   - configuration: the limits of every governor (one per key).
    ///   - now: the clock of the governors; tests inject a fake one.
    ///   - sleep: how the governors wait (budget and `Retry-After` pauses); tests inject a fake one.
    public init(
        configuration: AsanaGovernorConfiguration = .init(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.now = now
        self.sleep = sleep
    }

    /// The governor of credential `key`, created on first use; the same instance for the same key.
    public func governor(for key: String) -> AsanaGovernor {
        governors.withLock { governors in
            if let existing = governors[key] { return existing }
            let made = AsanaGovernor(configuration: configuration, now: now, sleep: sleep)
            governors[key] = made
            return made
        }
    }

    /// The keys that have a governor, sorted.
    public var keys: [String] { governors.withLock { $0.keys.sorted() } }
}
