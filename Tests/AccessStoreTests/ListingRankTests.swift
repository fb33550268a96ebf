import Foundation
import GRDB
import Testing
import TestSupport
@testable import AccessStore

/// The listing ranks the text index is keyed by (migration v18-listing-rank, ``ListingRank``): they increase in
/// listing order after every write, only the people out of place get new ones, and a page read through them is the
/// scan's page.
@Suite("listUsers query: the listing ranks")
struct ListingRankTests {
    let search = SearchIndexTests()

    /// The ranks `fill` gives `count` people in the gap between `low` and `high` (both exclusive): evenly spaced, at
    /// most 2^24 apart, in the middle of the gap.
    func centered(_ count: Int, between low: Int64, and high: Int64) -> [Int64] {
        let step = min((high - low) / Int64(count + 1), 1 << 24)
        let first = low + ((high - low) - step * Int64(count + 1)) / 2
        return (1...count).map { first + step * Int64($0) }
    }

    /// `count` ranks 2^24 apart after `low` (a gap at the end of the order).
    func after(_ low: Int64, _ count: Int) -> [Int64] { (1...count).map { low + (1 << 24) * Int64($0) } }

    /// `count` ranks 2^24 apart before `high` (a gap at the start of the order).
    func before(_ high: Int64, _ count: Int) -> [Int64] { (1...count).map { high - (1 << 24) * Int64(count + 1 - $0) } }

    @Test("assign: nobody ranked yet gets ranks 2^24 apart in the middle of the space, in order")
    func assignFresh() {
        let ranks = ListingRank.assign([nil, nil, nil])
        #expect(ranks == centered(3, between: 0, and: Int64.max))
        #expect(ranks[1] - ranks[0] == 1 << 24 && ranks[2] - ranks[1] == 1 << 24)
        #expect(ranks[0] > 1 << 61 && ranks[2] < 1 << 62 + 1 << 61, "room on both sides")
    }

    @Test("assign: the longest increasing run of stored ranks is kept; the others go into the gaps between kept ones")
    func assignKeeps() {
        // 10, 20, 30 increase and are kept; 5 is out of place (after 20) and moves between 20 and 30; the new person
        // (nil) goes between 30 and the end of the space.
        let ranks = ListingRank.assign([10, 20, 5, 30, nil])
        #expect(ranks[0] == 10 && ranks[1] == 20 && ranks[3] == 30)
        #expect(ranks[2] == 25)
        #expect(ranks[4] == after(30, 1)[0], "at the end of the order: one step after the last")
        // Before the first: next to it (a step of 33 in a gap of 100: 34, 67), after the last: one step after it.
        #expect(ListingRank.assign([nil, nil, 100, nil]) == [34, 67, 100] + after(100, 1))
        let far: Int64 = 1 << 40
        #expect(ListingRank.assign([nil, nil, far, nil, far + 1000, nil]) == before(far, 2) + [far] + centered(1, between: far, and: far + 1000) + [far + 1000] + after(far + 1000, 1))
        #expect(ListingRank.longestIncreasingRun([3, 1, 2, nil, 5, 4]) == [1, 2, 5])
        #expect(ListingRank.longestIncreasingRun([nil, nil]).isEmpty)
        #expect(ListingRank.longestIncreasingRun([7, 7]).count == 1, "strictly increasing: equal ranks cannot both stay")
    }

    @Test("assign: a gap too narrow for its people ranks everyone again, in the middle of the space")
    func assignRenumbers() {
        #expect(ListingRank.assign([1, nil, 2, 3]) == centered(4, between: 0, and: Int64.max))
        // Ranks outside the space (never written by the store) are not kept.
        #expect(ListingRank.assign([0, nil]) == centered(2, between: 0, and: Int64.max))
    }

    @Test("people added one after another at the same place: the gap halves each time until everyone is ranked again; the ranks stay in order and pages stay right")
    func samePlace() async throws {
        let store = try makeStore()
        let others = [SnapshotUser(gid: "a", name: "Aaron Before", email: "a@acme.example", isActive: true),
                      SnapshotUser(gid: "z", name: "Zed After", email: "z@acme.example", isActive: true)]
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: others), at: T.t0)
        func rank(_ gid: String) async throws -> Int64? {
            try await store.dbWriter.read { db in try Int64.fetchOne(db, sql: "SELECT listingRank FROM workspaceUser WHERE gid = ?", arguments: [gid]) }
        }
        let firstRankOfZed = try await rank("z")
        // Same name, increasing gids: each sorts after the one before it and before "Zed After".
        for index in 0..<70 {
            try await store.applyProvisionChange(ProvisionChange(
                workspaceGid: "1000", user: SnapshotUser(gid: String(format: "m%03d", index), name: "Mia Same", email: "mia\(index)@acme.example", isActive: true),
                workspaceAction: .added, principal: "tester", callId: "call-\(index)"), at: T.at(minutes: 1 + index))
        }
        #expect(try await search.indexInStep(store))
        #expect(try await rank("z") != firstRankOfZed, "70 halvings of a gap of 2^24 cannot all fit: everyone was ranked again")
        let gids = try await allGids(store, UserQuery(workspaceGid: "1000", query: "same", limit: 9))
        #expect(gids == (0..<70).map { String(format: "m%03d", $0) })
        #expect(try await search.page(store, UserQuery(workspaceGid: "1000", query: "acme.example", limit: 3), plan: .index) == ["a", "m000", "m001"])
    }

    @Test("people added one after another at the end of the order each take one step after the last: nobody is ranked again")
    func appendsAtTheEnd() async throws {
        let store = try makeStore()
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: [
            SnapshotUser(gid: "a", name: "Aaron", email: "a@acme.example", isActive: true)]), at: T.t0)
        func rank(_ gid: String) async throws -> Int64? {
            try await store.dbWriter.read { db in try Int64.fetchOne(db, sql: "SELECT listingRank FROM workspaceUser WHERE gid = ?", arguments: [gid]) }
        }
        let first = try #require(try await rank("a"))
        for index in 0..<80 {
            try await store.applyProvisionChange(ProvisionChange(
                workspaceGid: "1000", user: SnapshotUser(gid: String(format: "z%03d", index), name: String(format: "Zz %03d", index), isActive: true),
                workspaceAction: .added, principal: "tester", callId: "call-\(index)"), at: T.at(minutes: 1 + index))
        }
        #expect(try await rank("a") == first)
        #expect(try await rank("z079") == first + 80 * (1 << 24))
        #expect(try await search.indexInStep(store))
    }

    @Test("a write that ranks nobody new leaves every rank as it was; a rename moves only the renamed person")
    func onlyMovedPeopleChange() async throws {
        let store = try makeStore()
        let users = (0..<50).map { SnapshotUser(gid: "g\($0)", name: "Person \(String(format: "%02d", $0))", email: "p\($0)@acme.example", isActive: true) }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        func ranks() async throws -> [String: Int64] {
            try await store.dbWriter.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT gid, listingRank FROM workspaceUser").map { ($0[0] as String, $0[1] as Int64) })
            }
        }
        let before = try await ranks()
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.at(minutes: 1))
        #expect(try await ranks() == before)
        var renamed = users
        renamed[3] = SnapshotUser(gid: "g3", name: "Aaron Person", email: "p3@acme.example", isActive: true)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: renamed), at: T.at(minutes: 2))
        let after = try await ranks()
        #expect(after.filter { before[$0.key] != $0.value }.map(\.key) == ["g3"])
        #expect(after["g3"]! < after["g0"]!)
        #expect(try await search.indexInStep(store))
    }

    @Test("random adds, renames, departures and returns in two workspaces: after each write the ranks are in order and every text page is the scan's page", arguments: [1, 2, 3] as [UInt64])
    func randomWrites(seed: UInt64) async throws {
        let store = try makeStore()
        var random = SeededRandom(seed: seed)
        let names = ["ann lee", "Ann Lee", "bo chen", "Zoë Ash", "émile roy", "Émile Roy", "kai ng", "", "ann leeds", "Bo Chenko"]
        func person(_ gid: String) -> SnapshotUser {
            let name = names[Int(random.next() % UInt64(names.count))]
            return SnapshotUser(gid: gid, name: name.isEmpty ? nil : name, email: "\(gid)@acme.example", isActive: true)
        }
        var present: [String: [String: SnapshotUser]] = ["1000": [:], "2000": [:]]
        let workspaces = ["1000": Fixture.workspace, "2000": SnapshotWorkspace(gid: "2000", name: "Other", isOrganization: true)]
        for step in 0..<12 {
            for (workspaceGid, people) in present {
                var next = people
                for _ in 0..<Int(random.next() % 15) {  // adds and returns (gids reused)
                    let gid = "u\(random.next() % 40)"
                    next[gid] = person(gid)
                }
                for gid in next.keys where random.next() % 6 == 0 { next[gid] = person(gid) }  // renames
                for gid in next.keys where random.next() % 8 == 0 { next[gid] = nil }  // departures
                present[workspaceGid] = next
                try await store.applySnapshot(WorkspaceSnapshot(workspace: workspaces[workspaceGid]!, users: Array(next.values)),
                                              at: T.at(minutes: step + 1))
            }
            #expect(try await search.indexInStep(store), "step \(step)")
            for workspaceGid in ["1000", "2000"] {
                for text in ["ann", "lee", "émile", "EMILE", "chen", "acme.example", "u1"] {
                    for limit in [1, 3, 50] {
                        let query = UserQuery(workspaceGid: workspaceGid, query: text, limit: limit)
                        let want = search.expected(Array(present[workspaceGid]!.values), text)
                        #expect(try await allGids(store, query) == want, "step \(step) \(workspaceGid) \(text) \(limit)")
                        #expect(try await search.page(store, query, plan: .index) == Array(want.prefix(limit)), "step \(step) \(text)")
                    }
                }
            }
        }
    }
}

// MARK: - A store as v18 left it

extension ListingRankTests {
    /// A store as v18 left it, holding `users` in workspace 1000 (every person ranked in listing order, each indexed
    /// value ending with one U+001F, the ranks fresh), then opened: migrated to the latest version. With the ranks it
    /// had, by gid.
    func storeLeftByV18(in dir: TempDirectory, holding users: [SnapshotUser]) async throws -> (store: SQLiteAccessStore, ranks: [Int64]) {
        let (store, ranks) = try await storeMigrated(in: dir, upTo: "v18-listing-rank") { db in
            try db.execute(sql: "INSERT INTO workspace (gid, name, isOrganization) VALUES ('1000', 'W', 1)")
            for user in users {
                try db.execute(sql: """
                    INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, firstSeenAt, lastSeenAt, changedAt, addedAt)
                    VALUES ('1000', ?, ?, ?, 1, 1, 1, 1, 1)
                    """, arguments: [user.gid, user.name, user.email])
            }
            try db.execute(sql: """
                UPDATE workspaceUser SET listingRank = (SELECT count(*) FROM workspaceUser o
                    WHERE (ifnull(o.name, '') COLLATE NOCASE, o.gid) <= (ifnull(workspaceUser.name, '') COLLATE NOCASE, workspaceUser.gid)) << 24;
                INSERT INTO workspaceUserSearch (rowid, nameKey, emailKey)
                    SELECT listingRank, searchKey(name) || char(31), searchKey(email) || char(31) FROM workspaceUser;
                UPDATE listingRankState SET stale = 0;
                """)
            return try Int64.fetchAll(db, sql: "SELECT listingRank FROM workspaceUser ORDER BY gid")
        }
        return (store, ranks)
    }
}

// MARK: - Adversarial cases (a reviewer's, session 14)

extension ListingRankTests {

    /// A walk through every page of `query` with `plan` forced, each page's cursor built as listUsers builds it:
    /// the pages (gids) and the cursors.
    func walk(_ store: SQLiteAccessStore, _ query: UserQuery, plan: SearchIndex.Plan) async throws -> (pages: [[String]], cursors: [String?]) {
        var query = query
        var pages: [[String]] = [], cursors: [String?] = []
        while pages.count < 1000 {
            let request = try SQLiteAccessStore.listUsersRequest(query, plan: plan)
            let rows = try await store.dbWriter.read { db in try Row.fetchAll(db, sql: request.sql, arguments: request.arguments) }
            let page = rows.prefix(query.limit)
            pages.append(page.map { $0[0] as String })
            let next = rows.count > query.limit ? page.last.map { UserCursor(n: $0[12], g: $0[0]).encoded() } : nil
            cursors.append(next)
            guard let next else { break }
            query.cursor = next
        }
        return (pages, cursors)
    }

    @Test("a 2-character text no trigram begins with must match nothing, not the people whose name ends with two U+001F")
    func twoCharactersNoTrigram() async throws {
        let store = try makeStore()
        let users = [SnapshotUser(gid: "a", name: "Ada", email: "ada@acme.example", isActive: true),
                     SnapshotUser(gid: "e", name: "Eve\u{1F}\u{1F}", email: "eve@acme.example", isActive: true),
                     SnapshotUser(gid: "u", name: "Unit\u{1F}\u{1F}\u{1F}Sep", email: "u@acme.example", isActive: true)]
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        #expect(try await search.indexInStep(store))
        let query = UserQuery(workspaceGid: "1000", query: "qz")
        #expect(search.expected(users, "qz").isEmpty)
        #expect(try await search.page(store, query, plan: .scan).isEmpty)
        #expect(try await search.page(store, query, plan: .index) == [], "index plan")
        #expect(try await store.listUsers(query).users.map(\.gid) == [], "listUsers")
    }

    @Test("odd names, every 1-, 2- and 3-character text of them and some absent ones: index, scan and Swift agree, page by page and cursor by cursor, limit 1 and 3")
    func oddTexts() async throws {
        let store = try makeStore()
        let names: [String?] = ["Ann", "ann", "ANN", "Ånn", "ånn", "Émile", "E\u{301}mile", "q\u{FFFE}r", "q\u{FFFD}r", "q\u{FFFF}r", nil, "",
                                "O\"Neil", "\"\"", "x\u{301}\u{301}", "İstanbul", "ß", "ẞig", "\u{1F600}ok", "a\u{1F}b", "zz"]
        var users: [SnapshotUser] = []
        for (index, name) in names.enumerated() {
            users.append(SnapshotUser(gid: String(format: "g%02d", index), name: name, email: index % 3 == 0 ? "ab" : (index % 3 == 1 ? nil : "p\(index)@x.io"), isActive: index % 2 == 0, isAdmin: index % 4 == 0))
        }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        #expect(try await search.indexInStep(store))
        var texts: Set<String> = ["qz", "\"\"", "\"", "ab", "io", "@x", "ok", "\u{1F600}o", "i\u{307}", "ss", "ß", "mi"]
        for user in users {
            for value in [user.name, user.email].compactMap({ $0 }) {
                let scalars = Array(SearchKey.of(value).unicodeScalars)
                for length in [1, 2, 3] where scalars.count >= length {
                    for start in 0...(scalars.count - length) {
                        var text = String.UnicodeScalarView(); text.append(contentsOf: scalars[start..<(start + length)])
                        texts.insert(String(text))
                    }
                }
            }
        }
        var failures: [String] = []
        for text in texts.sorted() {
            for (limit, admin) in [(1, nil), (3, nil), (1, true as Bool?)] {
                let query = UserQuery(workspaceGid: "1000", admin: admin, query: text, limit: limit)
                let scan = try await walk(store, query, plan: .scan)
                let index = try await walk(store, query, plan: .index)
                let want = search.expected(users.filter { admin == nil || $0.isAdmin == admin }, text)
                if scan.pages.flatMap({ $0 }) != want { failures.append("scan \(text.unicodeScalars.map { String($0.value, radix: 16) }) \(limit)") }
                if index.pages != scan.pages || index.cursors != scan.cursors {
                    failures.append("index \(text.unicodeScalars.map { String($0.value, radix: 16) }) \(limit): \(index.pages) vs \(scan.pages)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("a cursor at a person renamed far away or departed since: the next page through the index is the scan's")
    func staleCursor() async throws {
        let store = try makeStore()
        var users = (0..<30).map { SnapshotUser(gid: "g\(String(format: "%02d", $0))", name: "Person \(String(format: "%02d", $0))", email: "p\($0)@acme.example", isActive: true) }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        let query = UserQuery(workspaceGid: "1000", query: "person", limit: 5)
        let first = try await store.listUsers(query)
        // The last person of the first page is renamed to the end, the next one departs, a new one appears between.
        users[4] = SnapshotUser(gid: "g04", name: "Zed Person", email: "p4@acme.example", isActive: true)
        users.remove(at: 5)
        users.append(SnapshotUser(gid: "g99", name: "Person 04b", email: "new@acme.example", isActive: true))
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.at(minutes: 1))
        #expect(try await search.indexInStep(store))
        for includeDeparted in [false, true] {
            var next = query
            next.cursor = first.nextCursor
            next.includeDeparted = includeDeparted
            let scan = try await walk(store, next, plan: .scan)
            let index = try await walk(store, next, plan: .index)
            #expect(index.pages == scan.pages && index.cursors == scan.cursors, "\(index.pages) \(scan.pages)")
            #expect(scan.pages.first?.first == "g99")
        }
    }

    @Test("a write transaction that ranks and then fails leaves ranks, index and state as before")
    func failedWrite() async throws {
        struct Boom: Error {}
        let store = try makeStore()
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: SearchIndexTests.people), at: T.t0)
        func state() async throws -> [Row] {
            try await store.dbWriter.read { db in
                try Row.fetchAll(db, sql: "SELECT gid, listingRank, (SELECT stale FROM listingRankState) FROM workspaceUser ORDER BY gid")
            }
        }
        let before = try await state()
        await #expect(throws: Boom.self) {
            try await store.dbWriter.write { db in
                try db.execute(sql: "UPDATE workspaceUser SET name = 'AAA first' WHERE gid = 'p13'")
                try db.execute(sql: """
                    INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, firstSeenAt, lastSeenAt, changedAt, addedAt)
                    VALUES ('1000', 'new', 'Mid Person', 'mid@acme.example', 1, 1, 1, 1, 1)
                    """)
                try ListingRank.refresh(db)
                throw Boom()
            }
        }
        #expect(try await state() == before)
        #expect(try await search.indexInStep(store))
    }

    @Test("the migration from a v17 store holding people in two workspaces ranks them, and pages agree")
    func migrationFromV17() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let people = SearchIndexTests.people
        let (store, _) = try await storeMigrated(in: dir, upTo: "v17-team-names") { db in
            for ws in ["2000", "1000"] {
                try db.execute(sql: "INSERT INTO workspace (gid, name, isOrganization) VALUES (?, 'W', 1)", arguments: [ws])
                for user in people.reversed() {
                    try db.execute(sql: """
                        INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, firstSeenAt, lastSeenAt, changedAt, addedAt)
                        VALUES (?, ?, ?, ?, 1, 1, 1, 1, 1)
                        """, arguments: [ws, user.gid, user.name, user.email])
                }
            }
        }
        defer { try? store.close() }
        #expect(try await search.indexInStep(store))
        for ws in ["1000", "2000"] {
            for text in ["lovelace", "acme", "ce", "xu", "\u{E9}lo"] {
                let query = UserQuery(workspaceGid: ws, query: text, limit: 1)
                let index = try await walk(store, query, plan: .index)
                let scan = try await walk(store, query, plan: .scan)
                #expect(index.pages == scan.pages && index.cursors == scan.cursors, "\(ws) \(text)")
                #expect(scan.pages.flatMap { $0 } == search.expected(people, text), "\(ws) \(text)")
            }
        }
    }

    @Test("the migration from a v18 store (ranked, each indexed value ending with one U+001F) writes the index again with its trigrams listed: 1-character texts at a value's end are found")
    func migrationFromV18() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let people = SearchIndexTests.people
        let (store, ranksBefore) = try await storeLeftByV18(in: dir, holding: people)
        defer { try? store.close() }
        #expect(try await search.indexInStep(store))
        #expect(try await store.dbWriter.read { db in try Int64.fetchAll(db, sql: "SELECT listingRank FROM workspaceUser ORDER BY gid") } == ranksBefore,
                "ranks kept: the ranks were fresh")
        for text in ["u", "e", "\u{E9}", "xu", "ce", "!", "lovelace"] {
            let query = UserQuery(workspaceGid: "1000", query: text, limit: 2)
            let index = try await walk(store, query, plan: .index)
            #expect(index.pages.flatMap { $0 } == search.expected(people, text), "\(text)")
        }
    }

    @Test("EXPLAIN QUERY PLAN of the 2-character text with a cursor and a filter; and of the plan's count")
    func explainPlans() async throws {
        let store = try await search.seededStore()
        for (text, admin, cursor) in [("ce", true as Bool?, UserCursor(n: "b", g: "p00").encoded() as String?), ("ce", nil, nil), ("lovelace", nil, UserCursor(n: "b", g: "p00").encoded()), ("bartholomew jones-law smith", false, nil)] {
            var query = UserQuery(workspaceGid: "1000", admin: admin, query: text, limit: 1)
            query.cursor = cursor
            let request = try SQLiteAccessStore.listUsersRequest(query, plan: .index)
            let details = try await store.dbWriter.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + request.sql, arguments: request.arguments).map { $0["detail"] as String }
            }
            #expect(!details.contains { $0.hasPrefix("SCAN workspaceUser") && !$0.contains("VIRTUAL") }, "\(details)")
            #expect(!details.contains { $0.contains("TEMP B-TREE") }, "\(details)")
            #expect(details.contains { $0.contains("workspaceUser_byRank (listingRank=?") }, "\(details)")
        }
    }

    @Test("100 people provisioned one by one at the end of the order and 100 at one place: ranks stay in order, pages agree")
    func gapExhaustion() async throws {
        let store = try makeStore()
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: [
            SnapshotUser(gid: "a", name: "Aaron", email: "a@acme.example", isActive: true),
            SnapshotUser(gid: "b", name: "Bea", email: "b@acme.example", isActive: true)]), at: T.t0)
        var fullRanks = 0
        var lastA: Int64? = nil
        for index in 0..<100 {
            for (prefix, name) in [("z", "Zz \(String(format: "%03d", index))"), ("m", "Ab")] {
                try await store.applyProvisionChange(ProvisionChange(
                    workspaceGid: "1000", user: SnapshotUser(gid: "\(prefix)\(String(format: "%03d", index))", name: name, email: "\(prefix)\(index)@acme.example", isActive: true),
                    workspaceAction: .added, principal: "tester", callId: "call-\(prefix)\(index)"), at: T.at(minutes: 1 + index))
            }
            let rankA = try await store.dbWriter.read { db in try Int64.fetchOne(db, sql: "SELECT listingRank FROM workspaceUser WHERE gid = 'a'") }
            if rankA != lastA { fullRanks += 1; lastA = rankA }
        }
        // The 100 at one place re-rank everyone every 24 or so (each halves a gap of 2^24); the 100 at the end never.
        #expect((3...5).contains(fullRanks - 1), "\(fullRanks - 1) re-ranks")
        #expect(try await search.indexInStep(store))
        for text in ["acme", "zz", "ab"] {
            let query = UserQuery(workspaceGid: "1000", query: text, limit: 7)
            let index = try await walk(store, query, plan: .index)
            let scan = try await walk(store, query, plan: .scan)
            #expect(index.pages == scan.pages && index.cursors == scan.cursors, "\(text)")
        }
    }
}
