import Foundation

/// Named leases shared by every server on one store: what keeps one sync of a workspace and one run of an
/// idempotency key at a time across replicas (and across the calls of one server).
///
/// A lease is a row (name, holder, expiry). ``acquireLease(_:holder:ttl:)`` takes it when it is free or its
/// holder let it expire; the holder keeps it with ``renewLease(_:holder:ttl:)`` (a heartbeat, well within the
/// time to live) and gives it up with ``releaseLease(_:holder:)``. A holder that dies stops renewing, and the
/// lease is free again at most `ttl` later. Expiry is measured on the store's clock: this machine's for SQLite,
/// the database server's for PostgreSQL (so replicas' clocks need not agree).
///
/// Names used by the service: `sync:<workspace gid>`, `idempotency:<key>`, `schedule:<workspace gid>`.
public protocol LeaseStore: Sendable {
    /// Takes `name` for `holder` for `ttl` when nobody holds it or its lease expired.
    /// - Parameter ttl: seconds, 1...3600.
    /// - Returns: true when `holder` now holds it; false when another holder does (or `holder` itself already
    ///   does: a second take by the same holder is refused like any other, so one holder id per call).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty name or holder, or `ttl` out of range.
    func acquireLease(_ name: String, holder: String, ttl: TimeInterval) async throws -> Bool

    /// Extends `holder`'s lease on `name` to `ttl` from now.
    /// - Returns: false when `holder` no longer holds it (it expired and someone else took it, or it was released).
    func renewLease(_ name: String, holder: String, ttl: TimeInterval) async throws -> Bool

    /// Gives `name` up when `holder` holds it; does nothing otherwise.
    func releaseLease(_ name: String, holder: String) async throws

    /// The holders of the unexpired leases whose names start with `prefix`, by name.
    func leaseHolders(prefix: String) async throws -> [String: String]
}

/// The limits ``LeaseStore`` checks.
enum LeaseRules {
    static let ttlRange: ClosedRange<TimeInterval> = 1...3600

    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` naming what is wrong.
    static func check(name: String, holder: String, ttl: TimeInterval) throws {
        guard !name.isEmpty, !holder.isEmpty else { throw AccessStoreError.invalidArgument("a lease needs a name and a holder") }
        guard ttlRange.contains(ttl) else {
            throw AccessStoreError.invalidArgument("a lease's time to live must be 1 to 3600 seconds, got \(ttl)")
        }
    }

    static func millis(_ ttl: TimeInterval) -> Int64 { Int64((ttl * 1000).rounded()) }
}
