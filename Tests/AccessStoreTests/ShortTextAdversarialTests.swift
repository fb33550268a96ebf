import Foundation
import GRDB
import Testing
import TestSupport
@testable import AccessStore

/// A reviewer's adversarial cases for v19-search-trigrams (session 15): 1- and 2-character texts through the index,
/// `searchTrigram` and the `searchTrigrams` aggregate.
@Suite("listUsers query: short texts, adversarial")
struct ShortTextAdversarialTests {
    let search = SearchIndexTests()
    let ranks = ListingRankTests()

    /// Hex of a text's scalars, for messages.
    func hex(_ text: String) -> String { text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ") }

    /// Every 1- and 2-scalar text of the search form of `users`' names and emails, plus `extra`.
    func shortTexts(_ users: [SnapshotUser], extra: [String] = []) -> [String] {
        var texts = Set(extra)
        for user in users {
            for value in [user.name, user.email].compactMap({ $0 }) {
                let scalars = Array(SearchKey.of(value).unicodeScalars)
                for length in [1, 2] where scalars.count >= length {
                    for start in 0...(scalars.count - length) {
                        var text = String.UnicodeScalarView(); text.append(contentsOf: scalars[start..<(start + length)])
                        texts.insert(String(text))
                    }
                }
            }
        }
        return texts.sorted()
    }

    /// Index and scan walks (limit 1 and 3) of every text, and the Swift substring test: the failures.
    func disagreements(_ store: SQLiteAccessStore, _ users: [SnapshotUser], _ texts: [String]) async throws -> [String] {
        var failures: [String] = []
        for text in texts {
            for limit in [1, 3] {
                let query = UserQuery(workspaceGid: "1000", query: text, limit: limit)
                guard (try? UserListing(query)) != nil else { continue }
                let scan = try await ranks.walk(store, query, plan: .scan)
                let index = try await ranks.walk(store, query, plan: .index)
                let want = search.expected(users, text)
                if scan.pages.flatMap({ $0 }) != want { failures.append("scan [\(hex(text))] limit \(limit): \(scan.pages) want \(want)") }
                if index.pages != scan.pages || index.cursors != scan.cursors {
                    failures.append("index [\(hex(text))] limit \(limit): \(index.pages) vs scan \(scan.pages)")
                }
            }
            let listed = try await store.listUsers(UserQuery(workspaceGid: "1000", query: text, limit: 1000)).users.map(\.gid)
            if listed != search.expected(users, text) { failures.append("listUsers [\(hex(text))]: \(listed) want \(search.expected(users, text))") }
        }
        return failures
    }

    // MARK: - U+10FFFF: the range of searchTrigram misses trigrams whose 2nd scalar is U+10FFFF

    @Test("a 1-character text finds the people where it is followed by U+10FFFF (the range of its trigrams ends at the text and two U+10FFFF, not one)")
    func maxScalarAfterText() async throws {
        let store = try makeStore()
        let users = [
            SnapshotUser(gid: "u1", name: "a\u{10FFFF}", email: nil, isActive: true),            // 'a' only before U+10FFFF, at the end
            SnapshotUser(gid: "u2", name: "Zb\u{10FFFF}c", email: "zz@x.io", isActive: true),     // 'b' only before U+10FFFF, inside
            SnapshotUser(gid: "u3", name: "\u{10FFFF}\u{10FFFF}k", email: nil, isActive: true),   // U+10FFFF before U+10FFFF
            SnapshotUser(gid: "u4", name: "Plain", email: "plain@x.io", isActive: true),
        ]
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        #expect(try await search.indexInStep(store))
        for (text, want) in [("a", ["u1", "u4"]), ("b", ["u2"]), ("\u{10FFFF}", ["u1", "u2", "u3"])] {
            let query = UserQuery(workspaceGid: "1000", query: text)
            #expect(search.expected(users, text) == want, "\(hex(text))")
            #expect(try await search.plan(store, query) == .index, "\(hex(text)): served by the index")
            #expect(try await search.page(store, query, plan: .scan) == want, "scan \(hex(text))")
            #expect(try await search.page(store, query, plan: .index) == want, "index \(hex(text))")
            #expect(try await store.listUsers(query).users.map(\.gid) == want, "listUsers \(hex(text))")
        }
    }

    // MARK: - searchTrigram against the index's own vocabulary

    @Test("searchTrigram lists every term of the index itself (fts5vocab), for names with every control character, quotes, backslash, slash, emoji, noncharacters")
    func vocabularyListed() async throws {
        let store = try makeStore()
        var users: [SnapshotUser] = []
        var controls = String.UnicodeScalarView()
        for value in UInt32(1)...0x1F { controls.append(Unicode.Scalar(value)!) }
        controls.append(Unicode.Scalar(0x7F)!)
        let names: [String] = [
            "c" + String(controls) + "d", "q\"\\/\u{2028}\u{2029}r", "\u{1F600}\u{1F469}\u{200D}\u{1F4BB}e",
            "x\u{D7FF}\u{E000}y", "m" + String(Character(Unicode.Scalar(0xFDD0)!)) + "\u{EFFFF}n", "k\u{301}\u{302}", "w\u{FEFF}v", "j\u{85}\u{A0}l",
        ]
        for (index, name) in names.enumerated() {
            users.append(SnapshotUser(gid: String(format: "n%02d", index), name: name, email: "\(name)@x.io", isActive: true))
        }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        #expect(try await search.indexInStep(store))
        let unlisted = try await search.unlistedIndexTerms(store)
        #expect(unlisted.isEmpty, "\(unlisted.map(hex))")
        let failures = try await disagreements(store, users, shortTexts(users))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("U+FFFE and U+FFFF are listed as U+FFFD, as the index holds them (SQLite reads them so when it decodes UTF-8): searchTrigram holds every trigram of the index as stored")
    func nonCharactersListedAsStored() async throws {
        let store = try makeStore()
        let users = [SnapshotUser(gid: "f1", name: "a\u{FFFE}b", email: nil, isActive: true),
                     SnapshotUser(gid: "f2", name: "c\u{FFFF}", email: nil, isActive: true)]
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        let unlisted = try await search.unlistedIndexTerms(store)
        #expect(unlisted.isEmpty, "\(unlisted.map(hex))")
        let failures = try await disagreements(store, users, shortTexts(users, extra: ["a", "b", "c"]))
        #expect(failures.isEmpty, "\(failures)")
    }

    // MARK: - the 100-trigram limit

    @Test("a character beginning exactly 100 trigrams is read from the index, 101 scanned; both give the scan's pages")
    func hundredTrigrams() async throws {
        let store = try makeStore()
        var users = (0..<100).map { SnapshotUser(gid: String(format: "h%03d", $0), name: String(format: "Q%02d", $0), email: nil, isActive: true) }
        users.append(SnapshotUser(gid: "other", name: "Nobody", email: "n@x.io", isActive: true))
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        #expect(try await store.dbWriter.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM searchTrigram WHERE term >= 'q' AND term < 'r'") } == 100)
        #expect(try await search.plan(store, UserQuery(workspaceGid: "1000", query: "q")) == .index)
        #expect(try await disagreements(store, users, ["q", "Q", "q0", "q9", "0", "9"]).isEmpty)
        // One more trigram, by an email change that keeps the rank (the update trigger alone).
        users[100] = SnapshotUser(gid: "other", name: "Nobody", email: "qzz@x.io", isActive: true)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.at(minutes: 1))
        #expect(try await search.plan(store, UserQuery(workspaceGid: "1000", query: "q")) == .scan)
        let failures = try await disagreements(store, users, ["q", "Q", "qz", "q0"])
        #expect(failures.isEmpty, "\(failures)")
        // Back out: the trigram stays listed (by design), the plan stays the scan, the answers are the same.
        users[100] = SnapshotUser(gid: "other", name: "Nobody", email: "n@x.io", isActive: true)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.at(minutes: 2))
        #expect(try await disagreements(store, users, ["q", "qz"]).isEmpty)
    }

    // MARK: - writes: renames in place, provision, failed transactions, departures

    @Test("email-only and name changes in place, provisioned people and departures: every short text agrees, and the vocabulary is listed")
    func writesInPlace() async throws {
        let store = try makeStore()
        var users = [SnapshotUser(gid: "r1", name: "Mm", email: "m@x.io", isActive: true),
                     SnapshotUser(gid: "r2", name: "Nn", email: nil, isActive: true),
                     SnapshotUser(gid: "r3", name: nil, email: "o@x.io", isActive: true)]
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        // An email change (rank kept), a name change that keeps the place (case only), a new email for a nameless person.
        users[0] = SnapshotUser(gid: "r1", name: "Mm", email: "\u{4E2D}@x.io", isActive: true)
        users[1] = SnapshotUser(gid: "r2", name: "NN\u{1F600}", email: "\u{1F}", isActive: true)
        users[2] = SnapshotUser(gid: "r3", name: nil, email: "\u{10FFFE}\u{10FFFD}", isActive: true)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.at(minutes: 1))
        #expect(try await search.indexInStep(store))
        // A provisioned person (insert through applyProvisionChange), then an email-only provision change.
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "r4", name: "\u{3B1}", email: "\u{5D0}@x.io", isActive: true),
            workspaceAction: .added, principal: "tester", callId: "c1"), at: T.at(minutes: 2))
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "r1", email: "\u{0416}"), workspaceAction: .none,
            principal: "tester", callId: "c2"), at: T.at(minutes: 3))
        users[0] = SnapshotUser(gid: "r1", name: "Mm", email: "\u{0416}", isActive: true)
        users.append(SnapshotUser(gid: "r4", name: "\u{3B1}", email: "\u{5D0}@x.io", isActive: true))
        #expect(try await search.indexInStep(store))
        #expect(try await search.unlistedIndexTerms(store).isEmpty)
        let failures = try await disagreements(store, users, shortTexts(users, extra: ["\u{4E2D}", "m", "@"]))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("a write that lists trigrams and then fails leaves searchTrigram as it was")
    func failedWriteKeepsList() async throws {
        struct Boom: Error {}
        let store = try makeStore()
        let users = [SnapshotUser(gid: "a", name: "Ab", email: nil, isActive: true)]
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        let before = try await store.dbWriter.read { db in try String.fetchAll(db, sql: "SELECT term FROM searchTrigram ORDER BY term") }
        await #expect(throws: Boom.self) {
            try await store.dbWriter.write { db in
                try db.execute(sql: "UPDATE workspaceUser SET email = 'zzz\u{263A}' WHERE gid = 'a'")
                try db.execute(sql: """
                    INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, firstSeenAt, lastSeenAt, changedAt, addedAt)
                    VALUES ('1000', 'new', 'Yy\u{2665}', NULL, 1, 1, 1, 1, 1)
                    """)
                try ListingRank.refresh(db)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM searchTrigram") ?? 0 > before.count)
                throw Boom()
            }
        }
        #expect(try await store.dbWriter.read { db in try String.fetchAll(db, sql: "SELECT term FROM searchTrigram ORDER BY term") } == before)
        #expect(try await search.page(store, UserQuery(workspaceGid: "1000", query: "\u{2665}"), plan: .index).isEmpty)
    }

    // MARK: - the aggregate itself

    @Test("searchTrigrams: no rows, NULLs, non-text values, no arguments, many groups, an error mid-aggregate, JSON round trip of every kind of scalar")
    func aggregate() async throws {
        let store = try makeStore()
        try await store.dbWriter.write { db in
            #expect(try String.fetchOne(db, sql: "SELECT searchTrigrams('abc') WHERE 0") == "[]")
            #expect(try String.fetchOne(db, sql: "SELECT searchTrigrams(NULL, 12345, x'616263', 2.5)") == "[]")
            #expect(try String.fetchOne(db, sql: "SELECT searchTrigrams()") == "[]")
            #expect(try String.fetchOne(db, sql: "SELECT searchTrigrams('ab', 'c')") == "[]", "no trigram across arguments")
            // Many groups, each its own state.
            let groups = try String.fetchAll(db, sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                SELECT searchTrigrams(printf('%04d', i)) FROM n GROUP BY i % 7 ORDER BY i % 7
                """)
            #expect(groups.count == 7)
            for json in groups {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM json_each(?)", arguments: [json]) ?? 0 > 100)
            }
            // An error in a later row of the aggregate: the statement fails, no crash, no leak of the state.
            for _ in 0..<200 {
                #expect(throws: DatabaseError.self) {
                    try String.fetchOne(db, sql: """
                        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
                        SELECT searchTrigrams(CASE WHEN i = 40 THEN json('{bad') ELSE printf('%05d', i) END) FROM n
                        """)
                }
            }
            // As a window function: refused.
            #expect(throws: DatabaseError.self) { try String.fetchAll(db, sql: "SELECT searchTrigrams('abc') OVER () FROM (SELECT 1)") }
            // Round trip of every kind of scalar through the JSON.
            var all = String.UnicodeScalarView()
            for value in UInt32(1)...0x2FF { if let scalar = Unicode.Scalar(value) { all.append(scalar) } }
            for value: UInt32 in [0x2028, 0x2029, 0xD7FF, 0xE000, 0xFDD0, 0xFEFF, 0xFFFC, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1F600, 0x10FFFE, 0x10FFFF] {
                all.append(Unicode.Scalar(value)!)
            }
            let text = String(all)
            let got = try String.fetchAll(db, sql: "SELECT value FROM json_each((SELECT searchTrigrams(?)))", arguments: [text])
            let want = SearchTrigrams.trigrams(of: text).map(SearchTrigrams.string)
            #expect(Set(got.map { $0.unicodeScalars.map(\.value) }) == Set(want.map { $0.unicodeScalars.map(\.value) }))
            #expect(got.count == want.count)
        }
    }

    // MARK: - migration

    @Test("the migration from v18 of people whose names hold U+10FFFF, U+FFFF, control characters: short texts agree")
    func migrationFromV18Odd() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let users = [SnapshotUser(gid: "a", name: "Tt\u{1}", email: "t\u{10FFFF}@x", isActive: true),
                     SnapshotUser(gid: "b", name: "u\u{FFFF}", email: nil, isActive: true),
                     SnapshotUser(gid: "c", name: "\"", email: "\\", isActive: true)]
        let (store, _) = try await ranks.storeLeftByV18(in: dir, holding: users)
        defer { try? store.close() }
        #expect(try await search.indexInStep(store))
        let failures = try await disagreements(store, users, shortTexts(users))
        #expect(failures.isEmpty, "\(failures)")
    }

    // MARK: - readers during writes

    @Test("pages of short texts read while people are renamed and added: each page is one of the scan's answers at some commit")
    func readersDuringWrites() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let store = try makeStore(fileStore: true, in: dir)
        var users = (0..<200).map { SnapshotUser(gid: String(format: "g%03d", $0), name: "P\($0)", email: "p\($0)@x.io", isActive: true) }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        var answers: [[String]] = [search.expected(users, "\u{3B6}")]
        let snapshots: [[SnapshotUser]] = (1...15).map { round in
            for index in stride(from: round, to: users.count, by: 15) {
                users[index] = SnapshotUser(gid: users[index].gid, name: "\u{3B6}\(round)x\(index)", email: "p\(index)@x.io", isActive: true)
            }
            return users
        }
        for snapshot in snapshots { answers.append(search.expected(snapshot, "\u{3B6}").prefix(100).map { $0 }) }
        answers = answers.map { Array($0.prefix(100)) }
        func writeAll() async throws {
            for (round, snapshot) in snapshots.enumerated() {
                try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: snapshot), at: T.at(minutes: round + 1))
            }
        }
        async let written: Void = writeAll()
        var seen: [[String]] = []
        for _ in 0..<400 {
            seen.append(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "\u{3B6}", limit: 100)).users.map(\.gid))
        }
        try await written
        let odd = seen.filter { !answers.contains($0) }
        #expect(odd.isEmpty, "\(odd.prefix(3))")
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "\u{3B6}", limit: 100)).users.map(\.gid) == answers.last!)
    }
}
