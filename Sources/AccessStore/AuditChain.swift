import Crypto
import Foundation
import GRDB

/// The hash chain over `auditEvent` rows (schema v3).
///
/// Each event's `hash` is SHA-256 over an unambiguous encoding of the row:
///
///     "asana-access audit v1\n"                      (domain separation, 22 bytes)
///     then, for each field in this order, an 8-byte big-endian length and the field's bytes:
///     id (8-byte big-endian two's complement), at (Unix ms, 8-byte big-endian),
///     principal, method, params, result, outcome (the stored text's bytes, as SQLite holds them),
///     prevHash (32 bytes)
///
/// The first event's `prevHash` is 32 zero bytes; every other event's is the `hash` of the event
/// appended before it. The one-row table `auditHead` holds the last event's id and hash, updated
/// in the same transaction as each append, so deleting the newest rows is detected too.
///
/// The chain is unkeyed: it detects edits and deletions by anyone who does not also rebuild every
/// later hash and the head. Record the head printed by `asana-accessd audit verify` elsewhere to
/// detect that as well.
enum AuditChain {
    /// `prevHash` of the first event, and the head hash of an empty log.
    static let zeroHash = Data(repeating: 0, count: 32)
    /// Prefix of every hashed message; a new encoding gets a new prefix.
    static let domain = Data("asana-access audit v1\n".utf8)

    /// The fields that go into an event's hash, as stored.
    struct Fields {
        var id: Int64
        var atMillis: Int64
        var principal: Data
        var method: Data
        var params: Data
        var result: Data
        var outcome: Data
        var prevHash: Data
    }

    /// SHA-256 of the canonical encoding of `fields` (see the type's documentation).
    static func hash(_ fields: Fields) -> Data {
        var hasher = SHA256()
        hasher.update(data: domain)
        func field(_ bytes: Data) {
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
        func integer(_ value: Int64) -> Data {
            withUnsafeBytes(of: value.bigEndian) { Data($0) }
        }
        field(integer(fields.id))
        field(integer(fields.atMillis))
        field(fields.principal)
        field(fields.method)
        field(fields.params)
        field(fields.result)
        field(fields.outcome)
        field(fields.prevHash)
        return Data(hasher.finalize())
    }

    /// The row columns the chain reads: text as its stored bytes (`CAST … AS BLOB`), so what is
    /// hashed is exactly what the file holds, whatever Swift's String conversion would make of it.
    static let selectColumns = """
        id, at, CAST(principal AS BLOB) AS principalBytes, CAST(method AS BLOB) AS methodBytes,
        CAST(params AS BLOB) AS paramsBytes, CAST(result AS BLOB) AS resultBytes,
        CAST(outcome AS BLOB) AS outcomeBytes, prevHash, hash
        """

    /// A row read with ``selectColumns``.
    struct StoredRow {
        var id: Int64
        /// `nil` when the `at` column does not hold an integer.
        var atMillis: Int64?
        var principal: Data
        var method: Data
        var params: Data
        var result: Data
        var outcome: Data
        var prevHash: Data?
        var hash: Data?

        init(_ row: Row) {
            id = row["id"]
            if case .int64(let millis) = (row["at"] as DatabaseValue).storage { atMillis = millis } else { atMillis = nil }
            principal = Self.bytes(row["principalBytes"])
            method = Self.bytes(row["methodBytes"])
            params = Self.bytes(row["paramsBytes"])
            result = Self.bytes(row["resultBytes"])
            outcome = Self.bytes(row["outcomeBytes"])
            prevHash = Self.optionalBytes(row["prevHash"])
            hash = Self.optionalBytes(row["hash"])
        }

        private static func bytes(_ value: DatabaseValue) -> Data {
            optionalBytes(value) ?? Data()
        }

        /// The bytes of a blob (or text), nil for NULL or a number.
        private static func optionalBytes(_ value: DatabaseValue) -> Data? {
            switch value.storage {
            case .blob(let data): return data
            case .string(let text): return Data(text.utf8)
            default: return nil
            }
        }

        /// The hash this row should carry, chained to `prevHash`; nil when `at` is not an integer.
        func computedHash(prevHash: Data) -> Data? {
            guard let atMillis else { return nil }
            return AuditChain.hash(Fields(
                id: id, atMillis: atMillis, principal: principal, method: method, params: params,
                result: result, outcome: outcome, prevHash: prevHash))
        }
    }

    /// The head as stored: (last id, hash), or nil when the row is missing.
    static func head(_ db: Database) throws -> (lastId: Int64, hash: Data)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT lastId, hash FROM auditHead WHERE singleton = 1") else { return nil }
        return (row["lastId"], (row["hash"] as Data?) ?? Data())
    }

    /// Writes the head row (inserting it if missing).
    static func setHead(_ db: Database, lastId: Int64, hash: Data) throws {
        try db.execute(
            sql: """
                INSERT INTO auditHead (singleton, lastId, hash) VALUES (1, ?, ?)
                ON CONFLICT (singleton) DO UPDATE SET lastId = excluded.lastId, hash = excluded.hash
                """,
            arguments: [lastId, hash])
    }

    /// Chains the rows already in `auditEvent` (oldest first) and writes the head. Used once, by migration v3.
    static func chainExistingEvents(_ db: Database) throws {
        var previous: (id: Int64, hash: Data)?
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(selectColumns) FROM auditEvent WHERE id > ? ORDER BY id LIMIT 500",
                arguments: [previous?.id ?? Int64.min]
            ).map(StoredRow.init)
            guard !rows.isEmpty else { break }
            for row in rows {
                let prevHash = previous?.hash ?? zeroHash
                // v1 declared `at` INTEGER NOT NULL, so every pre-v3 row has an integer time.
                let hash = row.computedHash(prevHash: prevHash) ?? zeroHash
                try db.execute(sql: "UPDATE auditEvent SET prevHash = ?, hash = ? WHERE id = ?", arguments: [prevHash, hash, row.id])
                previous = (row.id, hash)
            }
        }
        try setHead(db, lastId: previous?.id ?? 0, hash: previous?.hash ?? zeroHash)
    }
}

/// What ``AccessStore/verifyAuditChain()`` found wrong first.
public enum AuditChainProblem: Sendable, Equatable, CustomStringConvertible {
    /// The event's content (id, time, principal, method, params, result, outcome or prevHash) no
    /// longer hashes to its stored `hash`, or its stored `hash` was changed.
    case hashMismatch(id: Int64)
    /// The event's `prevHash` is not the hash of the event before it (ids are contiguous).
    case prevHashMismatch(id: Int64)
    /// Events are missing: the ids jump from `afterId` (nil: the start of the log) to `nextId`,
    /// and event `nextId` does not chain to `afterId`. Deleting a row in the middle shows as this.
    case gap(afterId: Int64?, nextId: Int64)
    /// The event has no `hash` or `prevHash`, or one that is not 32 bytes, or a time that is not an integer.
    case malformed(id: Int64, reason: String)
    /// The chain ends at `chainLastId` (nil: no events) but the head records event `headId`:
    /// the newest events were deleted, or rows or the head were altered.
    case headMismatch(headId: Int64, chainLastId: Int64?)
    /// The `auditHead` row is gone.
    case headMissing

    /// The first event the problem concerns: the altered event, the first missing id, or the first
    /// event after the head; nil for ``headMissing``.
    public var eventId: Int64? {
        switch self {
        case .hashMismatch(let id), .prevHashMismatch(let id), .malformed(let id, _): return id
        case .gap(let afterId, _): return (afterId ?? 0) + 1
        case .headMismatch(let headId, let chainLastId):
            let last = chainLastId ?? 0
            if last < headId { return last + 1 }
            if last > headId { return headId + 1 }
            return headId == 0 ? nil : headId
        case .headMissing: return nil
        }
    }

    /// One sentence for a person.
    public var description: String {
        switch self {
        case .hashMismatch(let id):
            return "event \(id) was altered: its content does not match its hash"
        case .prevHashMismatch(let id):
            return "event \(id) does not chain to the event before it (its prevHash was altered, or the event before it was)"
        case .gap(let afterId, let nextId):
            let first = (afterId ?? 0) + 1
            let missing = first == nextId - 1 ? "event \(first) is" : "events \(first) to \(nextId - 1) are"
            return "\(missing) missing: the chain jumps from \(afterId.map { "event \($0)" } ?? "the start") to event \(nextId)"
        case .malformed(let id, let reason):
            return "event \(id) is malformed: \(reason)"
        case .headMismatch(let headId, let chainLastId):
            let end = chainLastId.map { "the chain ends at event \($0)" } ?? "the log is empty"
            let last = chainLastId ?? 0
            if last < headId {
                return "\(end) but the head records event \(headId): the newest events were deleted"
            }
            if last > headId {
                return "\(end) but the head records event \(headId): events were added outside the store, or the head was altered"
            }
            return "the head's hash does not match the chain's last hash: the head was altered"
        case .headMissing:
            return "the auditHead row is missing"
        }
    }
}

/// The answer of ``AccessStore/verifyAuditChain()``.
public struct AuditChainReport: Sendable, Equatable {
    /// Events whose hash and link verified, oldest first, before the first problem (all of them when intact).
    public var checkedCount: Int
    /// The id and hash of the last verified event; nil when none verified.
    public var lastId: Int64?
    public var lastHash: Data?
    /// The first problem found, nil when the chain is intact.
    public var problem: AuditChainProblem?

    /// Creates a value from all of its fields.
    public init(checkedCount: Int, lastId: Int64?, lastHash: Data?, problem: AuditChainProblem?) {
        self.checkedCount = checkedCount
        self.lastId = lastId
        self.lastHash = lastHash
        self.problem = problem
    }

    /// No problem found.
    public var isIntact: Bool { problem == nil }
    /// The first broken event's id (see ``AuditChainProblem/eventId``).
    public var firstBrokenEventId: Int64? { problem?.eventId }
}

extension AccessStore {
    /// Reads every audit event oldest first and checks the hash chain and the head, in one read
    /// transaction (a consistent snapshot; appends may go on meanwhile).
    ///
    /// Checks, per event: the id follows the previous one (else ``AuditChainProblem/gap(afterId:nextId:)``
    /// when the link is broken too), `prevHash` is the previous event's hash (the first's: 32 zero bytes),
    /// and the stored `hash` is SHA-256 of its fields. Then that the head names the last event and its hash.
    /// Stops at the first problem.
    /// - Throws: GRDB's `DatabaseError` when the file is too damaged to read.
    public func verifyAuditChain() throws -> AuditChainReport {
        try dbWriter.read { db in
            var checked = 0
            var previous: (id: Int64, hash: Data)?
            func report(_ problem: AuditChainProblem?) -> AuditChainReport {
                AuditChainReport(checkedCount: checked, lastId: previous?.id, lastHash: previous?.hash, problem: problem)
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT \(AuditChain.selectColumns) FROM auditEvent ORDER BY id")
            while let row = try rows.next() {
                let event = AuditChain.StoredRow(row)
                guard let storedPrev = event.prevHash, storedPrev.count == 32 else {
                    return report(.malformed(id: event.id, reason: "prevHash is missing or not 32 bytes"))
                }
                guard let storedHash = event.hash, storedHash.count == 32 else {
                    return report(.malformed(id: event.id, reason: "hash is missing or not 32 bytes"))
                }
                let expectedPrev = previous?.hash ?? AuditChain.zeroHash
                if storedPrev != expectedPrev {
                    // A jump in ids whose link still holds can only predate the chain (rows deleted before v3 chained them).
                    if event.id != (previous?.id ?? 0) + 1 {
                        return report(.gap(afterId: previous?.id, nextId: event.id))
                    }
                    return report(.prevHashMismatch(id: event.id))
                }
                guard let computed = event.computedHash(prevHash: storedPrev) else {
                    return report(.malformed(id: event.id, reason: "its time is not an integer"))
                }
                guard computed == storedHash else {
                    return report(.hashMismatch(id: event.id))
                }
                previous = (event.id, storedHash)
                checked += 1
            }
            guard let head = try AuditChain.head(db) else {
                return report(.headMissing)
            }
            if head.lastId != (previous?.id ?? 0) || head.hash != (previous?.hash ?? AuditChain.zeroHash) {
                return report(.headMismatch(headId: head.lastId, chainLastId: previous?.id))
            }
            return report(nil)
        }
    }
}
