/// A token bucket over lines read from one connection: `rate` lines a second, in bursts of up to
/// `rate`. While no token is left the connection's next line waits, and the connection is not read
/// meanwhile (TCP pushes back on the sender).
struct LinePacer {
    private var tokens: Double?
    private var refilledAt = ContinuousClock.now

    /// Takes a token and returns `nil` when one is left at `now`; otherwise takes none and returns
    /// how long until one has accrued.
    mutating func takeToken(rate: Int, now: ContinuousClock.Instant = .now) -> Duration? {
        let rate = Double(max(rate, 1))
        let elapsed = now - refilledAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let available = min(rate, (tokens ?? rate) + seconds * rate)
        refilledAt = now
        tokens = available
        guard available >= 1 else { return .seconds((1 - available) / rate) }
        tokens = available - 1
        return nil
    }
}
