import AccessProtocol
import Crypto
import Foundation
import GRDB

/// The keyed chain over `auditEvent` rows (schema v3, keyed since v8), and over PostgreSQL's `audit_event`
/// rows in the same encoding under the same key (``PostgresAccessStore``).
///
/// Each event's `hash` is a MAC: HMAC-SHA256 under the *audit key* over an unambiguous encoding of the row:
///
///     "asana-access audit v2\n"                      (domain separation, 22 bytes)
///     then, for each field in this order, an 8-byte big-endian length and the field's bytes:
///     id (8-byte big-endian two's complement), at (Unix ms, 8-byte big-endian),
///     principal, method, params, result, outcome (the stored text's bytes: as SQLite holds them;
///     in PostgreSQL, `convert_to(column, 'UTF8')`),
///     prevHash (32 bytes)
///
/// The audit key is `HKDF<SHA256>` of the master key with info ``keyInfo`` (no salt, 32 bytes), so
/// it never sits in the database: someone with the database file alone cannot compute a valid MAC.
///
/// The first event's `prevHash` is 32 zero bytes; every other event's is the `hash` of the event
/// appended before it. Verification is ``ChainVerifier``, shared by both stores. The one-row table `auditHead` holds the last event's id and hash, updated
/// in the same transaction as each append, so deleting the newest rows is detected too — unless the
/// head is also rewritten to an earlier event's (id, MAC), which needs no key: record the head
/// (`asana-accessd audit head`) outside the database and check it with `audit verify --expect-head`.
///
/// Releases before v8 used plain SHA-256 with the prefix "asana-access audit v1\n" (``unkeyedHash(_:)``).
/// Migration v8 checks that chain, then re-MACs every event once under the audit key and appends an
/// `auditChain.keyed` event recording what the check found and the old head, so a chain broken
/// before the upgrade stays on record. `rotate-key` re-MACs the chain under the new key in the same
/// transaction that re-seals the credentials (every MAC changes: record the head again).
enum AuditChain {
    /// `prevHash` of the first event, and the head hash of an empty log.
    static let zeroHash = Data(repeating: 0, count: 32)
    /// Prefix of the unkeyed SHA-256 messages of schema v3–v7 (read only by migration v8).
    static let unkeyedDomain = Data("asana-access audit v1\n".utf8)
    /// Prefix of every MAC'd message (schema v8 on); a new encoding gets a new prefix.
    static let keyedDomain = Data("asana-access audit v2\n".utf8)
    /// The HKDF info label that derives the audit key from the master key.
    static let keyInfo = "asana-access audit chain v1"

    /// How an event's `hash` is computed.
    enum Scheme {
        /// SHA-256, schema v3–v7.
        case unkeyed
        /// HMAC-SHA256 under the audit key, schema v8 on.
        case keyed(SymmetricKey)
    }

    /// The audit key of `masterKey`: HKDF-SHA256, no salt, info ``keyInfo``, 32 bytes.
    static func auditKey(_ masterKey: MasterKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey.key, info: Data(keyInfo.utf8), outputByteCount: 32)
    }

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

    /// Feeds the length-prefixed fields of `fields` to `update`.
    static func encode(_ fields: Fields, _ update: (Data) -> Void) {
        func field(_ bytes: Data) {
            update(withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { Data($0) })
            update(bytes)
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
    }

    /// SHA-256 of the v1 encoding of `fields` (schema v3–v7 chains).
    static func unkeyedHash(_ fields: Fields) -> Data {
        var hasher = SHA256()
        hasher.update(data: unkeyedDomain)
        encode(fields) { hasher.update(data: $0) }
        return Data(hasher.finalize())
    }

    /// HMAC-SHA256 under `key` of the v2 encoding of `fields` (see the type's documentation).
    static func mac(_ fields: Fields, key: SymmetricKey) -> Data {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: keyedDomain)
        encode(fields) { hmac.update(data: $0) }
        return Data(hmac.finalize())
    }

    /// The `hash` of `fields` under `scheme`.
    static func digest(_ fields: Fields, scheme: Scheme) -> Data {
        switch scheme {
        case .unkeyed: return unkeyedHash(fields)
        case .keyed(let key): return mac(fields, key: key)
        }
    }

    /// The row columns the chain reads: text as its stored bytes (`CAST … AS BLOB`), so what is
    /// hashed is exactly what the file holds, whatever Swift's String conversion would make of it.
    static let selectColumns = """
        id, at, CAST(principal AS BLOB) AS principalBytes, CAST(method AS BLOB) AS methodBytes,
        CAST(params AS BLOB) AS paramsBytes, CAST(result AS BLOB) AS resultBytes,
        CAST(outcome AS BLOB) AS outcomeBytes, prevHash, hash
        """
}

extension AuditChain.StoredRow {
    /// The row of a `SELECT` of ``AuditChain/selectColumns``. Tolerant of values altered outside the store:
    /// an `at` that is not an integer reads as nil, a hash that is NULL or a number as nil.
    init(_ row: Row) {
        let atMillis: Int64?
        if case .int64(let millis) = (row["at"] as DatabaseValue).storage { atMillis = millis } else { atMillis = nil }
        self.init(
            id: row["id"], atMillis: atMillis,
            principal: Self.bytes(row["principalBytes"]), method: Self.bytes(row["methodBytes"]),
            params: Self.bytes(row["paramsBytes"]), result: Self.bytes(row["resultBytes"]),
            outcome: Self.bytes(row["outcomeBytes"]),
            prevHash: Self.optionalBytes(row["prevHash"]), hash: Self.optionalBytes(row["hash"]))
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
}

extension AuditChain {
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

    /// Chains the rows already in `auditEvent` (oldest first, unkeyed) and writes the head. Used once, by migration v3.
    static func chainExistingEvents(_ db: Database) throws {
        // v1 declared `at` INTEGER NOT NULL, so every pre-v3 row has an integer time.
        _ = try relink(db, scheme: .unkeyed)
    }

    /// Recomputes every event's `prevHash` and `hash` under `scheme`, oldest first, in batches of 500
    /// (ids kept), and moves the head to the last one, inside the caller's transaction. An event whose
    /// time is not an integer (altered outside the store) gets a zero hash, so verification goes on
    /// reporting it.
    /// - Returns: how many events were rewritten.
    static func relink(_ db: Database, scheme: Scheme) throws -> Int {
        var previous: (id: Int64, hash: Data)?
        var count = 0
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(selectColumns) FROM auditEvent WHERE id > ? ORDER BY id LIMIT 500",
                arguments: [previous?.id ?? Int64.min]
            ).map(StoredRow.init)
            guard !rows.isEmpty else { break }
            for row in rows {
                let prevHash = previous?.hash ?? zeroHash
                let hash = row.computedHash(prevHash: prevHash, scheme: scheme) ?? zeroHash
                try db.execute(sql: "UPDATE auditEvent SET prevHash = ?, hash = ? WHERE id = ?", arguments: [prevHash, hash, row.id])
                previous = (row.id, hash)
                count += 1
            }
        }
        try setHead(db, lastId: previous?.id ?? 0, hash: previous?.hash ?? zeroHash)
        return count
    }
}

/// What ``AuditLog/verifyAuditChain(expectedHead:)`` found wrong first.
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
    /// `audit verify --expect-head`: the chain ends at `chainLastId` (nil: no events), before the
    /// recorded head `anchorId`: the newest events were deleted (and the head rewritten to match).
    case anchorBeyondChain(anchorId: Int64, chainLastId: Int64?)
    /// `audit verify --expect-head`: event `id` exists but its MAC is not the recorded one: the log
    /// was rewritten from there (or the master key was rotated since the head was recorded).
    case anchorMismatch(id: Int64)

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
        case .anchorBeyondChain(_, let chainLastId): return (chainLastId ?? 0) + 1
        case .anchorMismatch(let id): return id
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
        case .anchorBeyondChain(let anchorId, let chainLastId):
            let end = chainLastId.map { "the chain ends at event \($0)" } ?? "the log is empty"
            return "\(end) but the expected head is event \(anchorId): events after it were deleted and the stored head rewritten"
        case .anchorMismatch(let id):
            return "event \(id) does not carry the expected MAC: the log was rewritten from there (if the master key was rotated after the head was recorded, every MAC changed: compare with the rotateKey event's previousChain)"
        }
    }
}

/// The answer of ``AuditLog/verifyAuditChain(expectedHead:)``.
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

extension AuditChain {
    /// Checks every event oldest first under `scheme`, then the head, then `expectedHead` (see
    /// ``AuditLog/verifyAuditChain(expectedHead:)`` and ``ChainVerifier``), inside the caller's transaction.
    static func verify(_ db: Database, scheme: Scheme, expectedHead: AuditAnchor? = nil) throws -> AuditChainReport {
        var verifier = ChainVerifier(scheme: scheme, expectedHead: expectedHead)
        let rows = try Row.fetchCursor(db, sql: "SELECT \(selectColumns) FROM auditEvent ORDER BY id")
        while let row = try rows.next(), verifier.check(StoredRow(row)) {}
        return verifier.finish(head: try head(db))
    }

    /// Re-MACs every event, oldest first, under `key` (each `prevHash` linking to the new MAC before
    /// it, ids kept) and moves the head, inside the caller's transaction. Checks the chain under
    /// `from` first and returns what that found: the caller records it, since re-MACing makes a
    /// chain that was broken verify again.
    static func rechain(_ db: Database, from: Scheme, to key: SymmetricKey) throws -> (before: AuditChainReport, count: Int) {
        let before = try verify(db, scheme: from)
        return (before, try relink(db, scheme: .keyed(key)))
    }

    /// A one-line account of a verification, for the audit event that records a re-MAC:
    /// `intact: N events, head SEQ:HEX` or `broken at event N: …`.
    static func summary(_ report: AuditChainReport) -> String {
        let head = "\(report.lastId ?? 0):\(AuditEvent.hex(report.lastHash ?? zeroHash))"
        guard let problem = report.problem else { return "intact: \(report.checkedCount) events, head \(head)" }
        let at = problem.eventId.map { "at event \($0)" } ?? "at the head"
        return "broken \(at): \(problem) (\(report.checkedCount) events verified before it, up to \(head))"
    }

    /// Migration v8: re-MACs an unkeyed (v3–v7) chain under the audit key of `masterKey` and, when the
    /// log held events, appends an `auditChain.keyed` event (principal `system:migration-v8`) whose
    /// result records the number of events re-MACed and what the unkeyed check found.
    static func keyExistingChain(_ db: Database, masterKey: MasterKey, at: Date) throws {
        let key = auditKey(masterKey)
        let (before, count) = try rechain(db, from: .unkeyed, to: key)
        guard count > 0 else { return }
        let result = try JSONSerialization.data(
            withJSONObject: ["events": count, "previousChain": summary(before), "scheme": "hmac-sha256 (HKDF-SHA256 of the master key, info \"\(keyInfo)\")"],
            options: [.sortedKeys, .withoutEscapingSlashes])
        _ = try append(db, AuditEventDraft(
            at: at, principal: "system:migration-v8", method: "auditChain.keyed", params: "{}",
            result: String(decoding: result, as: UTF8.self), outcome: before.isIntact ? "ok" : "chain_was_broken"), key: key)
    }

    /// Appends `event` inside the caller's (immediate) transaction: reads the head's hash, inserts
    /// the event with that as `prevHash`, MACs the bytes as stored, and moves the head to it.
    /// - Returns: its id.
    static func append(_ db: Database, _ event: AuditEventDraft, key: SymmetricKey) throws -> Int64 {
        // A missing head (only if someone deleted it) restarts from zeros; verification then
        // reports the new event as not chained to the one before it.
        let prevHash = try head(db)?.hash ?? zeroHash
        try db.execute(
            sql: "INSERT INTO auditEvent (at, principal, method, params, result, outcome, prevHash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [UnixMillis.from(event.at), event.principal, event.method, event.params, event.result, event.outcome, prevHash])
        let id = db.lastInsertedRowID
        // MAC what SQLite holds (read back), so that verification sees the same bytes.
        guard let row = try Row.fetchOne(db, sql: "SELECT \(selectColumns) FROM auditEvent WHERE id = ?", arguments: [id]),
              let hash = StoredRow(row).computedHash(prevHash: prevHash, scheme: .keyed(key)) else {
            throw AccessStoreError.invalidArgument("the audit event could not be read back")
        }
        try db.execute(sql: "UPDATE auditEvent SET hash = ? WHERE id = ?", arguments: [hash, id])
        try setHead(db, lastId: id, hash: hash)
        return id
    }
}

/// A head recorded outside the database: an event's sequence number (its id) and its MAC,
/// written `SEQ:MAC` (decimal, then 64 lowercase hex digits) by `asana-accessd audit head`.
/// `0:` followed by 64 zeros is the head of an empty log.
public struct AuditAnchor: Sendable, Equatable, CustomStringConvertible {
    /// The event's id; 0 for an empty log.
    public var seq: Int64
    /// The event's MAC (32 bytes); zeros for an empty log.
    public var mac: Data

    /// Creates a value from all of its fields.
    public init(seq: Int64, mac: Data) {
        self.seq = seq
        self.mac = mac
    }

    /// Parses `SEQ:MAC`: a non-negative decimal, a colon, 64 hex digits (either case). Nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].utf8.count == 64,
              let mac = AuditEvent.bytes(hex: parts[1]) else { return nil }
        self.init(seq: seq, mac: mac)
    }

    /// `SEQ:MAC`, the MAC in lowercase hex.
    public var description: String { "\(seq):\(AuditEvent.hex(mac))" }
}

extension SQLiteAccessStore {
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
    /// - Throws: GRDB's `DatabaseError` when the file is too damaged to read.
    public func verifyAuditChain(expectedHead: AuditAnchor?) async throws -> AuditChainReport {
        let key = AuditChain.auditKey(masterKey)
        return try await dbWriter.read { db in
            try AuditChain.verify(db, scheme: .keyed(key), expectedHead: expectedHead)
        }
    }
}
