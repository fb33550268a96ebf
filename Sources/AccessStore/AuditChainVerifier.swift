import AccessProtocol
import Foundation

extension AuditChain {
    /// An audit row as the chain reads it: the text columns as their stored bytes, the hashes as stored.
    /// Engine-free: each store builds these from its own rows (SQLite in `AuditChain.swift`, PostgreSQL in
    /// `PostgresAccessStore+Audit.swift`).
    struct StoredRow {
        var id: Int64
        /// `nil` when the `at` column does not hold an integer.
        var atMillis: Int64?
        var principal: Data
        var method: Data
        var params: Data
        var result: Data
        var outcome: Data
        /// nil when the column is NULL (or, in SQLite, not a blob or text).
        var prevHash: Data?
        var hash: Data?

        /// Creates a value from all of its fields.
        init(id: Int64, atMillis: Int64?, principal: Data, method: Data, params: Data, result: Data, outcome: Data,
             prevHash: Data?, hash: Data?) {
            self.id = id
            self.atMillis = atMillis
            self.principal = principal
            self.method = method
            self.params = params
            self.result = result
            self.outcome = outcome
            self.prevHash = prevHash
            self.hash = hash
        }

        /// The hash this row should carry under `scheme`, chained to `prevHash`; nil when `at` is not an integer.
        func computedHash(prevHash: Data, scheme: Scheme) -> Data? {
            guard let atMillis else { return nil }
            return AuditChain.digest(Fields(
                id: id, atMillis: atMillis, principal: principal, method: method, params: params,
                result: result, outcome: outcome, prevHash: prevHash), scheme: scheme)
        }
    }

    /// The verification walk of ``AuditLog/verifyAuditChain(expectedHead:)``, written once for every store:
    /// the store feeds it each event oldest first (``check(_:)``, until it answers false), then the head as
    /// stored (``finish(head:)``), which gives the report.
    ///
    /// Per event: `prevHash` and `hash` are 32 bytes (else ``AuditChainProblem/malformed(id:reason:)``);
    /// `prevHash` is the previous event's hash, the first's 32 zero bytes (else
    /// ``AuditChainProblem/gap(afterId:nextId:)`` when the id does not follow the previous one,
    /// ``AuditChainProblem/prevHashMismatch(id:)`` when it does); the stored `hash` is the MAC of the event
    /// under `scheme` (else ``AuditChainProblem/hashMismatch(id:)``). Then the head must name the last event and
    /// its hash; then, with an expected head, the chain must reach it and that event must carry its MAC.
    struct ChainVerifier {
        let scheme: Scheme
        /// The head recorded outside the database, if any; the zero anchor (`0:` and zeros) checks nothing.
        let expectedHead: AuditAnchor?
        /// Events verified so far.
        private(set) var checkedCount = 0
        /// The last verified event.
        private(set) var previous: (id: Int64, hash: Data)?
        /// The first problem found; once set, ``check(_:)`` ignores further events.
        private(set) var problem: AuditChainProblem?
        /// The stored hash of the event whose id is `expectedHead.seq`, once walked past.
        private var anchorEventHash: Data?

        init(scheme: Scheme, expectedHead: AuditAnchor? = nil) {
            self.scheme = scheme
            if let expectedHead, expectedHead.seq > 0 || expectedHead.mac != zeroHash {
                self.expectedHead = expectedHead
            } else {
                self.expectedHead = nil
            }
        }

        /// Checks the next event (events must come in ascending id order).
        /// - Returns: false once a problem was found: the caller stops reading and calls ``finish(head:)``.
        @discardableResult
        mutating func check(_ event: StoredRow) -> Bool {
            guard problem == nil else { return false }
            guard let storedPrev = event.prevHash, storedPrev.count == 32 else {
                problem = .malformed(id: event.id, reason: "prevHash is missing or not 32 bytes")
                return false
            }
            guard let storedHash = event.hash, storedHash.count == 32 else {
                problem = .malformed(id: event.id, reason: "hash is missing or not 32 bytes")
                return false
            }
            let expectedPrev = previous?.hash ?? zeroHash
            if storedPrev != expectedPrev {
                // A jump in ids whose link still holds can only predate the chain (rows deleted before v3 chained them).
                if event.id != (previous?.id ?? 0) + 1 {
                    problem = .gap(afterId: previous?.id, nextId: event.id)
                } else {
                    problem = .prevHashMismatch(id: event.id)
                }
                return false
            }
            guard let computed = event.computedHash(prevHash: storedPrev, scheme: scheme) else {
                problem = .malformed(id: event.id, reason: "its time is not an integer")
                return false
            }
            guard constantTimeEquals(computed, storedHash) else {
                problem = .hashMismatch(id: event.id)
                return false
            }
            if event.id == expectedHead?.seq { anchorEventHash = storedHash }
            previous = (event.id, storedHash)
            checkedCount += 1
            return true
        }

        /// The report, after the last event: checks the head as stored (nil when its row is missing), then the
        /// expected head. Only the first problem is reported.
        func finish(head: (lastId: Int64, hash: Data)?) -> AuditChainReport {
            var report = AuditChainReport(checkedCount: checkedCount, lastId: previous?.id, lastHash: previous?.hash, problem: problem)
            guard problem == nil else { return report }
            guard let head else {
                report.problem = .headMissing
                return report
            }
            if head.lastId != (previous?.id ?? 0) || head.hash != (previous?.hash ?? zeroHash) {
                report.problem = .headMismatch(headId: head.lastId, chainLastId: previous?.id)
                return report
            }
            guard let expectedHead else { return report }
            if expectedHead.seq > (previous?.id ?? 0) {
                report.problem = .anchorBeyondChain(anchorId: expectedHead.seq, chainLastId: previous?.id)
            } else if anchorEventHash.map({ !constantTimeEquals($0, expectedHead.mac) }) ?? true {
                // No event with that id (ids may jump where rows predate the chain), or another MAC.
                report.problem = .anchorMismatch(id: expectedHead.seq)
            }
            return report
        }
    }
}
