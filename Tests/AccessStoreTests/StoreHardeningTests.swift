import AccessProtocol
import Crypto
import Foundation
import GRDB
import Testing
@testable import AccessStore

/// Issue 10, items 5, 7, 8, 11 and 12 (full disk), at the store level.
@Suite("Store hardening: lock, no implicit store, keyed audit chain, token expiry, full disk")
struct StoreHardeningTests {
    private func event(_ index: Int) -> AuditEventDraft {
        AuditEventDraft(at: T.at(minutes: index), principal: "cn=p\(index % 3)", method: "tokens.create",
                        params: "{\"n\":\(index)}", result: "{}", outcome: "ok")
    }

    // MARK: 8. Keyed chain and anchor

    @Test("an attacker with the database alone re-hashes an edited event and every later link and the head: verify fails at that event")
    func forgeryWithoutKeyFails() async throws {
        let store = try makeStore()
        for index in 1...6 { try await store.appendAuditEvent(event(index)) }
        // Rewrite event 3 and rebuild the chain from there the only way possible without the key:
        // plain SHA-256 (the pre-v8 scheme), and an HMAC under a key of the attacker's own.
        for scheme in [AuditChain.Scheme.unkeyed, .keyed(SymmetricKey(size: .bits256))] {
            try await store.dbWriter.write { db in
                try db.execute(sql: "UPDATE auditEvent SET params = '{\"n\":999}' WHERE id = 3")
                var previous = try Data.fetchOne(db, sql: "SELECT hash FROM auditEvent WHERE id = 2") ?? AuditChain.zeroHash
                var lastId: Int64 = 2
                for row in try Row.fetchAll(db, sql: "SELECT \(AuditChain.selectColumns) FROM auditEvent WHERE id >= 3 ORDER BY id") {
                    let stored = AuditChain.StoredRow(row)
                    let hash = try #require(stored.computedHash(prevHash: previous, scheme: scheme))
                    try db.execute(sql: "UPDATE auditEvent SET prevHash = ?, hash = ? WHERE id = ?", arguments: [previous, hash, stored.id])
                    previous = hash
                    lastId = stored.id
                }
                try AuditChain.setHead(db, lastId: lastId, hash: previous)
            }
            let report = try await store.verifyAuditChain()
            #expect(report.problem == .hashMismatch(id: 3))
            #expect(report.checkedCount == 2)
        }
    }

    @Test("deleting the newest events and rewriting the head passes a plain verify, but not --expect-head; new events after a truncation do not match either")
    func truncationDetectedByAnchor() async throws {
        let store = try makeStore()
        for index in 1...10 { try await store.appendAuditEvent(event(index)) }
        let (anchor, report) = try await store.auditChainHead()
        #expect(report.isIntact)
        #expect(anchor.seq == 10)
        #expect(anchor.mac == (try await store.auditEvents(limit: 1).first?.hash))
        #expect(try await store.verifyAuditChain(expectedHead: anchor).isIntact)

        // The attack: delete events 9 and 10, point the head at event 8 (its id and MAC are in the file).
        try await store.dbWriter.write { db in
            try db.execute(sql: "DELETE FROM auditEvent WHERE id > 8")
            let mac8 = try #require(try Data.fetchOne(db, sql: "SELECT hash FROM auditEvent WHERE id = 8"))
            try AuditChain.setHead(db, lastId: 8, hash: mac8)
        }
        #expect(try await store.verifyAuditChain().isIntact)  // the database alone cannot tell: hence the anchor
        let truncated = try await store.verifyAuditChain(expectedHead: anchor)
        #expect(truncated.problem == .anchorBeyondChain(anchorId: 10, chainLastId: 8))
        #expect(truncated.firstBrokenEventId == 9)

        // Two new events bring the chain back to 10, but event 10 is not the recorded one.
        for index in 11...12 { try await store.appendAuditEvent(event(index)) }
        #expect(try await store.verifyAuditChain().isIntact)
        #expect(try await store.verifyAuditChain(expectedHead: anchor).problem == .anchorMismatch(id: 10))
        // An earlier anchor still matches.
        #expect(try await store.verifyAuditChain(expectedHead: AuditAnchor(seq: 8, mac: try await #require(
            try await store.dbWriter.read { try Data.fetchOne($0, sql: "SELECT hash FROM auditEvent WHERE id = 8") }))).isIntact)
    }

    @Test("AuditAnchor parses SEQ:MAC and prints it back; malformed text is refused")
    func anchorText() async throws {
        let mac = Data((0..<32).map { UInt8($0 * 7 & 0xff) })
        let text = "42:\(AuditEvent.hex(mac))"
        #expect(AuditAnchor(text) == AuditAnchor(seq: 42, mac: mac))
        #expect(AuditAnchor(text)?.description == text)
        #expect(AuditAnchor("42:\(AuditEvent.hex(mac).uppercased())") == AuditAnchor(seq: 42, mac: mac))
        for bad in ["", "42", "42:", "-1:\(AuditEvent.hex(mac))", "x:\(AuditEvent.hex(mac))", "42:\(AuditEvent.hex(mac).dropLast())",
                    "42:\(AuditEvent.hex(mac))00", "42:\(String(repeating: "g", count: 64))", "1:2:\(AuditEvent.hex(mac))"] {
            #expect(AuditAnchor(bad) == nil, "\(bad)")
        }
        // The empty log's head.
        let empty = try await makeStore().auditChainHead()
        #expect(empty.anchor.description == "0:" + String(repeating: "0", count: 64))
        #expect(empty.report.isIntact)
    }

    @Test("rotate-key re-MACs the chain in the re-seal transaction: it verifies under the new key, old anchors no longer match, the old key fails")
    func rotationKeepsChainVerifiable() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("access.sqlite")
        let oldKey = MasterKey.generate()
        let store = try SQLiteAccessStore.open(path: path, masterKey: oldKey, mode: .create)
        for index in 1...5 { try await store.appendAuditEvent(event(index)) }
        let before = try await store.auditChainHead().anchor
        let newKey = MasterKey.generate()
        let (rotated, _) = try await store.resealCredentials(with: newKey, at: T.at(minutes: 9))
        let after = try await rotated.auditChainHead()
        #expect(after.report.isIntact)
        #expect(after.anchor.seq == 5)
        #expect(after.anchor.mac != before.mac)
        #expect(try await rotated.verifyAuditChain(expectedHead: before).problem == .anchorMismatch(id: 5))
        #expect(try await store.verifyAuditChain().problem == .hashMismatch(id: 1))  // the old key's view
        try await rotated.appendAuditEvent(event(6))
        #expect(try await rotated.verifyAuditChain().isIntact)
        try rotated.close()
        let reopened = try SQLiteAccessStore.open(path: path, masterKey: newKey)
        #expect(try await reopened.verifyAuditChain().checkedCount == 6)
    }

    @Test("migration v8 records a chain that was already broken before it was keyed")
    func migrationRecordsBrokenUnkeyedChain() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("access.sqlite")
        let key = MasterKey.generate()
        let pool = try DatabasePool(path: path, configuration: SQLiteAccessStore.makeConfiguration())
        try Migrations.migrator(masterKey: key).migrate(pool, upTo: "v7")
        try await pool.write { db in
            for index in 1...3 {
                _ = try db.execute(sql: "INSERT INTO auditEvent (at, principal, method, params, result, outcome, prevHash) VALUES (?, 'p', 'm', '{}', '{}', 'ok', ?)",
                                   arguments: [index, AuditChain.head(db)?.hash ?? AuditChain.zeroHash])
                let id = db.lastInsertedRowID
                let row = try #require(try Row.fetchOne(db, sql: "SELECT \(AuditChain.selectColumns) FROM auditEvent WHERE id = ?", arguments: [id]))
                let hash = try #require(AuditChain.StoredRow(row).computedHash(prevHash: AuditChain.head(db)?.hash ?? AuditChain.zeroHash, scheme: .unkeyed))
                try db.execute(sql: "UPDATE auditEvent SET hash = ? WHERE id = ?", arguments: [hash, id])
                try AuditChain.setHead(db, lastId: id, hash: hash)
            }
            try db.execute(sql: "UPDATE auditEvent SET principal = 'intruder' WHERE id = 2")
        }
        try pool.close()
        let store = try SQLiteAccessStore.open(path: path, masterKey: key)
        let keyed = try #require(try await store.auditEvents(limit: 1).first)
        #expect(keyed.method == "auditChain.keyed")
        #expect(keyed.outcome == "chain_was_broken")
        #expect(keyed.result.contains("broken at event 2"))
        #expect(try await store.verifyAuditChain().isIntact)
    }

    // MARK: 7. Only init creates

    @Test("open(.existing) refuses a missing file, a 0-byte file and a schema-less database, creating and changing nothing")
    func existingModeCreatesNothing() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()

        let missing = dir.file("nested/missing.sqlite")
        #expect(throws: AccessStoreError.databaseMissing(path: missing)) { try SQLiteAccessStore.open(path: missing, masterKey: key) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("nested")))

        let empty = dir.file("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(throws: AccessStoreError.databaseEmpty(path: empty)) { try SQLiteAccessStore.open(path: empty, masterKey: key) }
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.size] as? NSNumber)?.intValue == 0)

        let bare = dir.file("bare.sqlite")
        let queue = try DatabaseQueue(path: bare)
        try await queue.write { try $0.execute(sql: "CREATE TABLE unrelated (x INTEGER)") }
        try queue.close()
        #expect(throws: AccessStoreError.databaseEmpty(path: bare)) { try SQLiteAccessStore.open(path: bare, masterKey: key) }
        #expect(try await DatabaseQueue(path: bare).read { try $0.tableExists("auditEvent") } == false)

        let real = dir.file("real.sqlite")
        try SQLiteAccessStore.open(path: real, masterKey: key, mode: .create).close()
        let reopened = try SQLiteAccessStore.open(path: real, masterKey: key)
        #expect(try await reopened.apiTokens().isEmpty)
    }

    // MARK: 5. Lock

    @Test("the data directory lock is exclusive, names its holder's pid, and is free again once released")
    func lockIsExclusive() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let first = try DataDirectoryLock.acquire(directory: dir.path, purpose: "serve")
        #expect(try String(contentsOfFile: dir.file("asana-accessd.lock"), encoding: .utf8) == "\(getpid())\nserve\n")
        #expect(try permissions(dir.file("asana-accessd.lock")) == 0o600)
        #expect(throws: AccessStoreError.dataDirectoryLocked(lockPath: dir.file("asana-accessd.lock"), holderPid: getpid())) {
            try DataDirectoryLock.acquire(directory: dir.path, purpose: "tokens create")
        }
        #expect(DataDirectoryLock.holderPid(directory: dir.path) == getpid())
        first.release()
        let second = try DataDirectoryLock.acquire(directory: dir.path, purpose: "tokens create")
        #expect(try String(contentsOfFile: dir.file("asana-accessd.lock"), encoding: .utf8) == "\(getpid())\ntokens create\n")
        second.release()
        #expect(throws: AccessStoreError.self) { try DataDirectoryLock.acquire(directory: dir.file("no-such-dir"), purpose: "serve") }
        #expect(!FileManager.default.fileExists(atPath: dir.file("no-such-dir")))
    }

    // MARK: 11. Token expiry

    @Test("a token with an expiry verifies until that instant, then fails like a wrong one; the summary and the list carry expiresAt")
    func tokenExpiry() async throws {
        let store = try makeStore()
        let (token, summary) = try await store.createAPIToken(name: "ci-90d", role: .reader, at: T.t0, expiresAt: T.at(minutes: 60))
        #expect(summary.expiresAt == T.at(minutes: 60))
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 59))?.expiresAt == T.at(minutes: 60))
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 60)) == nil)
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 600)) == nil)
        let (forever, _) = try await store.createAPIToken(name: "ci-forever", role: .admin, at: T.t0)
        #expect(try await store.verifyAPIToken(forever, at: T.at(minutes: 10_000_000))?.expiresAt == nil)
        let listed = try await store.apiTokens()
        #expect(listed.map(\.name) == ["ci-90d", "ci-forever"])
        #expect(listed.map(\.expiresAt) == [T.at(minutes: 60), nil])
        #expect(listed[0].isExpired(at: T.at(minutes: 60)) && !listed[0].isExpired(at: T.at(minutes: 59)))
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(listed[1])) as? [String: Any]
        #expect(encoded?["expiresAt"] is NSNull)

        for bad in [T.t0, T.t0.addingTimeInterval(59), T.t0.addingTimeInterval(3651 * 86400)] {
            await #expect(throws: AccessStoreError.self) { try await store.createAPIToken(name: "bad-\(Int(bad.timeIntervalSince(T.t0)))", role: .reader, at: T.t0, expiresAt: bad) }
        }
        #expect(try await store.apiTokens().count == 2)
    }

    @Test("lifetimes: Nd, Nh, Nm; anything else is refused")
    func lifetimeSyntax() {
        #expect(APITokenLifetime.parse("90d") == TimeInterval(7_776_000))
        #expect(APITokenLifetime.parse("12h") == TimeInterval(43_200))
        #expect(APITokenLifetime.parse("30m") == TimeInterval(1800))
        for bad in ["", "d", "0d", "-1d", "1.5d", "1w", "1D", " 1d", "1d ", "90", "1000000d", "1e3d", "+5m"] {
            #expect(APITokenLifetime.parse(bad) == nil, "\(bad)")
        }
    }

    // MARK: 12. Full disk

    @Test("SQLITE_FULL (page limit reached, a real SQLite failure) is AccessStoreError.storageFull; nothing of the transaction is committed")
    func fullDiskIsTyped() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("access.sqlite")
        let store = try SQLiteAccessStore.open(path: path, masterKey: MasterKey.generate(), mode: .create)
        defer { try? store.close() }
        try await store.appendAuditEvent(event(1))
        // The writer connection may not grow the file past its current size.
        try await store.dbWriter.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        let big = "{\"blob\":\"\(String(repeating: "x", count: 200_000))\"}"
        await #expect(throws: AccessStoreError.storageFull(path: path)) {
            try await store.appendAuditEvent(AuditEventDraft(at: T.t0, principal: "p", method: "m", params: big, result: "{}", outcome: "ok"))
        }
        await #expect(throws: AccessStoreError.storageFull(path: path)) {
            _ = try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: String(repeating: "s", count: 200_000), at: T.t0)
        }
        #expect(AccessStoreError.storageFull(path: path).isStorageFailure)
        #expect(AccessStoreError.storageFull(path: path).description.contains("nothing was committed"))
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact)
        #expect(report.checkedCount == 1)
        #expect(try await store.credentialSummaries().isEmpty)
    }
}
