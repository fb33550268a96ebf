import Foundation
import Logging
import PostgresNIO
import Synchronization
import TestSupport
import Testing
@testable import AccessStore

/// listUsers' `query` read through PostgreSQL's pg_trgm index (``PostgresTextIndex``): the same people, order and
/// pages as the scan; the plan that uses it; a database without pg_trgm (scanned, said in the log once) and one
/// where it becomes available later (indexed at the next open).
@Suite("PostgreSQL listUsers query: the pg_trgm index", .closesStores, .enabled(if: postgresConfigured, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct PostgresTextIndexTests {
    /// SQLite's test people, with names and emails holding LIKE's special characters (`%`, `_`, `\`).
    static let people: [SnapshotUser] = SearchIndexTests.people + [
        SnapshotUser(gid: "p14", name: "Percy 100% Sure", email: "percy_100@acme.example", isActive: true),
        SnapshotUser(gid: "p15", name: "Under_Score", email: "under.score@acme.example", isActive: true),
        SnapshotUser(gid: "p16", name: "Back\\Slash \\\\ Twice", email: "back\\slash@acme.example", isActive: true),
        SnapshotUser(gid: "p17", name: "Percy 1000 Sure", email: "percyx100@acme.example", isActive: true),
    ]

    /// SQLite's texts and texts made of LIKE's special characters: each must be a literal (`_` is not any character,
    /// `%` not any run, `\` not an escape), alone and inside words; 1–2 characters; nobody; everybody.
    static let texts = SearchIndexTests.texts + [
        "100%", "0% s", "100% sure", "y_1", "percy_", "_sc", "r_s", "\\sl", "k\\s", "\\\\ t", "\\", "\\\\", "%", "_", "%%%", "___",
        "y 1_0", "y%sure", "x100", "percyx", "k\\", "h \\", "\\%", "nobody at all", "@", "e", "ACME.EXAMPLE", ".", "...",
    ]

    /// A PostgreSQL store holding ``people``; p12 departed at the second snapshot (minute 1). Statistics analyzed.
    func seededStore() async throws -> PostgresAccessStore {
        let store = try await makePostgresStore()
        #expect(store.textIndex)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people), at: T.t0)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people.filter { $0.gid != "p12" }),
                                      at: T.at(minutes: 1))
        try await analyze(store)
        return store
    }

    /// Statistics for the planner (ANALYZE only: the snapshot moved the index's pending entries in itself, without
    /// which the planner prefers reading a table of 10,000 people to the index: ``PostgresTextIndex/flushPending(_:)``).
    func analyze(_ store: PostgresAccessStore) async throws {
        try await store.database.read { connection in try await connection.query("ANALYZE", logger: store.logger) }
    }

    /// The gids of one page read by `plan` (the statement listUsers runs for it), and the `matches` column of the index
    /// plan (nil for the scan, a listing the index does not apply to, or an empty page).
    static func page(_ store: PostgresAccessStore, _ query: UserQuery, plan: PostgresTextIndex.Plan) async throws -> (gids: [String], matches: Int64?) {
        let listing = try UserListing(query)
        let statement = PostgresAccessStore.listUsersQuery(listing, plan: plan)
        let rows = try await store.database.readTransaction { connection in
            try await connection.query(statement, logger: store.logger).collect()
        }
        let gids = try rows.map { try $0.get("gid", as: String.self) }
        let index = plan == .index && PostgresTextIndex.applies(to: listing)
        let matches = index ? try rows.first.map { try $0.get("matches", as: Int64.self) } : nil
        return (Array(gids.prefix(query.limit)), matches)
    }

    /// The plan listUsers chooses for `query` on `store`.
    static func chosen(_ store: PostgresAccessStore, _ query: UserQuery) async throws -> PostgresTextIndex.Plan {
        let listing = try UserListing(query)
        return try await store.database.readTransaction { connection in
            try await PostgresTextIndex.plan(connection, listing, logger: store.logger)
        }
    }

    /// `EXPLAIN` of the statement of `query` read by `plan`.
    static func explain(_ store: PostgresAccessStore, _ query: UserQuery, plan: PostgresTextIndex.Plan) async throws -> String {
        var explain = PostgresAccessStore.listUsersQuery(try UserListing(query), plan: plan)
        explain.sql = "EXPLAIN " + explain.sql
        let statement = explain
        return try await store.database.read { connection in
            var lines: [String] = []
            for try await line in try await connection.query(statement, logger: store.logger).decode(String.self) { lines.append(line) }
            return lines.joined(separator: "\n")
        }
    }

    @Test("every text: the index plan, the scan plan and listUsers return the same people as a substring test in Swift")
    func sameAsScan() async throws {
        let store = try await seededStore()
        let present = Self.people.filter { $0.gid != "p12" }
        let reference = SearchIndexTests()
        for text in Self.texts {
            let query = UserQuery(workspaceGid: "1000", query: text)
            let want = reference.expected(present, text)
            #expect(try await Self.page(store, query, plan: .scan).gids == want, "scan \(text)")
            let index = try await Self.page(store, query, plan: .index)
            #expect(index.gids == want, "index \(text)")
            let served = PostgresTextIndex.applies(to: try UserListing(query))
            #expect(index.matches == (want.isEmpty || !served ? nil : Int64(want.count)), "index \(text)")
            #expect(try await store.listUsers(query).users.map(\.gid) == want, "listUsers \(text)")
        }
        // The ones about LIKE's characters, spelled out: each a literal.
        #expect(reference.expected(present, "y_1") == ["p14"], "not percyx100")
        #expect(reference.expected(present, "y%sure").isEmpty, "% is no wildcard")
        #expect(reference.expected(present, "k\\s") == ["p16"])
        #expect(reference.expected(present, "\\\\ t") == ["p16"])
        #expect(reference.expected(present, "0% s") == ["p14"])
        #expect(reference.expected(present, "acme.example").count == present.count - 2, "all but p08 (other.example) and p10 (no email)")
    }

    @Test("the index plan combines with the flags, departed people, changedSince and another workspace like the scan")
    func filters() async throws {
        let store = try await seededStore()
        for text in ["lovelace", "acme.example", "\u{E9}lodie", "dora", "100%"] {
            var queries = [
                UserQuery(workspaceGid: "1000", active: true, query: text),
                UserQuery(workspaceGid: "1000", active: false, query: text),
                UserQuery(workspaceGid: "1000", query: text, includeDeparted: true),
                UserQuery(workspaceGid: "1000", admin: false, guest: false, query: text),
                UserQuery(workspaceGid: "other", query: text),
            ]
            var changed = UserQuery(workspaceGid: "1000", query: text)
            changed.changedSince = T.t0
            queries.append(changed)
            for query in queries {
                let scan = try await Self.page(store, query, plan: .scan).gids
                #expect(try await Self.page(store, query, plan: .index).gids == scan, "\(text) \(query)")
                #expect(try await store.listUsers(query).users.map(\.gid) == scan, "\(text) \(query)")
            }
        }
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "lovelace", includeDeparted: true)).users.map(\.gid) == ["p01", "p02", "p12"])
    }

    @Test("paging by cursor through the matches: everyone once, in order, each page the same by either plan", arguments: [1, 7, 50])
    func paging(limit: Int) async throws {
        let store = try await makePostgresStore()
        let first = ["alice", "Alice", "ALICE", "bob", "Zoë", "carol", "Carol", "dave", "50%_off"]
        let users = (0..<240).map { index in
            SnapshotUser(gid: String(100_000 + (index * 7919) % 1000), name: index % 17 == 0 ? nil : "\(first[index % first.count]) \(index % 5)",
                         email: "p\(index)@acme.example", isActive: true)
        }
        let memberships = users.enumerated().compactMap { index, user in index % 2 == 0 ? SnapshotTeamMembership(teamGid: "t1", userGid: user.gid) : nil }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users, teams: [Fixture.engineering], teamMemberships: memberships), at: T.t0)
        try await analyze(store)
        let reference = SearchIndexTests()
        for text in ["alice", "zoë", "p1", "p12", "acme", "@acme.example", "0%_o", "%_"] {
            let gids = try await allGids(store, UserQuery(workspaceGid: "1000", query: text, limit: limit))
            #expect(gids == reference.expected(users, text), "\(text)")
            #expect(!gids.isEmpty, "\(text)")
            // Each page of the walk, read by either plan, is the same page.
            var query = UserQuery(workspaceGid: "1000", query: text, limit: limit)
            for _ in 0..<6 {
                let listed = try await store.listUsers(query)
                #expect(try await Self.page(store, query, plan: .index).gids == listed.users.map(\.gid), "\(text)")
                #expect(try await Self.page(store, query, plan: .scan).gids == listed.users.map(\.gid), "\(text)")
                guard let next = listed.nextCursor else { break }
                query.cursor = next
            }
        }
        let inTeam = Set(memberships.map(\.userGid))
        let gids = try await allGids(store, UserQuery(workspaceGid: "1000", teamGid: "t1", query: "alice", limit: limit))
        #expect(gids == reference.expected(users.filter { inTeam.contains($0.gid) }, "alice"))
    }

    @Test("the plan: the index for a rare text of 3+ characters (EXPLAIN: a bitmap scan of it), the scan otherwise; a team's page is not affected")
    func planChoice() async throws {
        let store = try await makePostgresStore()
        // 10,000 people: on a table of a few thousand rows the planner rightly prefers reading it all to the index.
        let users = (0..<10_000).map { SnapshotUser(gid: "g\($0)", name: "Person \($0)", email: "person\($0)@acme.example", isActive: true) }
        let memberships = users.prefix(900).map { SnapshotTeamMembership(teamGid: "t1", userGid: $0.gid) }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users, teams: [Fixture.engineering], teamMemberships: memberships), at: T.t0)
        try await analyze(store)
        func plan(_ configure: (inout UserQuery) -> Void) async throws -> PostgresTextIndex.Plan {
            var query = UserQuery(workspaceGid: "1000")
            configure(&query)
            return try await Self.chosen(store, query)
        }
        #expect(try await plan { $0.query = "person 123" } == .index)
        #expect(try await plan { $0.query = "PERSON 9999@" } == .index)
        #expect(try await plan { $0.query = "nobody" } == .index)
        #expect(try await plan { $0.query = "acme" } == .scan, "everyone: the name index finds a page at once")
        #expect(try await plan { $0.query = "person" } == .scan)
        #expect(try await plan { $0.query = "12" } == .scan, "too short for trigrams")
        #expect(try await plan { $0.query = "..." } == .scan, "no letter or digit: no trigram")
        #expect(try await plan { $0.query = "person 123"; $0.teamGid = "t1" } == .scan, "a team's page reads the team's index")
        #expect(try await plan { $0.query = "person 123"; $0.asOf = T.at(minutes: 1) } == .scan, "a past picture has no text index")

        for cursor in [nil, UserCursor(n: "person 2", g: "g2").encoded()] {
            var query = UserQuery(workspaceGid: "1000", active: true, query: "person 123", limit: 50)
            query.cursor = cursor
            let index = try await Self.explain(store, query, plan: .index)
            #expect(index.contains("Bitmap Index Scan on \(PostgresTextIndex.name)"), "\(index)")
            #expect(!index.contains("workspace_user_by_name"), "\(index)")
            let scan = try await Self.explain(store, query, plan: .scan)
            #expect(!scan.contains(PostgresTextIndex.name), "\(scan)")
        }
        // A team's page with a text: the same statement whichever plan is asked, through the team's index.
        let team = UserQuery(workspaceGid: "1000", teamGid: "t1", query: "person 12")
        let teamPlan = try await Self.explain(store, team, plan: .index)
        #expect(teamPlan == (try await Self.explain(store, team, plan: .scan)))
        #expect(teamPlan.contains("team_membership_by_member_name") && !teamPlan.contains(PostgresTextIndex.name), "\(teamPlan)")

        let reference = SearchIndexTests()
        for text in ["person 123", "acme", "12", "person 9999@", "..."] {
            let query = UserQuery(workspaceGid: "1000", query: text, limit: 100)
            let want = Array(reference.expected(users, text).prefix(100))
            #expect(try await store.listUsers(query).users.map(\.gid) == want, "\(text)")
            #expect(try await Self.page(store, query, plan: .index).gids == want, "\(text)")
        }
    }

    @Test("an estimate far too low (no statistics on the indexed text): the index plan stops at 4,001 matches and the page is scanned")
    func estimateTooLow() async throws {
        let store = try await makePostgresStore()
        let users = (0..<(PostgresTextIndex.scanFromMatches + 500)).map {
            SnapshotUser(gid: "g\($0)", name: "Person \($0)", email: "person\($0)@acme.example", isActive: true)
        }
        // No statistics for the index's expression: the planner falls back to a default selectivity (a few rows).
        // Set before the rows arrive: an ANALYZE with the target at 0 keeps the statistics an earlier one collected,
        // and autovacuum may analyze the table as soon as the snapshot commits (a CI run failed so).
        try await store.database.read { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "ALTER INDEX \(PostgresTextIndex.name) ALTER COLUMN 1 SET STATISTICS 0"), logger: store.logger)
        }
        // Stored last first: the 4,001 matches the index plan reads (in table order) miss the first in listing order.
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users.reversed()), at: T.t0)
        try await store.database.read { connection in
            try await connection.query("ANALYZE workspace_user", logger: store.logger)
        }
        let query = UserQuery(workspaceGid: "1000", query: "acme.example", limit: 100)
        #expect(try await Self.chosen(store, query) == .index)
        let index = try await Self.page(store, query, plan: .index)
        #expect(index.matches == Int64(PostgresTextIndex.scanFromMatches + 1))
        let want = Array(SearchIndexTests().expected(users, "acme.example").prefix(100))
        #expect(index.gids != want, "4,001 matches of 4,500, sorted: not the first page")
        #expect(try await store.listUsers(query).users.map(\.gid) == want)
        #expect(try await allGids(store, UserQuery(workspaceGid: "1000", query: "person 44", limit: 7)) == SearchIndexTests().expected(users, "person 44"))
    }

    // MARK: Without pg_trgm

    /// A role that may create tables in a fresh database's `public` schema but not extensions (no CREATE on the
    /// database), and that database; made by the test server's superuser.
    static func restrictedRole() async throws -> (role: PostgresLocation, admin: PostgresLocation) {
        let admin = try await TestPostgres.freshDatabase()
        let role = "r_\(UInt32.random(in: 0...UInt32.max))"
        let password = UUID().uuidString
        try await TestPostgres.withAdminConnection(admin) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN PASSWORD '\(password)'"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "GRANT USAGE, CREATE ON SCHEMA public TO \(role)"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "REVOKE CREATE ON DATABASE \"\(admin.database)\" FROM PUBLIC"), logger: logger)
        }
        var location = admin
        location.username = role
        location.password = password
        return (location, admin)
    }

    static func hasIndex(_ admin: PostgresLocation) async throws -> Bool {
        try await TestPostgres.integer(admin, "SELECT count(*) FROM pg_indexes WHERE indexname = '\(PostgresTextIndex.name)'") == 1
    }

    /// Opens a store on `location`, its log captured.
    static func open(_ location: PostgresLocation, key: MasterKey, mode: SQLiteAccessStore.OpenMode) async throws -> (PostgresAccessStore, LogCapture) {
        let capture = LogCapture()
        let store = try await PostgresAccessStore.connect(location, masterKey: key, mode: mode, logger: capture.logger())
        OpenedStores.current?.add(store)
        return (store, capture)
    }

    @Test("a role that may not create pg_trgm: the store opens, scans with the same answers, says so once with the fix; once a superuser creates the extension, the next open makes the index")
    func availableLater() async throws {
        let (location, admin) = try await Self.restrictedRole()
        let key = MasterKey.generate()
        let (store, log) = try await Self.open(location, key: key, mode: .create)
        #expect(!store.textIndex)
        #expect(try await !Self.hasIndex(admin))
        let warnings = log.lines.filter { $0.contains("has no index") }
        #expect(warnings.count == 1, "\(log.lines)")
        #expect(warnings.first?.hasPrefix("warning ") == true)
        #expect(warnings.first?.contains("may not create it (it lacks CREATE on the database)") == true, "\(warnings)")
        #expect(warnings.first?.contains("CREATE EXTENSION pg_trgm in database \"\(admin.database)\"") == true, "\(warnings)")

        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people), at: T.t0)
        let reference = SearchIndexTests()
        for text in Self.texts {
            #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: text)).users.map(\.gid) == reference.expected(Self.people, text), "\(text)")
        }
        // Reopened unchanged: still no index, said again (once for that open).
        let (again, againLog) = try await Self.open(location, key: key, mode: .existing)
        #expect(!again.textIndex)
        #expect(againLog.lines.filter { $0.contains("has no index") }.count == 1)

        // The fix the log names.
        try await TestPostgres.withAdminConnection(admin) { connection, logger in
            try await connection.query("CREATE EXTENSION pg_trgm", logger: logger)
        }
        let (later, laterLog) = try await Self.open(location, key: key, mode: .existing)
        #expect(later.textIndex)
        #expect(try await Self.hasIndex(admin))
        #expect(laterLog.lines.filter { $0.contains("has no index") }.isEmpty, "\(laterLog.lines)")
        #expect(laterLog.lines.contains { $0.hasPrefix("notice created the text index") }, "\(laterLog.lines)")
        try await analyze(later)
        #expect(try await Self.chosen(later, UserQuery(workspaceGid: "1000", query: "lovelace")) == .index)
        for text in Self.texts {
            let query = UserQuery(workspaceGid: "1000", query: text)
            #expect(try await later.listUsers(query).users.map(\.gid) == reference.expected(Self.people, text), "\(text)")
            // The store opened before the index existed still scans, with the same answers.
            #expect(try await store.listUsers(query).users.map(\.gid) == reference.expected(Self.people, text), "\(text)")
        }
        // And a later open finds it: nothing to do, nothing said.
        let (last, lastLog) = try await Self.open(location, key: key, mode: .existing)
        #expect(last.textIndex)
        #expect(lastLog.lines.filter { $0.contains("text index") || $0.contains("has no index") }.isEmpty, "\(lastLog.lines)")
    }

    @Test("the extension dropped under a running store: its answers stay the same; the next open creates it again (a role that may)")
    func droppedExtension() async throws {
        let admin = try await TestPostgres.freshDatabase()
        let key = MasterKey.generate()
        let (store, log) = try await Self.open(admin, key: key, mode: .create)
        #expect(store.textIndex)
        #expect(log.lines.contains { $0.hasPrefix("notice created the extension pg_trgm") }, "\(log.lines)")
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: Self.people), at: T.t0)
        try await TestPostgres.withAdminConnection(admin) { connection, logger in
            try await connection.query("DROP EXTENSION pg_trgm CASCADE", logger: logger)
        }
        #expect(try await !Self.hasIndex(admin))
        let reference = SearchIndexTests()
        for text in Self.texts {
            let query = UserQuery(workspaceGid: "1000", query: text)
            #expect(try await store.listUsers(query).users.map(\.gid) == reference.expected(Self.people, text), "\(text)")
            #expect(try await Self.page(store, query, plan: .index).gids == reference.expected(Self.people, text), "\(text)")
        }
        let (reopened, _) = try await Self.open(admin, key: key, mode: .existing)
        #expect(reopened.textIndex)
        #expect(try await Self.hasIndex(admin))
        #expect(try await reopened.listUsers(UserQuery(workspaceGid: "1000", query: "lovelace")).users.map(\.gid) == ["p01", "p02", "p12"])
    }

    @Test("a refused CREATE leaves the open's transaction usable: it rolls back to its savepoint, what came before and after commits")
    func refusalKeepsTransaction() async throws {
        let store = try await makePostgresStore()
        let refused = try await store.database.write { connection in
            try await connection.query("CREATE TABLE before_attempt (x integer)", logger: store.logger)
            let refused = try await PostgresTextIndex.attempt(connection, "CREATE EXTENSION no_such_extension_here", logger: store.logger)
            try await connection.query("CREATE TABLE after_attempt (x integer)", logger: store.logger)
            return refused
        }
        #expect(refused?.contains("no_such_extension_here") == true, "\(refused ?? "nil")")
        #expect(try await TestPostgres.integer(store.location, "SELECT count(*) FROM pg_tables WHERE tablename IN ('before_attempt', 'after_attempt')") == 2)
    }

    @Test("the test server has pg_trgm (else the index tests cannot run: a clear failure, not a skip)")
    func extensionAvailable() async throws {
        let server = try #require(TestPostgres.server)
        let available = try await TestPostgres.integer(server, "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
        #expect(available == 1, "pg_trgm is not installed on the test PostgreSQL server: install the server's contrib modules (Debian: postgresql-NN, scripts/install-deps.sh)")
    }

    // MARK: Pieces

    @Test("what the open does about pg_trgm, from what the database says: each refusal names its reason and its fix")
    func steps() {
        let base = PostgresTextIndex.Facts(installedSchema: nil, available: true, trusted: true, superuser: false, mayCreate: true, database: "asana")
        #expect(PostgresTextIndex.step(base) == .createExtension, "trusted (PostgreSQL 13+) and CREATE on the database")
        var installed = base
        installed.installedSchema = "extensions"
        installed.mayCreate = false
        #expect(PostgresTextIndex.step(installed) == .createIndex(schema: "extensions"))
        var superuser = base
        (superuser.trusted, superuser.mayCreate, superuser.superuser) = (false, false, true)
        #expect(PostgresTextIndex.step(superuser) == .createExtension)

        var absent = base
        absent.available = false
        guard case .give(up: .missing(let reason, let fix)) = PostgresTextIndex.step(absent) else {
            Issue.record("\(PostgresTextIndex.step(absent))")
            return
        }
        #expect(reason == "the extension pg_trgm is not installed on the PostgreSQL server")
        #expect(fix.contains("postgresql-NN") && fix.contains("CREATE EXTENSION pg_trgm in database \"asana\""), "\(fix)")

        var noPrivilege = base
        noPrivilege.mayCreate = false
        guard case .give(up: .missing(let reason, let fix)) = PostgresTextIndex.step(noPrivilege) else {
            Issue.record("\(PostgresTextIndex.step(noPrivilege))")
            return
        }
        #expect(reason.contains("may not create it (it lacks CREATE on the database)"), "\(reason)")
        #expect(fix.hasPrefix("a superuser (or the database's owner) runs CREATE EXTENSION pg_trgm in database \"asana\""), "\(fix)")

        var untrusted = base
        untrusted.trusted = false
        guard case .give(up: .missing(let reason, _)) = PostgresTextIndex.step(untrusted) else {
            Issue.record("\(PostgresTextIndex.step(untrusted))")
            return
        }
        #expect(reason.contains("only a superuser may create it"), "\(reason)")
        var quoted = noPrivilege
        quoted.database = "my\"db"
        if case .give(up: .missing(_, let fix)) = PostgresTextIndex.step(quoted) {
            #expect(fix.contains("in database \"my\"\"db\";"), "\(fix)")
        } else {
            Issue.record("\(PostgresTextIndex.step(quoted))")
        }
    }

    @Test("the LIKE pattern escapes \\, % and _ (by scalar); the texts the index serves; EXPLAIN's rows")
    func pieces() {
        #expect(PostgresTextIndex.likePattern("ada") == "%ada%")
        #expect(PostgresTextIndex.likePattern("100%") == "%100\\%%")
        #expect(PostgresTextIndex.likePattern("a_b") == "%a\\_b%")
        #expect(PostgresTextIndex.likePattern("a\\b") == "%a\\\\b%")
        #expect(PostgresTextIndex.likePattern("\\%_") == "%\\\\\\%\\_%")
        #expect(PostgresTextIndex.likePattern("_\u{301}") == "%\\_\u{301}%", "a combining mark after _ is one Character: escaped by scalar")
        #expect(PostgresTextIndex.likePattern("alice.anders12@acme.example") == "%alice.anders12@a%", "the first 16 scalars")
        #expect(PostgresTextIndex.likePattern("%%%%%%%%%%%%%%%%%%") == "%" + String(repeating: "\\%", count: 16) + "%")
        #expect(PostgresTextIndex.canServe("ada") && PostgresTextIndex.canServe("σοφ") && PostgresTextIndex.canServe("1.2"))
        #expect(PostgresTextIndex.canServe("e\u{301}l"), "3 scalars")
        #expect(!PostgresTextIndex.canServe("ad") && !PostgresTextIndex.canServe("...") && !PostgresTextIndex.canServe("%_\\"))
        #expect(PostgresTextIndex.estimatedRows("Bitmap Heap Scan on workspace_user  (cost=28.12..32.13 rows=12 width=4)") == 12)
        #expect(PostgresTextIndex.estimatedRows("Seq Scan on workspace_user  (cost=0.00..4642.00 rows=55550 width=61)") == 55550)
        #expect(PostgresTextIndex.estimatedRows("Result") == nil)
    }
}
