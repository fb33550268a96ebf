import AccessProtocol
import Crypto
import Foundation
import GRDB
import Testing
@testable import AccessStore

/// A varied event: principals, methods and outcomes differ by index.
private func draft(_ index: Int, principal: String? = nil) -> AuditEventDraft {
    let methods = ["provision", "putCredential", "createToken", "sync"]
    return AuditEventDraft(
        at: T.at(minutes: index), principal: principal ?? "cn=host\(index % 3)", method: methods[index % methods.count],
        params: "{\"email\":\"p\(index)@acme.example\",\"secret\":\"[redacted]\"}",
        result: "{\"targets\":[{\"gid\":\"\(1000 + index)\",\"outcome\":\"added\"}]}",
        outcome: index % 5 == 4 ? "upstream.forbidden" : "ok")
}

/// Appends `count` events and returns their ids.
@discardableResult
private func appendEvents(_ store: any AuditLog, count: Int, from start: Int = 0) async throws -> [Int64] {
    var ids: [Int64] = []
    for index in start..<(start + count) { ids.append(try await store.appendAuditEvent(draft(index))) }
    return ids
}

/// The columns of an audit row that tests alter.
enum AuditColumn: String, CaseIterable, Sendable {
    case id, at, principal, method, params, result, outcome, prevHash, hash
}

/// Changes one byte of one column of row `id` through raw SQL, keeping the column's type.
/// For `id`, moves the row to `id + 4096` (an id no other row has).
private func alterOneByte(_ store: any AuditAndJournalStore, id: Int64, column: AuditColumn) async throws {
    if let store = store as? SQLiteAccessStore { return try await alterOneByte(store, id: id, column: column) }
    let sql: String
    switch column {
    case .id: sql = "UPDATE audit_event SET id = id + 4096 WHERE id = \(id)"
    case .at: sql = "UPDATE audit_event SET at = at # 256 WHERE id = \(id)"
    case .principal, .method, .params, .result, .outcome:
        // The middle character (1-based), its lowest bit flipped: the texts are ASCII, so it stays one byte.
        let name = column.rawValue
        sql = "UPDATE audit_event SET \(name) = overlay(\(name) placing chr(ascii(substr(\(name), length(\(name)) / 2 + 1, 1)) # 1) from length(\(name)) / 2 + 1 for 1) WHERE id = \(id)"
    case .prevHash, .hash:
        let name = column == .hash ? "hash" : "prev_hash"
        sql = "UPDATE audit_event SET \(name) = set_byte(\(name), 7, get_byte(\(name), 7) # 128) WHERE id = \(id)"
    }
    try await executeBehindStore(store, sqlite: "", postgres: sql)
}

/// ``alterOneByte(_:id:column:)`` in SQLite, checking the altered text column keeps its storage class.
private func alterOneByte(_ store: SQLiteAccessStore, id: Int64, column: AuditColumn) async throws {
    try await store.dbWriter.write { db in
        switch column {
        case .id:
            try db.execute(sql: "UPDATE auditEvent SET id = id + 4096 WHERE id = ?", arguments: [id])
        case .at:
            let at = try #require(try Int64.fetchOne(db, sql: "SELECT at FROM auditEvent WHERE id = ?", arguments: [id]))
            try db.execute(sql: "UPDATE auditEvent SET at = ? WHERE id = ?", arguments: [at ^ 0x0100, id])
        case .principal, .method, .params, .result, .outcome:
            var bytes = try #require(try Data.fetchOne(db, sql: "SELECT CAST(\(column.rawValue) AS BLOB) FROM auditEvent WHERE id = ?", arguments: [id]))
            let index = bytes.startIndex + bytes.count / 2
            bytes[index] ^= 0x01
            try db.execute(sql: "UPDATE auditEvent SET \(column.rawValue) = CAST(? AS TEXT) WHERE id = ?", arguments: [bytes, id])
            #expect(try String.fetchOne(db, sql: "SELECT typeof(\(column.rawValue)) FROM auditEvent WHERE id = ?", arguments: [id]) == "text")
        case .prevHash, .hash:
            var bytes = try #require(try Data.fetchOne(db, sql: "SELECT \(column.rawValue) FROM auditEvent WHERE id = ?", arguments: [id]))
            bytes[bytes.startIndex + 7] ^= 0x80
            try db.execute(sql: "UPDATE auditEvent SET \(column.rawValue) = ? WHERE id = ?", arguments: [bytes, id])
        }
    }
}

@Suite("Audit chain", .closesStores)
struct AuditChainTests {
    @Test("a chain of 300 appends verifies; each prevHash is the hash before it; the head is the last event",
          arguments: StoreKind.available)
    func manyAppendsVerify(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        #expect(try await store.verifyAuditChain() == AuditChainReport(checkedCount: 0, lastId: nil, lastHash: nil, problem: nil))
        let ids = try await appendEvents(store, count: 300)
        #expect(ids == Array(1...300))

        let report = try await store.verifyAuditChain()
        #expect(report.isIntact)
        #expect(report.problem == nil)
        #expect(report.checkedCount == 300)
        #expect(report.lastId == 300)

        let events = try await allAuditEvents(store)
        #expect(events.map(\.id) == ids)
        #expect(events[0].prevHash == Data(repeating: 0, count: 32))
        for (previous, event) in zip(events, events.dropFirst()) {
            #expect(event.prevHash == previous.hash)
        }
        #expect(Set(events.map(\.hash)).count == 300)
        #expect(events.allSatisfy { $0.hash.count == 32 })
        #expect(report.lastHash == events.last?.hash)
        let head = try await storedAuditHead(store)
        #expect(head?.lastId == 300)
        #expect(head?.hash == events.last?.hash)
    }

    @Test("the hash is HMAC-SHA256 (key: HKDF-SHA256 of the master key, info \"asana-access audit chain v1\") of the documented length-prefixed encoding",
          arguments: StoreKind.available)
    func hashEncoding(kind: StoreKind) async throws {
        let masterKey = MasterKey.generate()
        let store = try await kind.makeAuditStore(masterKey: masterKey)
        let id = try await store.appendAuditEvent(AuditEventDraft(
            at: Date(timeIntervalSince1970: 1_700_000_000.123), principal: "cn=ada", method: "provision",
            params: "{\"a\":1}", result: "{}", outcome: "ok"))
        let event = try #require(try await store.auditEvents(limit: 1).first)
        #expect(event.id == id)

        // Built by hand from the documentation in AuditChain.
        var message = Data("asana-access audit v2\n".utf8)
        func field(_ bytes: [UInt8]) {
            message.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, UInt8(bytes.count)])
            message.append(contentsOf: bytes)
        }
        field([0, 0, 0, 0, 0, 0, 0, 1])                       // id 1
        let millis: Int64 = 1_700_000_000_123
        field((0..<8).map { UInt8(truncatingIfNeeded: millis >> (56 - 8 * $0)) })
        field(Array("cn=ada".utf8))
        field(Array("provision".utf8))
        field(Array("{\"a\":1}".utf8))
        field(Array("{}".utf8))
        field(Array("ok".utf8))
        field([UInt8](repeating: 0, count: 32))
        let auditKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey.key, info: Data("asana-access audit chain v1".utf8), outputByteCount: 32)
        #expect(event.hash == Data(HMAC<SHA256>.authenticationCode(for: message, using: auditKey)))
        #expect(event.hash != Data(SHA256.hash(data: message)))
        #expect(AuditEvent.hex(event.hash).count == 64)
    }

    @Test("moving a byte from one field to the next changes the hash (fields are length-prefixed)")
    func unambiguous() {
        func hash(_ principal: String, _ method: String) -> Data {
            AuditChain.unkeyedHash(AuditChain.Fields(
                id: 1, atMillis: 0, principal: Data(principal.utf8), method: Data(method.utf8),
                params: Data("{}".utf8), result: Data("{}".utf8), outcome: Data("ok".utf8), prevHash: AuditChain.zeroHash))
        }
        #expect(hash("cn=ab", "c") != hash("cn=a", "bc"))
        #expect(hash("", "x") != hash("x", ""))
        #expect(hash("cn=a", "bc") == hash("cn=a", "bc"))
    }

    @Test("one changed byte in any column of the first, a middle or the last row is found at that event",
          arguments: StoreKind.available, AuditColumn.allCases)
    func oneByteChangeDetected(kind: StoreKind, column: AuditColumn) async throws {
        for target in [Int64(1), 6, 12] {
            let store = try await kind.makeAuditStore()
            try await appendEvents(store, count: 12)
            try #require(try await store.verifyAuditChain().isIntact)
            try await alterOneByte(store, id: target, column: column)

            let report = try await store.verifyAuditChain()
            #expect(!report.isIntact, "\(column) of event \(target) changed but the chain verifies")
            switch column {
            case .id where target == 12:
                // The last row moved to 4108: it still links to event 11, but its id is hashed.
                #expect(report.problem == .hashMismatch(id: 12 + 4096))
            case .id:
                #expect(report.problem == .gap(afterId: target == 1 ? nil : target - 1, nextId: target + 1))
                #expect(report.firstBrokenEventId == target)
            case .prevHash:
                #expect(report.problem == .prevHashMismatch(id: target))
            default:
                #expect(report.problem == .hashMismatch(id: target), "\(column) of event \(target)")
            }
            if !(column == .id && target == 12) {
                #expect(report.firstBrokenEventId == target)
                #expect(report.checkedCount == Int(target) - 1)
                #expect(report.lastId == (target == 1 ? nil : target - 1))
            }
        }
    }

    @Test("a deleted middle row is a gap at its id, also after more appends", arguments: StoreKind.available)
    func deletedMiddleRow(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        try await appendEvents(store, count: 10)
        try await executeBehindStore(store, sqlite: "DELETE FROM auditEvent WHERE id = 5", postgres: "DELETE FROM audit_event WHERE id = 5")
        var report = try await store.verifyAuditChain()
        #expect(report.problem == .gap(afterId: 4, nextId: 6))
        #expect(report.firstBrokenEventId == 5)
        #expect(report.checkedCount == 4)
        #expect(report.problem?.description == "event 5 is missing: the chain jumps from event 4 to event 6")

        try await appendEvents(store, count: 3, from: 10)
        report = try await store.verifyAuditChain()
        #expect(report.problem == .gap(afterId: 4, nextId: 6))

        // Several rows, including the first.
        let other = try await kind.makeAuditStore()
        try await appendEvents(other, count: 10)
        try await executeBehindStore(other, sqlite: "DELETE FROM auditEvent WHERE id IN (1, 2, 3)",
                                     postgres: "DELETE FROM audit_event WHERE id IN (1, 2, 3)")
        #expect(try await other.verifyAuditChain().problem == .gap(afterId: nil, nextId: 4))
        #expect(try await other.verifyAuditChain().firstBrokenEventId == 1)
    }

    @Test("a deleted last row is a head mismatch; the next append keeps it visible", arguments: StoreKind.available)
    func deletedLastRow(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        try await appendEvents(store, count: 10)
        try await executeBehindStore(store, sqlite: "DELETE FROM auditEvent WHERE id = 10", postgres: "DELETE FROM audit_event WHERE id = 10")
        let report = try await store.verifyAuditChain()
        #expect(report.problem == .headMismatch(headId: 10, chainLastId: 9))
        #expect(report.firstBrokenEventId == 10)
        #expect(report.checkedCount == 9)
        #expect(report.problem?.description.contains("newest events were deleted") == true)

        // The next event chains to the head (the deleted event's hash), so the hole stays visible.
        let next = try await store.appendAuditEvent(draft(10))
        #expect(next == 11)
        #expect(try await store.verifyAuditChain().problem == .gap(afterId: 9, nextId: 11))
        #expect(try await store.verifyAuditChain().firstBrokenEventId == 10)
    }

    @Test("every event deleted, the head altered, the head row deleted, or a hash nulled: each is detected",
          arguments: StoreKind.available)
    func headTampering(kind: StoreKind) async throws {
        let emptied = try await kind.makeAuditStore()
        try await appendEvents(emptied, count: 4)
        try await executeBehindStore(emptied, sqlite: "DELETE FROM auditEvent", postgres: "DELETE FROM audit_event")
        #expect(try await emptied.verifyAuditChain().problem == .headMismatch(headId: 4, chainLastId: nil))
        #expect(try await emptied.verifyAuditChain().firstBrokenEventId == 1)

        let altered = try await kind.makeAuditStore()
        try await appendEvents(altered, count: 4)
        try await executeBehindStore(altered, sqlite: "UPDATE auditHead SET hash = zeroblob(32)",
                                     postgres: "UPDATE audit_head SET hash = '\\x\(String(repeating: "00", count: 32))'")
        #expect(try await altered.verifyAuditChain().problem == .headMismatch(headId: 4, chainLastId: 4))

        let headless = try await kind.makeAuditStore()
        try await appendEvents(headless, count: 4)
        try await executeBehindStore(headless, sqlite: "DELETE FROM auditHead", postgres: "DELETE FROM audit_head")
        let report = try await headless.verifyAuditChain()
        #expect(report.problem == .headMissing)
        #expect(report.checkedCount == 4)
        // An append after that starts from zeros, which the next event's link shows.
        try await headless.appendAuditEvent(draft(4))
        #expect(try await headless.verifyAuditChain().problem == .prevHashMismatch(id: 5))

        let nulled = try await kind.makeAuditStore()
        try await appendEvents(nulled, count: 4)
        try await executeBehindStore(nulled, sqlite: "UPDATE auditEvent SET hash = NULL WHERE id = 3",
                                     postgres: "UPDATE audit_event SET hash = NULL WHERE id = 3")
        #expect(try await nulled.verifyAuditChain().problem == .malformed(id: 3, reason: "hash is missing or not 32 bytes"))
        // Listing a damaged log does not trap.
        #expect(try await nulled.auditEvents(limit: 10).map(\.hash.count) == [32, 0, 32, 32])
        try await executeBehindStore(nulled, sqlite: "UPDATE auditEvent SET prevHash = x'00' WHERE id = 2",
                                     postgres: "UPDATE audit_event SET prev_hash = '\\x00' WHERE id = 2")
        #expect(try await nulled.verifyAuditChain().problem == .malformed(id: 2, reason: "prevHash is missing or not 32 bytes"))
    }

    @Test("a time that is no longer an integer is malformed, and the log still lists")
    func retypedTime() async throws {
        let retyped = try makeStore()
        try await appendEvents(retyped, count: 4)
        try await retyped.dbWriter.write { try $0.execute(sql: "UPDATE auditEvent SET at = 'yesterday' WHERE id = 2") }
        #expect(try await retyped.verifyAuditChain().problem == .malformed(id: 2, reason: "its time is not an integer"))
        // Listing a damaged log does not trap.
        #expect(try await retyped.auditEvents(limit: 10).count == 4)
    }

    @Test("flipping one byte of an audit row in the database file is found at that event after reopening")
    func fileByteFlip() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("data/access.sqlite")
        let canary = "cn=byte-flip-canary-5e1f0a"
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        for index in 0..<12 {
            try await store.appendAuditEvent(draft(index, principal: index == 6 ? canary : nil))
        }
        #expect(try await store.verifyAuditChain().isIntact)
        try await store.checkpoint()
        try store.close()
        let walBytes = FileManager.default.contents(atPath: path + "-wal") ?? Data()
        #expect(walBytes.isEmpty)

        // In the table row, the principal is followed by the method (columns in order); the
        // principal index holds the principal followed by the rowid instead.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let needle = Data((canary + draft(6).method).utf8)
        let range = try #require(bytes.range(of: needle), "the audit row is not in the main database file")
        #expect(bytes[range.upperBound...].range(of: needle) == nil)
        bytes[range.lowerBound + 18] ^= 0x01   // "canary" -> "canarx"
        try bytes.write(to: URL(fileURLWithPath: path))

        let reopened = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer { try? reopened.close() }
        let report = try await reopened.verifyAuditChain()
        #expect(report.problem == .hashMismatch(id: 7))
        #expect(report.firstBrokenEventId == 7)
        #expect(report.checkedCount == 6)
        #expect(try await reopened.auditEvents(limit: 20).first { $0.id == 7 }?.principal == "cn=byte-flip-canarx-5e1f0a")
    }

    @Test("migration v3 chains the events a v2 database already holds, in id order; v8 re-MACs them and records it")
    func v2ToV3() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("access.sqlite")

        // A store as the v2 release left it: audit rows without hashes (ids 1–5, then 7: 6 was
        // lost before chaining began, which the chain cannot and does not hold against it).
        let pool = try DatabasePool(path: path, configuration: SQLiteAccessStore.makeConfiguration())
        try Migrations.migrator(masterKey: MasterKey.generate()).migrate(pool, upTo: "v2")
        try await pool.write { db in
            for index in [1, 2, 3, 4, 5, 7] {
                let event = draft(index)
                try db.execute(
                    sql: "INSERT INTO auditEvent (id, at, principal, method, params, result, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [index, UnixMillis.from(event.at), event.principal, event.method, event.params, event.result, event.outcome])
            }
        }
        #expect(try await pool.read { try Migrations.migrator(masterKey: MasterKey.generate()).appliedIdentifiers($0) } == ["v1", "v2"])
        try pool.close()

        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer { try? store.close() }
        #expect(try await store.dbWriter.read { try Migrations.migrator(masterKey: MasterKey.generate()).appliedIdentifiers($0) } == MigrationTests.allIdentifiers)
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact)
        #expect(report.checkedCount == 7)
        #expect(report.lastId == 8)

        let events = try await allAuditEvents(store)
        #expect(events.map(\.id) == [1, 2, 3, 4, 5, 7, 8])
        // v8 re-MACed the six chained events and said so, with what the unkeyed check found.
        #expect(events[6].method == "auditChain.keyed")
        #expect(events[6].principal == "system:migration-v8")
        #expect(events[6].outcome == "ok")
        #expect(events[6].result.contains("\"events\":6"))
        #expect(events[6].result.contains("intact: 6 events, head 7:"))
        #expect(events[0].prevHash == AuditChain.zeroHash)
        for (previous, event) in zip(events, events.dropFirst()) {
            #expect(event.prevHash == previous.hash)
        }
        // Old rows read back unchanged.
        #expect(events[2].principal == draft(3).principal)
        #expect(events[2].params == draft(3).params)
        #expect(events[2].at == draft(3).at)

        // The next event continues the chain, and tampering with an old row is detected.
        #expect(try await store.appendAuditEvent(draft(9)) == 9)
        #expect(try await store.verifyAuditChain() == AuditChainReport(
            checkedCount: 8, lastId: 9, lastHash: try await store.auditEvents(limit: 1).first?.hash, problem: nil))
        try await alterOneByte(store, id: 2, column: .params)
        #expect(try await store.verifyAuditChain().problem == .hashMismatch(id: 2))
    }

    @Test("an empty v2 database gets an empty chain with a zero head")
    func v2EmptyToV3() async throws {
        let store = try makeStore()
        let head = try await store.dbWriter.read { try AuditChain.head($0) }
        #expect(head?.lastId == 0)
        #expect(head?.hash == AuditChain.zeroHash)
        #expect(try await store.verifyAuditChain().isIntact)
    }

    @Test("concurrent appends from many tasks, and from two stores on one file, keep one valid chain")
    func concurrentAppends() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("access.sqlite")
        let first = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        // A second pool on the same file: its own writer connection, like a second process.
        let second = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer {
            try? first.close()
            try? second.close()
        }
        let tasks = 8
        let perTask = 40
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<tasks {
                let store = task.isMultiple(of: 2) ? first : second
                group.addTask {
                    var ids: [Int64] = []
                    for index in 0..<perTask {
                        ids.append(try await store.appendAuditEvent(draft(task * perTask + index, principal: "cn=task\(task)")))
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ids.sorted() == Array(1...Int64(tasks * perTask)))
        for store in [first, second] {
            let report = try await store.verifyAuditChain()
            #expect(report.isIntact, "\(String(describing: report.problem))")
            #expect(report.checkedCount == tasks * perTask)
            #expect(report.lastId == Int64(tasks * perTask))
        }
        for task in 0..<tasks {
            #expect(try await first.auditEvents(query: AuditQuery(principal: "cn=task\(task)", limit: 1000)).events.count == perTask)
        }
    }

    @Test("one store also chains appends from many tasks", arguments: StoreKind.available)
    func concurrentAppendsOneStore(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<6 {
                group.addTask {
                    for index in 0..<25 { try await store.appendAuditEvent(draft(task * 25 + index)) }
                }
            }
            try await group.waitForAll()
        }
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact)
        #expect(report.checkedCount == 150)
    }
}

@Suite("Audit queries", .closesStores)
struct AuditQueryTests {
    /// 20 events: principals cn=host0/1/2 in turn, methods provision/putCredential/createToken/sync in turn, a minute apart.
    private func seeded(_ kind: StoreKind) async throws -> any AuditAndJournalStore {
        let store = try await kind.makeAuditStore()
        try await appendEvents(store, count: 20)
        return store
    }

    /// Every event of `query`, following cursors; also the number of pages.
    private func allPages(_ store: any AuditLog, _ query: AuditQuery) async throws -> (ids: [Int64], pages: Int) {
        var query = query
        var ids: [Int64] = []
        var pages = 0
        while true {
            let page = try await store.auditEvents(query: query)
            ids += page.events.map(\.id)
            pages += 1
            guard let next = page.nextCursor, pages < 1000 else { break }
            query.cursor = next
        }
        return (ids, pages)
    }

    @Test("filters: since, principal, method, and all combined; newest first", arguments: StoreKind.available)
    func filters(kind: StoreKind) async throws {
        let store = try await seeded(kind)
        // Event id i is draft(i - 1): principal cn=host((i-1)%3), method index (i-1)%4, at minute i-1.
        let all = try await store.auditEvents(query: AuditQuery(limit: 100))
        #expect(all.events.map(\.id) == Array((1...20).reversed()))
        #expect(all.nextCursor == nil)

        let since = try await store.auditEvents(query: AuditQuery(since: T.at(minutes: 15), limit: 100))
        #expect(since.events.map(\.id) == [20, 19, 18, 17, 16])
        // Millisecond precision: one millisecond later excludes minute 15's event.
        let later = try await store.auditEvents(query: AuditQuery(since: T.at(minutes: 15).addingTimeInterval(0.001), limit: 100))
        #expect(later.events.map(\.id) == [20, 19, 18, 17])

        let host1 = try await store.auditEvents(query: AuditQuery(principal: "cn=host1", limit: 100))
        #expect(host1.events.map(\.id) == [20, 17, 14, 11, 8, 5, 2])
        #expect(host1.events.allSatisfy { $0.principal == "cn=host1" })

        let tokens = try await store.auditEvents(query: AuditQuery(method: "createToken", limit: 100))
        #expect(tokens.events.map(\.id) == [19, 15, 11, 7, 3])

        let combined = try await store.auditEvents(query: AuditQuery(since: T.at(minutes: 5), principal: "cn=host1", method: "createToken", limit: 100))
        #expect(combined.events.map(\.id) == [11])

        #expect(try await store.auditEvents(query: AuditQuery(principal: "cn=nobody", limit: 10)) == AuditPage(events: [], nextCursor: nil))
        #expect(try await store.auditEvents(query: AuditQuery(principal: "CN=HOST1", limit: 10)).events.isEmpty)
    }

    @Test("cursor paging visits every match once, newest first, with and without filters", arguments: StoreKind.available)
    func paging(kind: StoreKind) async throws {
        let store = try await seeded(kind)
        let plain = try await allPages(store, AuditQuery(limit: 3))
        #expect(plain.ids == Array((1...20).reversed()))
        #expect(plain.pages == 7)

        let exact = try await allPages(store, AuditQuery(limit: 5))
        #expect(exact.ids == Array((1...20).reversed()))
        #expect(exact.pages == 4)   // no empty fifth page: nextCursor is nil on the last full page

        let filtered = try await allPages(store, AuditQuery(principal: "cn=host1", limit: 2))
        #expect(filtered.ids == [20, 17, 14, 11, 8, 5, 2])
        #expect(filtered.pages == 4)

        // Appends between pages do not shift the pages already read or the ones to come.
        let first = try await store.auditEvents(query: AuditQuery(limit: 4))
        try await appendEvents(store, count: 2, from: 20)
        let second = try await store.auditEvents(query: AuditQuery(limit: 4, cursor: first.nextCursor))
        #expect(first.events.map(\.id) == [20, 19, 18, 17])
        #expect(second.events.map(\.id) == [16, 15, 14, 13])

        // The old entry point pages the same way.
        #expect(try await store.auditEvents(limit: 3, beforeId: 10).map(\.id) == [9, 8, 7])
    }

    @Test("bad limits, empty filters and foreign cursors are refused", arguments: StoreKind.available)
    func badQueries(kind: StoreKind) async throws {
        let store = try await seeded(kind)
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got 0")) {
            try await store.auditEvents(query: AuditQuery(limit: 0))
        }
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got 1001")) {
            try await store.auditEvents(query: AuditQuery(limit: 1001))
        }
        await #expect(throws: AccessStoreError.invalidQuery("principal is empty")) {
            try await store.auditEvents(query: AuditQuery(principal: ""))
        }
        await #expect(throws: AccessStoreError.invalidQuery("method is empty")) {
            try await store.auditEvents(query: AuditQuery(method: ""))
        }
        let userCursor = UserCursor(n: "ada", g: "u1").encoded()
        for cursor in ["", "not a cursor", "e30", "!!!", userCursor, String(repeating: "A", count: 300)] {
            await #expect(throws: AccessStoreError.invalidCursor, "\(cursor)") {
                try await store.auditEvents(query: AuditQuery(cursor: cursor))
            }
        }
    }

    @Test("forEachAuditEvent reads oldest first, from `since` on", arguments: StoreKind.available)
    func oldestFirst(kind: StoreKind) async throws {
        let store = try await seeded(kind)
        #expect(try await allAuditEvents(store, since: T.at(minutes: 17)).map(\.id) == [18, 19, 20])
        #expect(try await allAuditEvents(store).map(\.id) == Array(1...20))
    }

    @Test("an event encodes its hashes as hex and decodes back", arguments: StoreKind.available)
    func codable(kind: StoreKind) async throws {
        let store = try await seeded(kind)
        let event = try #require(try await store.auditEvents(limit: 1).first)
        let data = try JSONEncoder().encode(event)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["hash"] as? String == AuditEvent.hex(event.hash))
        #expect((object["prevHash"] as? String)?.count == 64)
        #expect(try JSONDecoder().decode(AuditEvent.self, from: data) == event)
    }
}
