import Foundation
import GRDB
import PostgresNIO
import Synchronization
import TestSupport
import Testing
@testable import AccessStore

@Suite("listUsers", .closesStores)
struct ListUsersTests {
    /// Fixture plus: a person with unknown flags (no name), a departed person, and a Unicode name.
    func seededStore(_ kind: StoreKind) async throws -> any SnapshotTestStore {
        let store = try await kind.makeSnapshotStore()
        let unknown = SnapshotUser(gid: "u5", name: nil, email: "nameless@acme.example")
        let elodie = SnapshotUser(gid: "u6", name: "Élodie Ünal", email: "elodie@acme.example", isActive: true, isAdmin: false, isGuest: false, isViewOnly: false)
        let dora = SnapshotUser(gid: "u7", name: "Dora Departed", email: "dora@acme.example", isActive: true, isAdmin: true, isGuest: false, isViewOnly: false)
        try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob, Fixture.gus, Fixture.ivy, unknown, elodie, dora]), at: T.t0)
        try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob, Fixture.gus, Fixture.ivy, unknown, elodie]), at: T.at(minutes: 1))
        return store
    }

    func gids(_ store: any SnapshotStore, _ configure: (inout UserQuery) -> Void) async throws -> [String] {
        var query = UserQuery(workspaceGid: "1000")
        configure(&query)
        return try await store.listUsers(query).users.map(\.gid)
    }

    @Test("default: present people sorted by name case-insensitively (unknown name first), then gid", arguments: StoreKind.available)
    func defaultOrder(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        let page = try await store.listUsers(UserQuery(workspaceGid: "1000"))
        // "" (u5) < "Ada Admin" < "bob builder" < "Gus Guest" < "Ivy Inactive" < "Élodie Ünal" (NOCASE folds ASCII only)
        #expect(page.users.map(\.gid) == ["u5", "u1", "u2", "u3", "u4", "u6"])
        #expect(page.nextCursor == nil)
        #expect(page.users[2].teams == [TeamRef(gid: "t2", name: "Design", isAdmin: false, isGuest: false, isLimitedAccess: false), TeamRef(gid: "t1", name: "Engineering", isAdmin: false, isGuest: false, isLimitedAccess: false)])
        #expect(page.users[0].teams == [])
    }

    @Test("active/admin/guest filters match known values only", arguments: StoreKind.available)
    func flagFilters(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        #expect(try await gids(store) { $0.active = true } == ["u1", "u2", "u3", "u6"])   // u5 unknown is not active
        #expect(try await gids(store) { $0.active = false } == ["u4"])                    // nor inactive
        #expect(try await gids(store) { $0.admin = true } == ["u1"])
        #expect(try await gids(store) { $0.admin = false } == ["u2", "u3", "u4", "u6"])
        #expect(try await gids(store) { $0.guest = true } == ["u3"])
        #expect(try await gids(store) { $0.guest = false; $0.active = true } == ["u1", "u2", "u6"])
    }

    @Test("team filter", arguments: StoreKind.available)
    func teamFilter(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        #expect(try await gids(store) { $0.teamGid = "t1" } == ["u1", "u2"])
        #expect(try await gids(store) { $0.teamGid = "t2" } == ["u2", "u3"])
        #expect(try await gids(store) { $0.teamGid = "t2"; $0.guest = false } == ["u2"])
        #expect(try await gids(store) { $0.teamGid = "nope" } == [])
    }

    @Test("query: case-insensitive substring of name or email, Unicode too", arguments: StoreKind.available)
    func textQuery(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        #expect(try await gids(store) { $0.query = "BOB" } == ["u2"])
        #expect(try await gids(store) { $0.query = "other.example" } == ["u3"])
        #expect(try await gids(store) { $0.query = "nameless" } == ["u5"])
        #expect(try await gids(store) { $0.query = "élodie" } == ["u6"])
        #expect(try await gids(store) { $0.query = "ÜNAL" } == ["u6"])
        #expect(try await gids(store) { $0.query = "acme.example"; $0.active = true } == ["u1", "u2", "u6"])
        #expect(try await gids(store) { $0.query = "  " } .count == 6)
        #expect(try await gids(store) { $0.query = "%" } == [])
        #expect(try await gids(store) { $0.query = "_" } == [])
        #expect(try await gids(store) { $0.query = "zzz" } == [])
    }

    @Test("query: canonically equivalent text matches, precomposed or with combining marks, either way round", arguments: StoreKind.available)
    func canonicalEquivalence(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        let decomposed = SnapshotUser(gid: "d1", name: "Jose\u{301} Garci\u{301}a", email: "jose@acme.example", isActive: true)
        let precomposed = SnapshotUser(gid: "p1", name: "Zo\u{EB} \u{C5}berg", email: "zoe@acme.example", isActive: true)
        try await store.applySnapshot(Fixture.snapshot(users: [decomposed, precomposed]), at: T.t0)
        #expect(try await gids(store) { $0.query = "jos\u{E9}" } == ["d1"], "precomposed query, decomposed name")
        #expect(try await gids(store) { $0.query = "GARC\u{CD}A" } == ["d1"], "in another case")
        #expect(try await gids(store) { $0.query = "zoe\u{308}" } == ["p1"], "decomposed query, precomposed name")
        #expect(try await gids(store) { $0.query = "A\u{30A}BERG" } == ["p1"])
        #expect(try await gids(store) { $0.query = "jose garcia" } == [], "accents are not ignored: only equivalent text matches")
        // What is stored is what Asana sent: the search form is not written back.
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "jos\u{E9}")).users.first?.name?.unicodeScalars.count == 13)
    }

    @Test("includeDeparted adds departed people", arguments: StoreKind.available)
    func departed(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        #expect(try await gids(store) { _ in } .contains("u7") == false)
        #expect(try await gids(store) { $0.includeDeparted = true } == ["u5", "u1", "u2", "u7", "u3", "u4", "u6"])
        // departed rows are inactive: active=true never returns them
        #expect(try await gids(store) { $0.includeDeparted = true; $0.active = true } == ["u1", "u2", "u3", "u6"])
        let dora = try #require(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "dora", includeDeparted: true)).users.first)
        #expect(dora.departedAt == T.at(minutes: 1))
    }

    /// 240 people with colliding and case-varying names, unknown names and flags.
    func bigStore(_ kind: StoreKind) async throws -> (any SnapshotTestStore, [SnapshotUser]) {
        let store = try await kind.makeSnapshotStore()
        let first = ["alice", "Alice", "ALICE", "bob", "Zoë", "carol", "Carol", "dave"]
        var users: [SnapshotUser] = []
        for index in 0..<240 {
            let name: String? = index % 17 == 0 ? nil : "\(first[index % first.count]) \(index % 5)"
            users.append(SnapshotUser(
                gid: String(100_000 + (index * 7919) % 1000), name: name, email: "p\(index)@acme.example",
                isActive: index % 3 == 0 ? nil : index % 4 != 0, isAdmin: index % 10 == 0, isGuest: false, isViewOnly: false))
        }
        let teams = [SnapshotTeam(gid: "t1", name: "Engineering"), SnapshotTeam(gid: "t2", name: "Design")]
        let memberships = users.enumerated().flatMap { index, user in
            index % 2 == 0 ? [SnapshotTeamMembership(teamGid: "t1", userGid: user.gid), SnapshotTeamMembership(teamGid: "t2", userGid: user.gid)] : []
        }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users, teams: teams, teamMemberships: memberships), at: T.t0)
        return (store, users)
    }

    /// The order listUsers promises, computed in Swift: SQLite NOCASE folds ASCII letters only.
    func expectedOrder(_ users: [SnapshotUser]) -> [String] {
        func fold(_ text: String) -> [UInt8] {
            text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }
        }
        return users.sorted { a, b in
            let na = fold(a.name ?? ""), nb = fold(b.name ?? "")
            if na != nb { return na.lexicographicallyPrecedes(nb) }
            return a.gid.utf8.lexicographicallyPrecedes(b.gid.utf8)
        }.map(\.gid)
    }

    @Test("pagination covers everyone exactly once, in order", arguments: StoreKind.available, [1, 7, 50, 239, 240, 1000])
    func pagination(kind: StoreKind, limit: Int) async throws {
        let (store, users) = try await bigStore(kind)
        let gids = try await allGids(store, UserQuery(workspaceGid: "1000", limit: limit))
        #expect(gids.count == 240)
        #expect(Set(gids).count == 240)
        #expect(gids == expectedOrder(users))
    }

    @Test("pagination with filters has no duplicates or gaps", arguments: StoreKind.available)
    func paginationFiltered(kind: StoreKind) async throws {
        let (store, users) = try await bigStore(kind)
        let active = users.filter { $0.isActive == true }
        let gids = try await allGids(store, UserQuery(workspaceGid: "1000", active: true, teamGid: "t1", limit: 9))
        let expected = expectedOrder(active.filter { user in
            let index = users.firstIndex(of: user) ?? 1
            return index % 2 == 0
        })
        #expect(!expected.isEmpty)
        #expect(gids == expected)

        // Rows added behind the cursor between pages do not shift later pages.
        var query = UserQuery(workspaceGid: "1000", limit: 30)
        let firstPage = try await store.listUsers(query)
        query.cursor = firstPage.nextCursor
        let newcomer = SnapshotUser(gid: "000001", name: "aaa first", isActive: true)
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users + [newcomer]), at: T.at(minutes: 1))
        let second = try await store.listUsers(query)
        #expect(second.users.first?.gid == expectedOrder(users)[30])
    }

    @Test("a team's listing follows its members' renames, whoever wrote the membership: a full sync, a sync that kept the teams, a provision",
          arguments: StoreKind.available)
    func teamListingFollowsRenames(kind: StoreKind) async throws {
        let (store, users) = try await bigStore(kind)
        // Team t1 holds the people at even positions; 1 in 3 of them moves to the other end of the order.
        func renamed(_ users: [SnapshotUser], prefix: String) -> [SnapshotUser] {
            users.enumerated().map { index, user in
                var user = user
                if index % 6 == 0 { user.name = prefix + (user.name ?? "") }
                return user
            }
        }
        func members(_ users: [SnapshotUser]) -> [SnapshotUser] {
            users.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        }
        let memberships = members(users).map { SnapshotTeamMembership(teamGid: "t1", userGid: $0.gid) }
        let teams = [SnapshotTeam(gid: "t1", name: "Engineering"), SnapshotTeam(gid: "t2", name: "Design")]

        // The team listing could not be read: the memberships are kept as stored, their members renamed.
        let late = renamed(users, prefix: "zz ")
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: late, preservesAllTeams: true), at: T.at(minutes: 1))
        #expect(try await allGids(store, UserQuery(workspaceGid: "1000", teamGid: "t1", limit: 7)) == expectedOrder(members(late)))

        // A full sync renames them again, to the front.
        let early = renamed(users, prefix: "AA ")
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: early, teams: teams, teamMemberships: memberships), at: T.at(minutes: 2))
        #expect(try await allGids(store, UserQuery(workspaceGid: "1000", teamGid: "t1", limit: 7)) == expectedOrder(members(early)))

        // A provision adds a renamed person (at an odd position: not yet a member) to the team.
        var joiner = early[1]
        joiner.name = "Mmm Joiner"
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: joiner, workspaceAction: .none,
                                                             teamsAdded: [teams[0]], principal: "tester", callId: "call-1"), at: T.at(minutes: 3))
        let expected = expectedOrder(members(early) + [joiner])
        #expect(expected.contains(joiner.gid))
        #expect(try await allGids(store, UserQuery(workspaceGid: "1000", teamGid: "t1", limit: 7)) == expected)

        // A provision renames a member without touching the membership (the rename alone moves them in the team's order).
        var member = early[0]
        member.name = "zzz Last"
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: member, workspaceAction: .none,
                                                             principal: "tester", callId: "call-2"), at: T.at(minutes: 4))
        let after = expectedOrder(members(early).map { $0.gid == member.gid ? member : $0 } + [joiner])
        #expect(after.last == member.gid)
        #expect(try await allGids(store, UserQuery(workspaceGid: "1000", teamGid: "t1", limit: 7)) == after)
    }

    /// A store in `dir` whose database was migrated up to `migration` only, then given `rows` (SQL), then opened,
    /// which runs the later migrations on those rows.
    static func store(in dir: TempDirectory, migratedUpTo migration: String, then rows: String) async throws -> SQLiteAccessStore {
        try await storeMigrated(in: dir, upTo: migration) { db in try db.execute(sql: rows) }.store
    }

    @Test("migration v15 gives the memberships a database already holds their members' names: the team's listing is in order")
    func teamListingBackfill() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let store = try await Self.store(in: dir, migratedUpTo: "v14-listing-indexes", then: """
            INSERT INTO workspace (gid, name, isOrganization) VALUES ('1000', 'Acme Corp', 1);
            INSERT INTO workspaceUser (workspaceGid, gid, name, firstSeenAt, lastSeenAt) VALUES
                ('1000', 'p1', 'Zed', 1, 1), ('1000', 'p2', 'amy', 1, 1), ('1000', 'p3', NULL, 1, 1), ('1000', 'p4', 'Max', 1, 1);
            INSERT INTO team (workspaceGid, gid, name) VALUES ('1000', 't1', 'Engineering');
            INSERT INTO teamMembership (workspaceGid, teamGid, userGid) VALUES ('1000', 't1', 'p1'), ('1000', 't1', 'p2'), ('1000', 't1', 'p3');
            """)
        defer { try? store.close() }
        #expect(try await allGids(store, UserQuery(workspaceGid: "1000", teamGid: "t1", limit: 1)) == ["p3", "p2", "p1"])
        let copies = try await store.dbWriter.read { db in
            try Row.fetchAll(db, sql: "SELECT userGid, userName FROM teamMembership ORDER BY userGid").map { "\($0["userGid"] as String)=\($0["userName"] as String? ?? "nil")" }
        }
        #expect(copies == ["p1=Zed", "p2=amy", "p3=nil"])
    }

    @Test("a person's teams are sorted by name (case-insensitive) then gid, and follow a team's rename: a full sync, a provision",
          arguments: StoreKind.available)
    func teamsFollowTeamRenames(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        let teams = [SnapshotTeam(gid: "t3", name: "alpha"), SnapshotTeam(gid: "t2", name: "beta"), SnapshotTeam(gid: "t1", name: "Alpha"),
                     SnapshotTeam(gid: "t4", name: "Gamma")]
        let people = [Fixture.ada, Fixture.bob]
        let memberships = teams.map { SnapshotTeamMembership(teamGid: $0.gid, userGid: Fixture.ada.gid) }
            + [SnapshotTeamMembership(teamGid: "t2", userGid: Fixture.bob.gid, isAdmin: true)]
        func teamsOf(_ gid: String) async throws -> [String] {
            try await store.listUsers(UserQuery(workspaceGid: "1000")).users.first { $0.gid == gid }?.teams.map { "\($0.gid) \($0.name)" } ?? []
        }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: people, teams: teams, teamMemberships: memberships), at: T.t0)
        #expect(try await teamsOf(Fixture.ada.gid) == ["t1 Alpha", "t3 alpha", "t2 beta", "t4 Gamma"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000")).users.first { $0.gid == Fixture.bob.gid }?.teams
            == [TeamRef(gid: "t2", name: "beta", isAdmin: true, isGuest: nil, isLimitedAccess: nil)])

        // A full sync renames t1 to the end of the order.
        var renamed = teams
        renamed[2].name = "Zeta"
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: people, teams: renamed, teamMemberships: memberships),
                                      at: T.at(minutes: 1))
        #expect(try await teamsOf(Fixture.ada.gid) == ["t3 alpha", "t2 beta", "t4 Gamma", "t1 Zeta"])

        // A provision adds Bob to t4 under a new name: Ada's membership of t4, which the provision does not write, follows.
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: Fixture.bob, workspaceAction: .none,
                                                             teamsAdded: [SnapshotTeam(gid: "t4", name: "Aardvarks")],
                                                             principal: "tester", callId: "call-1"), at: T.at(minutes: 2))
        #expect(try await teamsOf(Fixture.ada.gid) == ["t4 Aardvarks", "t3 alpha", "t2 beta", "t1 Zeta"])
        #expect(try await teamsOf(Fixture.bob.gid) == ["t4 Aardvarks", "t2 beta"])
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: Fixture.ada.gid)?.teams.map(\.gid) == ["t4", "t3", "t2", "t1"])
    }

    @Test("migration v17 gives the memberships a database already holds their teams' names: each person's teams are in order")
    func teamNamesBackfill() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let store = try await Self.store(in: dir, migratedUpTo: "v16-search-index", then: """
            INSERT INTO workspace (gid, name, isOrganization) VALUES ('1000', 'Acme Corp', 1);
            INSERT INTO workspaceUser (workspaceGid, gid, name, firstSeenAt, lastSeenAt) VALUES ('1000', 'p1', 'Zed', 1, 1), ('1000', 'p2', 'amy', 1, 1);
            INSERT INTO team (workspaceGid, gid, name) VALUES ('1000', 't1', 'sales'), ('1000', 't2', 'Ops'), ('1000', 't3', 'ops');
            INSERT INTO teamMembership (workspaceGid, teamGid, userGid, isAdmin) VALUES
                ('1000', 't1', 'p1', 0), ('1000', 't2', 'p1', 1), ('1000', 't3', 'p1', 0), ('1000', 't1', 'p2', 1);
            """)
        defer { try? store.close() }
        let users = try await store.listUsers(UserQuery(workspaceGid: "1000")).users
        #expect(users.map(\.gid) == ["p2", "p1"])
        #expect(users[1].teams == [TeamRef(gid: "t2", name: "Ops", isAdmin: true, isGuest: nil, isLimitedAccess: nil),
                                   TeamRef(gid: "t3", name: "ops", isAdmin: false, isGuest: nil, isLimitedAccess: nil),
                                   TeamRef(gid: "t1", name: "sales", isAdmin: false, isGuest: nil, isLimitedAccess: nil)])
        #expect(users[0].teams.map(\.gid) == ["t1"])
        let copies = try await store.dbWriter.read { db in
            try Row.fetchAll(db, sql: "SELECT teamGid, userGid, teamName FROM teamMembership ORDER BY teamGid, userGid")
                .map { "\($0["teamGid"] as String)/\($0["userGid"] as String)=\($0["teamName"] as String? ?? "nil")" }
        }
        #expect(copies == ["t1/p1=sales", "t1/p2=sales", "t2/p1=Ops", "t3/p1=ops"])
    }

    @Test("a page's teams come from one query, and the page is read through the name index")
    func efficiency() async throws {
        let log = StatementLog()
        var config = Configuration()
        config.prepareDatabase { db in
            db.trace { event in
                if case .statement(let statement) = event {
                    log.statements.withLock { $0.append(statement.sql) }
                }
            }
        }
        let queue = try DatabaseQueue(configuration: SQLiteAccessStore.makeConfiguration(config))
        let store = try SQLiteAccessStore(writer: queue, masterKey: MasterKey.generate(), path: nil)
        let users = (0..<60).map { SnapshotUser(gid: "g\($0)", name: "Person \($0)", isActive: true) }
        try await store.applySnapshot(WorkspaceSnapshot(
            workspace: Fixture.workspace, users: users, teams: [Fixture.engineering, Fixture.design],
            teamMemberships: users.flatMap { [SnapshotTeamMembership(teamGid: "t1", userGid: $0.gid), SnapshotTeamMembership(teamGid: "t2", userGid: $0.gid)] }),
            at: T.t0)
        log.statements.withLock { $0.removeAll() }

        let page = try await store.listUsers(UserQuery(workspaceGid: "1000", limit: 50))
        #expect(page.users.count == 50)
        #expect(page.users.allSatisfy { $0.teams.count == 2 })
        let statements = log.statements.withLock { $0 }
        #expect(statements.filter { $0.contains("FROM workspaceUser") }.count == 1)
        #expect(statements.filter { $0.contains("FROM teamMembership") }.count == 1)
        // The teams come from one index in the order they are listed: no row, no sort (migration v17); the team is
        // read only for a membership without its copy of the name.
        let teamsSQL = try #require(statements.first { $0.contains("FROM teamMembership") })
        let teamsPlan = try await queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + teamsSQL, arguments: StatementArguments(["1000"] + page.users.map(\.gid)))
                .map { $0["detail"] as String }
        }
        #expect(teamsPlan.first == "SEARCH teamMembership USING COVERING INDEX teamMembership_byUser (workspaceGid=? AND userGid=?)", "\(teamsPlan)")
        #expect(!teamsPlan.contains { $0.contains("TEMP B-TREE") }, "\(teamsPlan)")

        var query = UserQuery(workspaceGid: "1000", active: true, limit: 50)
        query.cursor = page.nextCursor
        let request = try SQLiteAccessStore.listUsersRequest(query)
        let plan = try await queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + request.sql, arguments: request.arguments).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("workspaceUser_byName") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        // A page after a cursor seeks to it in the index (a range on the sort name), not a scan from the start.
        #expect(plan.contains { $0.contains("workspaceUser_byName (workspaceGid=? AND <expr>>?)") }, "\(plan)")
    }

    @Test("a rare flag value is read through its partial index; a team's members through the team's index in listing order",
          arguments: ["admin", "guest", "inactive", "flagsUnknown", "not admin", "team"])
    func filteredPlans(filter: String) async throws {
        let store = try SQLiteAccessStore(writer: DatabaseQueue(configuration: SQLiteAccessStore.makeConfiguration()), masterKey: MasterKey.generate(), path: nil)
        let (configure, index): ((inout UserQuery) -> Void, String) = switch filter {
        case "admin": ({ $0.admin = true }, "workspaceUser_admins")
        case "guest": ({ $0.guest = true }, "workspaceUser_guests")
        case "inactive": ({ $0.active = false }, "workspaceUser_inactive")
        case "flagsUnknown": ({ $0.flagsUnknown = true }, "workspaceUser_flagsUnknown")
        case "not admin": ({ $0.admin = false }, "workspaceUser_byName")
        default: ({ $0.teamGid = "t1" }, "teamMembership_byMemberName")
        }
        for cursor in [nil, UserCursor(n: "m", g: "g5").encoded()] {
            var query = UserQuery(workspaceGid: "1000", limit: 50)
            configure(&query)
            query.cursor = cursor
            let request = try SQLiteAccessStore.listUsersRequest(query)
            let plan = try await store.dbWriter.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + request.sql, arguments: request.arguments).map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("USING INDEX \(index) ") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.contains("CORRELATED") }, "\(plan)")
        }
    }

    @Test("PostgreSQL: a rare flag value is read through its partial index, a team through the team's index",
          .enabled(if: postgresConfigured), arguments: ["admin", "guest", "inactive", "flagsUnknown", "team"])
    func postgresFilteredPlans(filter: String) async throws {
        let store = try await makePostgresStore()
        let (configure, index): ((inout UserQuery) -> Void, String) = switch filter {
        case "admin": ({ $0.admin = true }, "workspace_user_admins")
        case "guest": ({ $0.guest = true }, "workspace_user_guests")
        case "inactive": ({ $0.active = false }, "workspace_user_inactive")
        case "flagsUnknown": ({ $0.flagsUnknown = true }, "workspace_user_flags_unknown")
        default: ({ $0.teamGid = "t1" }, "team_membership_by_member_name")
        }
        for cursor in [nil, UserCursor(n: "m", g: "g5").encoded()] {
            var query = UserQuery(workspaceGid: "1000", limit: 50)
            configure(&query)
            query.cursor = cursor
            let page = PostgresAccessStore.listUsersQuery(try UserListing(query))
            // An empty table: without seq scans off the planner would read it whole, whatever the indexes.
            let plan = try await TestPostgres.withAdminConnection(store.location) { connection, logger in
                try await connection.query("SET enable_seqscan = off", logger: logger)
                return try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + page.sql, binds: page.binds), logger: logger)
                    .collect().map { try $0.decode(String.self) }
            }
            #expect(plan.contains { $0.contains(" using \(index) ") || $0.contains(" on \(index) ") }, "\(plan)")
            #expect(!plan.contains { $0.contains("Sort") }, "\(plan)")
        }
    }

    @Test("bad cursors → invalidCursor", arguments: StoreKind.available, ["", "not a cursor", "!!!!", "e30", "bm90LWpzb24", "eyJuIjoiYSJ9", String(repeating: "A", count: 5000)])
    func badCursor(kind: StoreKind, cursor: String) async throws {
        let store = try await seededStore(kind)
        await #expect(throws: AccessStoreError.invalidCursor) {
            try await store.listUsers(UserQuery(workspaceGid: "1000", cursor: cursor))
        }
    }

    @Test("a cursor survives a round trip and is base64url JSON")
    func cursorFormat() throws {
        let cursor = UserCursor(n: "Zoë +/?", g: "123")
        let text = cursor.encoded()
        #expect(!text.contains("+") && !text.contains("/") && !text.contains("="))
        #expect(try UserCursor.decode(text) == cursor)
    }

    @Test("bad limits, empty workspace, over-long text and a text holding NUL → invalidQuery", arguments: StoreKind.available, [0, -1, 1001])
    func badLimit(kind: StoreKind, limit: Int) async throws {
        let store = try await seededStore(kind)
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got \(limit)")) {
            try await store.listUsers(UserQuery(workspaceGid: "1000", limit: limit))
        }
        await #expect(throws: AccessStoreError.invalidQuery("workspaceGid is empty")) {
            try await store.listUsers(UserQuery(workspaceGid: ""))
        }
        await #expect(throws: AccessStoreError.invalidQuery("query is longer than 256 characters")) {
            try await store.listUsers(UserQuery(workspaceGid: "1000", query: String(repeating: "x", count: 257)))
        }
        for text in ["ad\0a", "\0", "a\0"] {
            await #expect(throws: AccessStoreError.invalidQuery("query must not contain the character U+0000")) {
                try await store.listUsers(UserQuery(workspaceGid: "1000", query: text))
            }
        }
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: String(repeating: "x", count: 256))).users.isEmpty)
    }

    @Test("an unknown workspace lists nobody", arguments: StoreKind.available)
    func unknownWorkspace(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "4242")) == UserPage(users: [], nextCursor: nil))
    }
}

/// SQL statements seen by a trace hook.
final class StatementLog: Sendable {
    let statements = Mutex<[String]>([])
}
