/// A token bucket over lines read from one connection: `rate` lines a second, in bursts of up to
/// `rate`. ``waitForTurn(rate:)`` returns at once while there is a token and otherwise sleeps until
/// one accrues, so the connection is not read meanwhile (TCP pushes back on the sender).
struct LinePacer {
    private var tokens: Double?
    private var refilledAt = ContinuousClock.now

    /// Takes one token, waiting for it if none is left.
    /// - Throws: `CancellationError` when the task is cancelled while it waits.
    mutating func waitForTurn(rate: Int) async throws {
        let rate = Double(max(rate, 1))
        let now = ContinuousClock.now
        let elapsed = now - refilledAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var available = min(rate, (tokens ?? rate) + seconds * rate)
        refilledAt = now
        if available < 1 {
            try await Task.sleep(for: .seconds((1 - available) / rate))
            refilledAt = ContinuousClock.now
            available = 1
        }
        tokens = available - 1
    }
}
