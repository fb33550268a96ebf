import Synchronization

/// Asana's concurrent-request limiter (https://developers.asana.com/docs/rate-limits): per token, at most `maxReads` GETs and `maxWrites`
/// writes (POST/PUT/PATCH/DELETE) in flight, counted independently. A request over the limit is refused at once
/// (429) and does not hold a slot.
final class ConcurrencyLimiter: Sendable {
    private struct Counts: Sendable {
        var reads = 0
        var writes = 0
    }

    private let maxReads: Int
    private let maxWrites: Int
    private let inFlight = Mutex<(tokens: [String: Counts], peakReads: Int)>(([:], 0))

    /// - Parameters: limits per token (values below 1 behave as 1).
    init(maxReads: Int, maxWrites: Int) {
        self.maxReads = max(1, maxReads)
        self.maxWrites = max(1, maxWrites)
    }

    /// Takes a slot for `token`; false (and nothing taken) when its limit is reached. Pair each `true` with one
    /// ``release(token:write:)``.
    func acquire(token: String, write: Bool) -> Bool {
        inFlight.withLock { state in
            var counts = state.tokens[token, default: Counts()]
            if write {
                guard counts.writes < maxWrites else { return false }
                counts.writes += 1
            } else {
                guard counts.reads < maxReads else { return false }
                counts.reads += 1
                state.peakReads = max(state.peakReads, counts.reads)
            }
            state.tokens[token] = counts
            return true
        }
    }

    /// Gives back a slot taken by ``acquire(token:write:)``.
    func release(token: String, write: Bool) {
        inFlight.withLock { state in
            guard var counts = state.tokens[token] else { return }
            if write { counts.writes = max(0, counts.writes - 1) } else { counts.reads = max(0, counts.reads - 1) }
            state.tokens[token] = counts.reads == 0 && counts.writes == 0 ? nil : counts
        }
    }

    /// Requests of `token` in flight now, `(reads, writes)`.
    func inFlight(token: String) -> (reads: Int, writes: Int) {
        inFlight.withLock { state in state.tokens[token].map { ($0.reads, $0.writes) } ?? (0, 0) }
    }

    /// The most GETs one token had in flight at once since the start or the last ``resetPeak()``.
    var peakReads: Int { inFlight.withLock { $0.peakReads } }

    /// Starts ``peakReads`` again from the GETs in flight now.
    func resetPeak() {
        inFlight.withLock { state in state.peakReads = state.tokens.values.map(\.reads).max() ?? 0 }
    }
}
