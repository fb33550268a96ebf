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
    private let inFlight = Mutex<[String: Counts]>([:])

    /// - Parameters: limits per token (values below 1 behave as 1).
    init(maxReads: Int, maxWrites: Int) {
        self.maxReads = max(1, maxReads)
        self.maxWrites = max(1, maxWrites)
    }

    /// Takes a slot for `token`; false (and nothing taken) when its limit is reached. Pair each `true` with one
    /// ``release(token:write:)``.
    func acquire(token: String, write: Bool) -> Bool {
        inFlight.withLock { map in
            var counts = map[token, default: Counts()]
            if write {
                guard counts.writes < maxWrites else { return false }
                counts.writes += 1
            } else {
                guard counts.reads < maxReads else { return false }
                counts.reads += 1
            }
            map[token] = counts
            return true
        }
    }

    /// Gives back a slot taken by ``acquire(token:write:)``.
    func release(token: String, write: Bool) {
        inFlight.withLock { map in
            guard var counts = map[token] else { return }
            if write { counts.writes = max(0, counts.writes - 1) } else { counts.reads = max(0, counts.reads - 1) }
            map[token] = counts.reads == 0 && counts.writes == 0 ? nil : counts
        }
    }

    /// Requests of `token` in flight now, `(reads, writes)`.
    func inFlight(token: String) -> (reads: Int, writes: Int) {
        inFlight.withLock { map in map[token].map { ($0.reads, $0.writes) } ?? (0, 0) }
    }
}
