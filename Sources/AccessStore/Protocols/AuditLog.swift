import AccessProtocol
import Foundation

/// The append-only audit log: who called which method, with what, and how it ended. Each event is
/// chained to the one before it by a MAC under a key derived from the master key, so altered,
/// reordered or deleted events are found by ``verifyAuditChain(expectedHead:)``.
public protocol AuditLog: Sendable {
    /// Appends an event (the log is append-only) and chains it: in one transaction that holds the
    /// write lock from its start, it reads the head's hash, stores the event with that as `prevHash`,
    /// MACs the event as stored and moves the head to it, so concurrent appends, from this process or
    /// another, chain in turn.
    /// - Returns: its id (increasing, one more than the event before it).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when `params` or `result` is not JSON text,
    ///   or `method` / `outcome` is empty; ``AccessStoreError/storageFull(path:)`` when the disk is full (nothing appended).
    @discardableResult
    func appendAuditEvent(_ event: AuditEventDraft) async throws -> Int64

    /// One page of events, newest first, filtered by ``AuditQuery``.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` unless `limit` is in 1...1000 and the text
    ///   filters are non-empty; ``AccessStoreError/invalidCursor`` for a cursor this store did not issue.
    func auditEvents(query: AuditQuery) async throws -> AuditPage

    /// Calls `body` with every event at or after `since` (all when nil), oldest first, read in one
    /// transaction (a consistent snapshot) without holding them all in memory. An error thrown by
    /// `body` ends the read and is rethrown.
    func forEachAuditEvent(since: Date?, _ body: @escaping @Sendable (AuditEvent) throws -> Void) async throws

    /// Reads every audit event oldest first and checks the keyed chain and the head, in one read
    /// transaction (a consistent snapshot; appends may go on meanwhile).
    ///
    /// Checks, per event: the id follows the previous one (else ``AuditChainProblem/gap(afterId:nextId:)``
    /// when the link is broken too), `prevHash` is the previous event's hash (the first's: 32 zero bytes),
    /// and the stored `hash` is the MAC of its fields under this store's audit key (derived from the master key).
    /// Then that the head names the last event and its hash; then, with `expectedHead`, that the chain
    /// reaches event `expectedHead.seq` and that event's MAC is `expectedHead.mac`
    /// (``AuditChainProblem/anchorBeyondChain(anchorId:chainLastId:)``, ``AuditChainProblem/anchorMismatch(id:)``).
    /// Stops at the first problem.
    /// - Returns: what was checked and the first problem, if any (a damaged log is reported, not thrown).
    /// - Throws: storage errors when the log is too damaged to read.
    func verifyAuditChain(expectedHead: AuditAnchor?) async throws -> AuditChainReport
}

extension AuditLog {
    /// The latest events, newest first; with `beforeId`, those older than that id (to page back).
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` unless `limit` is in 1...1000.
    public func auditEvents(limit: Int, beforeId: Int64? = nil) async throws -> [AuditEvent] {
        let cursor = beforeId.map { AuditCursor(before: $0).encoded() }
        return try await auditEvents(query: AuditQuery(limit: limit, cursor: cursor)).events
    }

    /// ``forEachAuditEvent(since:_:)`` over the whole log.
    public func forEachAuditEvent(_ body: @escaping @Sendable (AuditEvent) throws -> Void) async throws {
        try await forEachAuditEvent(since: nil, body)
    }

    /// ``verifyAuditChain(expectedHead:)`` without a head recorded outside the database.
    public func verifyAuditChain() async throws -> AuditChainReport {
        try await verifyAuditChain(expectedHead: nil)
    }

    /// The head to record outside the database: the last event's id and MAC, after checking the whole chain.
    /// - Returns: the anchor, and the verification (check ``AuditChainReport/isIntact`` before trusting the anchor).
    /// - Throws: as ``verifyAuditChain(expectedHead:)``.
    public func auditChainHead() async throws -> (anchor: AuditAnchor, report: AuditChainReport) {
        let report = try await verifyAuditChain()
        return (AuditAnchor(seq: report.lastId ?? 0, mac: report.lastHash ?? AuditChain.zeroHash), report)
    }
}
