import Foundation
import GRDB
import Testing
@testable import AccessStore

/// listUsers' `query` read through the trigram index (migration v16-search-index, ``SearchIndex``): the same
/// people, order and pages as the scan of every row, and the index kept in step with workspaceUser.
@Suite("listUsers query: the trigram index")
struct SearchIndexTests {
    /// Names and emails with case differences, non-ASCII letters, canonically equivalent spellings (É as one
    /// scalar and as E + U+0301), a double quote (FTS5 query syntax), no name, no email.
    static let people: [SnapshotUser] = [
        SnapshotUser(gid: "p01", name: "Ada LOVELACE", email: "ada@acme.example", isActive: true),
        SnapshotUser(gid: "p02", name: "ada lovelace", email: "ada.l@acme.example", isActive: false),
        SnapshotUser(gid: "p03", name: "\u{C9}lodie \u{DC}nal", email: "elodie@acme.example", isActive: true),
        SnapshotUser(gid: "p04", name: "E\u{301}lodie Martin", email: "E.Martin@acme.example", isActive: true),
        SnapshotUser(gid: "p05", name: "Jose\u{301} Garci\u{301}a", email: "jose@acme.example", isActive: true),
        SnapshotUser(gid: "p06", name: "Zo\u{EB} \u{C5}berg", email: "zoe@acme.example", isActive: true),
        SnapshotUser(gid: "p07", name: "ΣΟΦΙΑ Παππά", email: "sofia@acme.example", isActive: true),
        SnapshotUser(gid: "p08", name: "Se\u{E1}n O\"Brien", email: "sean@other.example", isActive: true),
        SnapshotUser(gid: "p09", name: nil, email: "nameless@acme.example"),
        SnapshotUser(gid: "p10", name: "No Email", email: nil, isActive: true),
        SnapshotUser(gid: "p11", name: "Anna Svensson", email: "ANNA.SVENSSON@ACME.EXAMPLE", isActive: true),
        SnapshotUser(gid: "p12", name: "Dora Lovelace", email: "dora@acme.example", isActive: true),
        // Holds both phrases of "bartholomew smith" ("bartholomew " AND "w smith") but not the text.
        SnapshotUser(gid: "p13", name: "Bartholomew Jones-Law Smith", email: "bjls@acme.example", isActive: true),
        // SQLite reads U+FFFE and U+FFFF as U+FFFD, in the index and in the query: "q\u{FFFF}r" is one trigram with it.
        SnapshotUser(gid: "p20", name: "Pq\u{FFFD}rs Replacement", email: "replacement@acme.example", isActive: true),
        // A name of 2 characters: no trigram of its own but the one its end makes.
        SnapshotUser(gid: "p21", name: "Xu", email: "xu@acme.example", isActive: true),
    ]

    /// Query texts: ≥ 3 characters (the index), shorter ones (the scan), texts made of a name's end and an
    /// email's start (which must match nothing), FTS5 syntax characters.
    static let texts = [
        "lovelace", "LOVE", "ada l", "\u{E9}lo", "e\u{301}lo", "\u{C9}LODIE", "jos\u{E9}", "garc\u{ED}", "zoe\u{308}", "\u{E5}berg",
        "σοφ", "ΠΑΠ", "o\"b", "\"", "\"brien", "acme.example", "ACME", "svensson@", "lovelaceada", "lovelace ada", "\u{FC}nalelodie",
        "martine.martin", "xyz", "ad", "\u{E9}", "a", "AND", "*", "ada OR bob", "nameless",
        "bartholomew smith", "bartholomew jones-law smith", "anna.svensson@acme.example", "e.martin@acme.example", "x\"\u{301}b",
        "q\u{FFFF}r", "q\u{FFFE}r", "q\u{FFFD}r",
        // 2 characters: the trigrams that begin with them; at a value's end; a quote; not served (U+FFFD, U+001F).
        "xu", "XU", "ce", "le", "\"b", "n\"", "le\u{301}", "q\u{FFFD}", "u\u{1F}", "e\u{1F}x", "\u{1F}\u{1F}",
        // 1 character: the trigrams that begin with it; at a value's end ('u' of Xu); a quote; a space; held by nobody;
        // not served (U+FFFD, U+001F).
        "u", "U", "w", "\"", "!", "\u{FFFD}", "\u{1F}", "@", " ",
    ]

    /// A store holding ``people``; p12 departed at the second snapshot (minute 1).
    func seededStore() async throws -> SQLiteAccessStore {
        let store = try makeStore()
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people), at: T.t0)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people.filter { $0.gid != "p12" }), at: T.at(minutes: 1))
        return store
    }

    /// The gids of one page as read by `plan` (the SQL listUsers runs for it).
    func page(_ store: SQLiteAccessStore, _ query: UserQuery, plan: SearchIndex.Plan) async throws -> [String] {
        let request = try SQLiteAccessStore.listUsersRequest(query, plan: plan)
        let gids = try await store.dbWriter.read { db in try String.fetchAll(db, sql: request.sql, arguments: request.arguments) }
        return Array(gids.prefix(query.limit))
    }

    /// The people `text` matches, computed in Swift (a byte substring of the search form of the name or of the
    /// email), in listing order (SQLite NOCASE folds ASCII letters only, then gid).
    func expected(_ users: [SnapshotUser], _ text: String) -> [String] {
        let key = Array(SearchKey.of(text.trimmingCharacters(in: .whitespacesAndNewlines)).utf8)
        func contains(_ value: String?) -> Bool {
            guard let value else { return false }
            let bytes = Array(SearchKey.of(value).utf8)
            guard key.count <= bytes.count else { return false }
            return (0...(bytes.count - key.count)).contains { Array(bytes[$0..<($0 + key.count)]) == key }
        }
        func fold(_ text: String) -> [UInt8] { text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 } }
        return users.filter { contains($0.name) || contains($0.email) }.sorted { a, b in
            let na = fold(a.name ?? ""), nb = fold(b.name ?? "")
            if na != nb { return na.lexicographicallyPrecedes(nb) }
            return a.gid.utf8.lexicographicallyPrecedes(b.gid.utf8)
        }.map(\.gid)
    }

    /// True when the listing ranks are fresh, increase in listing order (workspace, name case-insensitively, gid) and
    /// every workspaceUser row has exactly one index row, keyed by its rank, holding the search form of its name and
    /// email; every trigram of the index is listed in searchTrigram; and FTS5's own check of the index against the text
    /// it holds passes (it throws when not: README,
    /// "Searching people").
    func indexInStep(_ store: SQLiteAccessStore) async throws -> Bool {
        try await store.dbWriter.write { db in
            try db.execute(sql: "INSERT INTO workspaceUserSearch (workspaceUserSearch) VALUES ('integrity-check')")
        }
        guard try await unlistedIndexTerms(store).isEmpty else { return false }
        return try await store.dbWriter.read { db in
            let users = try Int.fetchOne(db, sql: "SELECT count(*) FROM workspaceUser") ?? -1
            let indexed = try Int.fetchOne(db, sql: "SELECT count(*) FROM workspaceUserSearch") ?? -2
            let same = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM workspaceUser u JOIN workspaceUserSearch s ON s.rowid = u.listingRank
                WHERE s.nameKey IS searchKey(u.name) || char(31, 31) AND s.emailKey IS searchKey(u.email) || char(31, 31)
                """) ?? -3
            let ranks = try Int64?.fetchAll(db, sql: """
                SELECT listingRank FROM workspaceUser ORDER BY workspaceGid, ifnull(name, '') COLLATE NOCASE, gid
                """)
            let increasing = zip(ranks, ranks.dropFirst()).allSatisfy { pair in
                guard let a = pair.0, let b = pair.1 else { return false }
                return a < b
            }
            return try ListingRank.isFresh(db) && users == indexed && users == same && increasing && !ranks.contains(nil)
        }
    }

    /// The trigrams the index holds (its own vocabulary: a temporary `fts5vocab` table of the writer's connection) that
    /// searchTrigram does not list, compared byte for byte.
    func unlistedIndexTerms(_ store: SQLiteAccessStore) async throws -> [String] {
        try await store.dbWriter.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.indexTerms USING fts5vocab(main, workspaceUserSearch, 'row')")
            return try String.fetchAll(db, sql: """
                SELECT term FROM temp.indexTerms WHERE CAST(term AS BLOB) NOT IN (SELECT CAST(term AS BLOB) FROM searchTrigram)
                """)
        }
    }

    /// The plan listUsers chooses for `query` on `store`.
    func plan(_ store: SQLiteAccessStore, _ query: UserQuery) async throws -> SearchIndex.Plan {
        let listing = try UserListing(query)
        return try await store.dbWriter.read { db in try SearchIndex.plan(db, listing) }
    }

    @Test("every text: the index plan, the scan plan and listUsers return the same people as a substring test in Swift")
    func sameAsScan() async throws {
        let store = try await seededStore()
        let present = Self.people.filter { $0.gid != "p12" }
        for text in Self.texts {
            let query = UserQuery(workspaceGid: "1000", query: text)
            let want = expected(present, text)
            #expect(try await page(store, query, plan: .scan) == want, "scan \(text)")
            #expect(try await page(store, query, plan: .index) == want, "index \(text)")
            #expect(try await store.listUsers(query).users.map(\.gid) == want, "listUsers \(text)")
        }
        // The ones the test is about, spelled out.
        #expect(expected(present, "lovelace") == ["p01", "p02"])
        #expect(expected(present, "e\u{301}lo") == ["p04", "p03"], "canonically equivalent, either way round (E + U+0301 sorts before É)")
        #expect(expected(present, "lovelaceada").isEmpty && expected(present, "\u{FC}nalelodie").isEmpty, "no match across name and email")
        #expect(expected(present, "o\"b") == ["p08"])
        #expect(expected(present, "q\u{FFFF}r").isEmpty && expected(present, "q\u{FFFD}r") == ["p20"])
        #expect(expected(present, "bartholomew smith").isEmpty && expected(present, "bartholomew jones-law smith") == ["p13"])
        #expect(expected(present, "xu") == ["p21"] && expected(present, "ce") == ["p01", "p02", "p20"], "2 characters, at the end of a name and inside one")
        #expect(SearchIndex.canServe(SearchKey.of("ad")) && SearchIndex.canServe(SearchKey.of("\u{E9}")) && SearchIndex.canServe("a"))
        #expect(SearchIndex.canServe("\u{FFFD}") == false && SearchIndex.canServe("\u{1F}") == false && SearchIndex.canServe("") == false)
        #expect(SearchIndex.canServe("q\u{FFFD}") == false && SearchIndex.canServe("u\u{1F}") == false && SearchIndex.canServe("ab\u{1F}") == false)
        #expect(SearchIndex.canServe(SearchKey.of("E\u{301}lo")), "3 scalars in NFC")
    }

    @Test("the FTS5 query: phrases of at most 12 characters overlapping by 2, quotes doubled by scalar")
    func matchExpression() {
        #expect(SearchIndex.matchExpression("ada") == "\"ada\"")
        #expect(SearchIndex.matchExpression("abcdefghijkl") == "\"abcdefghijkl\"")
        #expect(SearchIndex.matchExpression("abcdefghijklm") == "\"abcdefghijkl\" AND \"klm\"")
        #expect(SearchIndex.matchExpression("freya.dias30@acme.example") == "\"freya.dias30\" AND \"30@acme.exam\" AND \"ample\"")
        #expect(SearchIndex.matchExpression("o\"b") == "\"o\"\"b\"")
        // `"` + a combining acute is one Character, two scalars: the quote is still doubled.
        #expect(SearchIndex.matchExpression("a\"\u{301}b") == "\"a\"\"\u{301}b\"")
        #expect(SearchIndex.matchExpression("\u{E9}t\u{E9}") == "\"\u{E9}t\u{E9}\"")
    }

    @Test("the index plan combines with the other filters and with departed people like the scan")
    func filters() async throws {
        let store = try await seededStore()
        for text in ["lovelace", "acme.example", "\u{E9}lodie", "dora"] {
            var queries: [UserQuery] = []
            queries.append(UserQuery(workspaceGid: "1000", active: true, query: text))
            queries.append(UserQuery(workspaceGid: "1000", active: false, query: text))
            queries.append(UserQuery(workspaceGid: "1000", query: text, includeDeparted: true))
            var changed = UserQuery(workspaceGid: "1000", query: text)
            changed.changedSince = T.t0
            queries.append(changed)
            queries.append(UserQuery(workspaceGid: "other", query: text))
            for query in queries {
                let scan = try await page(store, query, plan: .scan)
                #expect(try await page(store, query, plan: .index) == scan, "\(text) \(query)")
                #expect(try await store.listUsers(query).users.map(\.gid) == scan, "\(text) \(query)")
            }
        }
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "lovelace")).users.map(\.gid) == ["p01", "p02"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "lovelace", includeDeparted: true)).users.map(\.gid) == ["p01", "p02", "p12"])
        var since = UserQuery(workspaceGid: "1000", query: "lovelace")
        since.changedSince = T.t0
        let departed = try await store.listUsers(since).users
        #expect(departed.map(\.gid) == ["p12"])
        #expect(departed.first?.change == .departed)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", active: true, query: "LOVELACE")).users.map(\.gid) == ["p01"])
    }

    @Test("paging by cursor through the matches: everyone once, in order, team filter too", arguments: [1, 7, 50])
    func paging(limit: Int) async throws {
        let store = try makeStore()
        let first = ["alice", "Alice", "ALICE", "bob", "Zoë", "carol", "Carol", "dave"]
        let users = (0..<240).map { index in
            SnapshotUser(gid: String(100_000 + (index * 7919) % 1000), name: index % 17 == 0 ? nil : "\(first[index % first.count]) \(index % 5)",
                         email: "p\(index)@acme.example", isActive: true)
        }
        let memberships = users.enumerated().compactMap { index, user in index % 2 == 0 ? SnapshotTeamMembership(teamGid: "t1", userGid: user.gid) : nil }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users, teams: [Fixture.engineering], teamMemberships: memberships), at: T.t0)
        for text in ["alice", "zoë", "p1", "p12", "acme", "@acme.example"] {
            let gids = try await allGids(store, UserQuery(workspaceGid: "1000", query: text, limit: limit))
            #expect(gids == expected(users, text), "\(text)")
            #expect(!gids.isEmpty)
        }
        let inTeam = Set(memberships.map(\.userGid))
        let gids = try await allGids(store, UserQuery(workspaceGid: "1000", teamGid: "t1", query: "alice", limit: limit))
        #expect(gids == expected(users.filter { inTeam.contains($0.gid) }, "alice"))
        // Each page of the walk, read by either plan, is the same page.
        var query = UserQuery(workspaceGid: "1000", query: "alice", limit: limit)
        for _ in 0..<5 {
            let listed = try await store.listUsers(query)
            #expect(try await page(store, query, plan: .index) == listed.users.map(\.gid))
            #expect(try await page(store, query, plan: .scan) == listed.users.map(\.gid))
            guard let next = listed.nextCursor else { break }
            query.cursor = next
        }
    }

    @Test("a new email or name brings its trigrams to searchTrigram at once: 1- and 2-character texts of it find the person through the index, moved or not")
    func newTrigramsListed() async throws {
        let store = try await seededStore()
        var people = Self.people.filter { $0.gid != "p12" }
        // p01's email changes in place (no rank moves: only the update trigger writes the index); p02 is renamed to the
        // end of the order (moved by ListingRank.refresh); p30 is new. Each brings characters nobody else holds.
        people[0] = SnapshotUser(gid: "p01", name: "Ada Lovelace", email: "ada@\u{436}.example", isActive: true)
        people[1] = SnapshotUser(gid: "p02", name: "\u{FF3A}ed \u{3042}", email: "z@acme.example", isActive: true)
        people.append(SnapshotUser(gid: "p30", name: "Omega \u{3A9}", email: "o\u{2603}@acme.example", isActive: true))
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: people), at: T.at(minutes: 2))
        #expect(try await indexInStep(store))
        for (text, gids) in [("\u{436}", ["p01"]), ("@\u{436}", ["p01"]), ("\u{3042}", ["p02"]), ("\u{FF5A}", ["p02"]), ("d \u{3042}", ["p02"]),
                             ("\u{3C9}", ["p30"]), ("\u{2603}", ["p30"]), ("\u{2603}@", ["p30"])] {
            let query = UserQuery(workspaceGid: "1000", query: text)
            let listing = try UserListing(query)
            #expect(try await store.dbWriter.read { db in try SearchIndex.plan(db, listing) } == .index, "\(text)")
            #expect(try await page(store, query, plan: .index) == gids, "\(text)")
            #expect(try await store.listUsers(query).users.map(\.gid) == gids, "\(text)")
        }
    }

    @Test("a renamed person is found by the new name and email only, after the next snapshot")
    func rename() async throws {
        let store = try await seededStore()
        var renamed = Self.people.filter { $0.gid != "p12" }
        renamed[0] = SnapshotUser(gid: "p01", name: "Ada King", email: "ada.king@acme.example", isActive: true)
        renamed[1] = SnapshotUser(gid: "p02", name: "Ada Lovelace", email: "ada.l@acme.example", isActive: false)  // case only
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: renamed), at: T.at(minutes: 2))
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "lovelace")).users.map(\.gid) == ["p02"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "king")).users.map(\.gid) == ["p01"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "ada.king@")).users.map(\.gid) == ["p01"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "ada@acme")).users.isEmpty)
        #expect(try await indexInStep(store))
        // A provisioned person is indexed at once (the provision path inserts the row).
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "p20", name: "Grace Hopper", email: "grace@acme.example", isActive: true),
            workspaceAction: .added, principal: "tester", callId: "call-1"), at: T.at(minutes: 3))
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "p01", email: "ada.k@acme.example"), workspaceAction: .none,
            principal: "tester", callId: "call-2"), at: T.at(minutes: 4))
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "ada.k@")).users.map(\.gid) == ["p01"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "ada.king@")).users.isEmpty)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "hopper")).users.map(\.gid) == ["p20"])
        #expect(try await indexInStep(store))
    }

    @Test("the plan: the index for a text of 3 or more characters; with another filter, only when it matches fewer than 4,000; the scan while ranks are stale")
    func planChoice() async throws {
        let store = try makeStore()
        let users = (0..<SearchIndex.scanFromMatches).map { SnapshotUser(gid: "g\($0)", name: "Person \($0)", email: "person\($0)@acme.example", isActive: true) }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        func plan(_ text: String, asOf: Date? = nil, active: Bool? = nil) async throws -> SearchIndex.Plan {
            var query = UserQuery(workspaceGid: "1000", active: active, query: text)
            query.asOf = asOf
            let listing = try UserListing(query)
            return try await store.dbWriter.read { db in try SearchIndex.plan(db, listing) }
        }
        #expect(try await plan("person 123") == .index)
        #expect(try await plan("PERSON 123") == .index)
        #expect(try await plan("nobody") == .index)
        #expect(try await plan("acme") == .index, "every person matches: the page still ends at its 101st match")
        #expect(try await plan("acme", asOf: T.at(minutes: 1)) == .scan, "a past picture has no text index")
        #expect(try await plan("person 123", asOf: T.at(minutes: 1)) == .scan)
        #expect(try await plan("12") == .index, "2 characters: the trigrams that begin with them")
        #expect(try await plan("1") == .scan, "1 character beginning more than 100 trigrams ('1' and 2 digits alone: 100)")
        #expect(try await plan("@") == .index, "1 character beginning few trigrams ('@ac')")
        #expect(try await plan("!") == .index, "1 character nobody holds: no trigram, no row read")
        #expect(try await plan("person 123", active: true) == .index)
        #expect(try await plan("acme", active: true) == .scan, "another filter and every person matching: the scan")
        #expect(try await plan("person", active: false) == .scan)
        for text in ["person 123", "acme", "12", "person 3999@"] {
            let query = UserQuery(workspaceGid: "1000", query: text, limit: 100)
            let want = expected(users, text).prefix(100)
            #expect(try await store.listUsers(query).users.map(\.gid) == Array(want), "\(text)")
            #expect(try await page(store, query, plan: .index) == Array(want), "\(text)")
        }
        // A write that does not rank again (here by hand, not through the store) leaves the ranks stale: pages are
        // scanned for, and still right, until a store write ranks everyone.
        try await store.dbWriter.write { db in
            try db.execute(sql: "UPDATE workspaceUser SET name = 'Aaron First' WHERE gid = 'g3999'")
        }
        #expect(try await plan("person 123") == .scan)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "first", limit: 5)).users.map(\.gid) == ["g3999"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "person", limit: 2)).users.map(\.gid) == ["g3999", "g0"], "the renamed person keeps an email that matches")
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.at(minutes: 2))
        #expect(try await plan("person 123") == .index)
        #expect(try await indexInStep(store))
    }

    @Test("the plan with a filter that has its own index: the scan when the text matches as many people as the filter keeps, else the index; the pages are right either way")
    func planWithFilterIndex() async throws {
        let store = try makeStore()
        // 60 Smiths, 6 admins (2 of them Smiths), 1 guest (not a Smith), nobody inactive; one Smith's flags unknown.
        var users = (0..<60).map { SnapshotUser(gid: String(format: "s%02d", $0), name: "Sam Smith \($0)", email: "s\($0)@acme.example", isActive: true, isAdmin: $0 % 30 == 0, isGuest: false, isViewOnly: false) }
        users += (0..<4).map { SnapshotUser(gid: "a\($0)", name: "Ann Admin \($0)", email: "a\($0)@acme.example", isActive: true, isAdmin: true, isGuest: false, isViewOnly: false) }
        users.append(SnapshotUser(gid: "g0", name: "Gus Guest", email: "gus@acme.example", isActive: true, isAdmin: false, isGuest: true, isViewOnly: false))
        users[7] = SnapshotUser(gid: "s07", name: "Sam Smith 7", email: "s7@acme.example")
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        let cases: [(UserQuery, SearchIndex.Plan, String)] = [
            (UserQuery(workspaceGid: "1000", admin: true, query: "smith"), .scan, "60 matches, 6 admins: read the admins"),
            (UserQuery(workspaceGid: "1000", admin: true, query: "ann admin 3"), .index, "1 match, 6 admins"),
            (UserQuery(workspaceGid: "1000", admin: true, query: "s1"), .scan, "2-character text, 11 matches, 6 admins"),
            (UserQuery(workspaceGid: "1000", admin: false, query: "smith"), .index, "no index of non-admins: 60 < 4,000"),
            (UserQuery(workspaceGid: "1000", active: false, query: "smith"), .scan, "nobody inactive: the empty index"),
            (UserQuery(workspaceGid: "1000", guest: true, query: "gus"), .scan, "1 match, 1 guest"),
            (UserQuery(workspaceGid: "1000", guest: true, query: "nobody"), .index, "no match, 1 guest"),
            (UserQuery(workspaceGid: "1000", flagsUnknown: true, query: "smith"), .scan, "60 matches, 1 person with unknown flags"),
            (UserQuery(workspaceGid: "1000", admin: true, guest: false, query: "smith"), .scan, "the admins' index, with another filter too"),
        ]
        for (query, want, why) in cases {
            #expect(try await plan(store, query) == want, "\(why)")
            let expected = expected(users.filter { user in
                (query.admin == nil || user.isAdmin == query.admin) && (query.guest == nil || user.isGuest == query.guest)
                    && (query.active == nil || user.isActive == query.active)
                    && (query.flagsUnknown == nil || (user.isAdmin == nil || user.isGuest == nil || user.isActive == nil || user.isViewOnly == nil) == query.flagsUnknown)
            }, query.query!)
            #expect(try await store.listUsers(query).users.map(\.gid) == expected, "\(why)")
            #expect(try await page(store, query, plan: .index) == expected, "\(why)")
            #expect(try await page(store, query, plan: .scan) == expected, "\(why)")
        }
    }

    @Test("EXPLAIN QUERY PLAN: the index plan reads the FTS5 table in rank order, bounded by two seeks of the name index, and finds each match's person by rank")
    func queryPlan() async throws {
        let store = try await seededStore()
        for cursor in [nil, UserCursor(n: "m", g: "g5").encoded()] {
            var query = UserQuery(workspaceGid: "1000", active: true, query: "lovelace", limit: 50)
            query.cursor = cursor
            let listing = try UserListing(query)
            let (chosen, details) = try await store.dbWriter.read { db in
                let chosen = try SearchIndex.plan(db, listing)
                let request = SQLiteAccessStore.listUsersRequest(listing, plan: chosen)
                let details = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + request.sql, arguments: request.arguments).map { $0["detail"] as String }
                return (chosen, details)
            }
            #expect(chosen == .index)
            #expect(details.first?.hasPrefix("SCAN workspaceUserSearch VIRTUAL TABLE INDEX") == true, "\(details)")
            #expect(details.last?.hasPrefix("SEARCH workspaceUser USING INDEX workspaceUser_byRank (listingRank=?") == true, "\(details)")
            #expect(details.filter { $0.contains("USING INDEX workspaceUser_byName (workspaceGid=?") }.count == 2, "\(details)")
            #expect(!details.contains { $0.contains("TEMP B-TREE") }, "the rank order is the index's own: \(details)")
        }
        // A 1-character text: the trigrams that begin with it, a range of searchTrigram read once.
        let short = try SQLiteAccessStore.listUsersRequest(UserQuery(workspaceGid: "1000", query: "a"), plan: .index)
        let shortDetails = try await store.dbWriter.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + short.sql, arguments: short.arguments).map { $0["detail"] as String }
        }
        #expect(shortDetails.contains { $0.hasPrefix("SEARCH searchTrigram USING PRIMARY KEY (term>? AND term<?)") }, "\(shortDetails)")
        #expect(shortDetails.first?.hasPrefix("SCAN workspaceUserSearch VIRTUAL TABLE INDEX") == true, "\(shortDetails)")
    }

    @Test("the migration indexes the people already stored")
    func backfill() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let (store, _) = try await storeMigrated(in: dir, upTo: "v14-listing-indexes") { db in
            try db.execute(sql: "INSERT INTO workspace (gid, name, isOrganization) VALUES ('1000', 'Acme Corp', 1)")
            for (index, user) in Self.people.enumerated() {
                try db.execute(sql: """
                    INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt)
                    VALUES ('1000', ?, ?, ?, 1, 1, 1, ?, 1, 1)
                    """, arguments: [user.gid, user.name, user.email, index == 11 ? 2 : nil])
            }
            #expect(try db.tableExists("workspaceUserSearch") == false)
        }
        defer { try? store.close() }
        #expect(try await indexInStep(store))
        let present = Self.people.filter { $0.gid != "p12" }
        for text in ["lovelace", "e\u{301}lo", "\u{C5}BERG", "acme.example", "lovelaceada"] {
            let query = UserQuery(workspaceGid: "1000", query: text)
            #expect(try await page(store, query, plan: .index) == expected(present, text), "\(text)")
            #expect(try await store.listUsers(query).users.map(\.gid) == expected(present, text), "\(text)")
        }
    }

    @Test("VACUUM keeps the index right (its rows are keyed by listing rank, a column), and later writes keep it in step")
    func vacuum() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("access.sqlite")
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer { try? store.close() }
        let users = (0..<300).map { SnapshotUser(gid: "g\($0)", name: "Person \($0)", email: "person\($0)@acme.example", isActive: true) }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        // Holes in the rowids (the store never deletes a person; a hand-made delete here), then VACUUM.
        try await store.dbWriter.writeWithoutTransaction { db in
            try db.execute(sql: "DELETE FROM workspaceUserInterval")
            try db.execute(sql: "DELETE FROM accessChange")
            try db.execute(sql: "DELETE FROM workspaceUser WHERE CAST(substr(gid, 2) AS INTEGER) % 3 = 0")
            try db.execute(sql: "VACUUM")
        }
        #expect(try await indexInStep(store))
        // What makes that a promise, not luck: the index's rowids are listingRank values (migration v18), a column,
        // which VACUUM copies as it is; VACUUM may renumber rowids only of tables without an INTEGER PRIMARY KEY
        // (https://www.sqlite.org/lang_vacuum.html), and the ranking's own row key is workspaceUser's `id`, one.
        let primaryKey = try await store.dbWriter.read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(workspaceUser)").filter { ($0["pk"] as Int) > 0 }.map { "\($0["name"] as String) \($0["type"] as String)" }
        }
        #expect(primaryKey == ["id INTEGER"])
        let kept = users.filter { Int($0.gid.dropFirst())! % 3 != 0 }
        #expect(try await allGids(store, UserQuery(workspaceGid: "1000", query: "person 1", limit: 10)) == expected(kept, "person 1"))
        var renamed = kept
        renamed[0] = SnapshotUser(gid: renamed[0].gid, name: "Renamed One", email: "renamed@acme.example", isActive: true)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: renamed + [SnapshotUser(gid: "g1000", name: "New Person", isActive: true)]),
                                      at: T.at(minutes: 1))
        #expect(try await indexInStep(store))
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "renamed")).users.map(\.gid) == [renamed[0].gid])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "new person")).users.map(\.gid) == ["g1000"])
    }

    @Test("a backup seals and a restore brings back the index with the people (its tables are in the seal's MAC)")
    func backupRestore() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let backups = try TempDirectory()
        defer { backups.cleanup() }
        let path = dir.file("access.sqlite")
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people), at: T.t0)
        let backup = backups.file("backup.sqlite")
        _ = try StoreBackup.backup(databasePath: path, masterKey: key, to: backup, replace: false)
        var renamed = Self.people
        renamed[0] = SnapshotUser(gid: "p01", name: "Ada King", email: "ada.king@acme.example", isActive: true)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: renamed), at: T.at(minutes: 1))
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "king")).users.map(\.gid) == ["p01"])
        try store.close()

        _ = try await StoreRestore.restore(from: backup, databasePath: path, masterKey: key, principal: "local:tester", now: T.at(minutes: 2))
        let restored = try SQLiteAccessStore.open(path: path, masterKey: key)
        defer { try? restored.close() }
        #expect(try await indexInStep(restored))
        #expect(try await restored.listUsers(UserQuery(workspaceGid: "1000", query: "king")).users.isEmpty)
        #expect(try await restored.listUsers(UserQuery(workspaceGid: "1000", query: "lovelace")).users.map(\.gid) == ["p01", "p02", "p12"])
    }

    @Test("a connection without the searchKey function cannot write a person: the write fails whole, the index stays in step")
    func writeNeedsSearchKey() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("access.sqlite")
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer { try? store.close() }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people), at: T.t0)
        let bare = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) {
            try bare.write { db in try db.execute(sql: "UPDATE workspaceUser SET name = 'Someone Else' WHERE gid = 'p01'") }
        }
        // A write that leaves name and email alone does not need it.
        try await bare.write { db in try db.execute(sql: "UPDATE workspaceUser SET lastSeenAt = lastSeenAt + 1 WHERE gid = 'p01'") }
        try bare.close()
        #expect(try await indexInStep(store))
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "lovelace")).users.map(\.gid) == ["p01", "p02", "p12"])
    }
}
