import Synchronization

/// The simulator's mutable world behind one lock: the seed's objects (indexed), the request log and the
/// base URL. Route handlers run their whole read or write inside one ``read(_:)``/``write(_:)`` call, so every
/// answer sees one consistent state.
final class SimulatorState: Sendable {
    private let storage: Mutex<Storage>

    /// Indexes `seed`; later duplicates of a gid, email or token replace earlier ones (run
    /// ``SimulatorSeed/validate()`` first to reject such seeds).
    init(seed: SimulatorSeed) {
        storage = Mutex(Storage(seed: seed))
    }

    /// Runs `body` with read access to the storage.
    func read<R: Sendable, E: Error>(_ body: (Storage) throws(E) -> R) throws(E) -> R {
        try storage.withLock { storage throws(E) -> R in try body(storage) }
    }

    /// Runs `body` with write access to the storage.
    func write<R: Sendable, E: Error>(_ body: (inout Storage) throws(E) -> R) throws(E) -> R {
        try storage.withLock { storage throws(E) -> R in try body(&storage) }
    }

    /// Appends one line to the request log.
    func log(_ line: String) { storage.withLock { $0.requestLog.append(line) } }

    /// Appends the line of an API request (below `/api/1.0`) to the request log and counts it.
    func logAPIRequest(_ line: String) {
        storage.withLock { storage in
            storage.requestLog.append(line)
            storage.apiRequestCount += 1
        }
    }

    /// The user gid a bearer token acts as, or nil for an unknown token.
    func userGid(forToken token: String) -> String? { storage.withLock { $0.tokens[token] } }

    /// The seeded token's user and granular scopes (`nil` scopes = full permission), or nil for an unknown token.
    func seededToken(_ token: String) -> (user: String, scopes: [String]?)? {
        storage.withLock { storage in storage.tokens[token].map { ($0, storage.tokenScopes[token]) } }
    }

    /// A fresh serial number for a 500 `phrase`.
    func nextErrorSerial() -> UInt64 {
        storage.withLock { storage in
            storage.errorSerial += 1
            return storage.errorSerial
        }
    }
}
