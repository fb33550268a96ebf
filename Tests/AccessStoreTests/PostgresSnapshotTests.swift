import AccessProtocol
import Foundation
import PostgresNIO
import TestSupport
import Testing
@testable import AccessStore

/// What is particular to snapshots in PostgreSQL: SQLite's order page after page on a large workspace, the page
/// query's plan, and two servers applying snapshots of one workspace at once.
@Suite("PostgreSQL snapshots", .closesStores, .enabled(if: postgresConfigured, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct PostgresSnapshotTests {
    /// 3,000 people whose names collide, differ only in case, are non-ASCII (precomposed and decomposed,
    /// upper- and lowercase), are empty or unknown; gids of different lengths.
    static func people() -> [SnapshotUser] {
        let names: [String?] = [
            "alice", "Alice", "ALICE", "alice ", "Bob", "bob", "Zoë", "ZOË", "Zoe\u{308}", "Élodie", "élodie", "Émile", "Ärger",
            "Øystein", "Łukasz", "ıgor", "İpek", "ß", "SS", "ss", "日本", "😀 smile", "_under", "-dash", "[bracket", "~tilde", "a",
            "Z", "z", "", nil, nil,
        ]
        var rng = SeededRandom(seed: 42)
        return (0..<3000).map { index in
            let name = names[index % names.count].map { Int.random(in: 0..<3, using: &rng) == 0 ? "\($0) \(index % 7)" : $0 }
            return SnapshotUser(gid: String(Int.random(in: 1...999_999_999, using: &rng)) + "\(index)", name: name,
                                email: "p\(index)@acme.example", isActive: index % 5 != 0, isAdmin: index % 11 == 0,
                                isGuest: index % 13 == 0, isViewOnly: false)
        }
    }

    /// Every page of `query` from `store`, and how many pages it took.
    static func walk(_ store: any SnapshotStore, _ query: UserQuery) async throws -> (gids: [String], pages: Int) {
        var query = query
        var gids: [String] = []
        var pages = 0
        while true {
            let page = try await store.listUsers(query)
            gids += page.users.map(\.gid)
            pages += 1
            guard let next = page.nextCursor, pages <= 10_000 else { break }
            query.cursor = next
        }
        return (gids, pages)
    }

    @Test("a walk through every page of thousands of people returns each once, in SQLite's order, for every filter")
    func walkMatchesSQLite() async throws {
        let users = Self.people()
        let teams = [SnapshotTeam(gid: "t1", name: "Engineering"), SnapshotTeam(gid: "t2", name: "design")]
        let snapshot = WorkspaceSnapshot(
            workspace: Fixture.workspace, users: users, teams: teams,
            teamMemberships: users.enumerated().compactMap { index, user in
                index % 3 == 0 ? SnapshotTeamMembership(teamGid: index % 2 == 0 ? "t1" : "t2", userGid: user.gid, isAdmin: index % 4 == 0) : nil
            })
        let sqlite = try makeStore()
        let postgres = try await makePostgresStore()
        let later = WorkspaceSnapshot(workspace: snapshot.workspace, users: Array(users.dropFirst(100)), teams: teams,
                                      teamMemberships: snapshot.teamMemberships)
        for store in [sqlite, postgres] as [any SnapshotStore] {
            #expect(try await store.applySnapshot(snapshot, at: T.t0) == SnapshotCounts(
                users: 3000, added: 3000, updated: 0, departed: 0, teams: 2, teamMemberships: 1000))
            #expect(try await store.applySnapshot(later, at: T.at(minutes: 1)).departed == 100)
        }
        let queries: [UserQuery] = [
            UserQuery(workspaceGid: "1000", limit: 97),
            UserQuery(workspaceGid: "1000", includeDeparted: true, limit: 1000),
            UserQuery(workspaceGid: "1000", active: true, admin: false, limit: 50),
            UserQuery(workspaceGid: "1000", teamGid: "t2", limit: 33),
            UserQuery(workspaceGid: "1000", query: "ZOË", limit: 7),
            UserQuery(workspaceGid: "1000", query: "élodie", limit: 7),
            UserQuery(workspaceGid: "1000", changedSince: T.t0, limit: 9),
            UserQuery(workspaceGid: "1000", includeDeparted: true, asOf: T.t0.addingTimeInterval(30), limit: 250),
            UserQuery(workspaceGid: "1000", asOf: T.at(minutes: 2), limit: 250),
        ]
        for query in queries {
            let expected = try await Self.walk(sqlite, query)
            let got = try await Self.walk(postgres, query)
            #expect(!expected.gids.isEmpty, "\(query)")
            #expect(Set(got.gids).count == got.gids.count, "no one twice: \(query)")
            #expect(got.gids == expected.gids, "\(query)")
            #expect(got.pages == expected.pages, "\(query)")
        }
        // The whole listing, page by page, compared field by field (teams, flags, times, change).
        var query = UserQuery(workspaceGid: "1000", changedSince: T.t0.addingTimeInterval(-1), limit: 400)
        while true {
            let expected = try await sqlite.listUsers(query)
            let got = try await postgres.listUsers(query)
            #expect(got == expected)
            guard let next = expected.nextCursor, got.nextCursor == next else { break }
            query.cursor = next
        }
        #expect(try await postgres.teams(workspaceGid: "1000") == (try await sqlite.teams(workspaceGid: "1000")))
        #expect(try await postgres.user(workspaceGid: "1000", gidOrEmail: "P7@ACME.EXAMPLE")?.gid == users[7].gid)
    }

    /// Every access change of the workspace, ids left out (each store numbers its own).
    static func changeLog(_ store: any HistoryStore) async throws -> [AccessChange] {
        var changes: [AccessChange] = []
        var query = AccessChangeQuery(workspaceGid: "1000", from: T.at(minutes: -10), limit: 100)
        while true {
            let page = try await store.listAccessChanges(query)
            changes += page.changes.map { change in
                var change = change
                change.id = 0
                return change
            }
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        return changes
    }

    @Test("the same syncs and provisions leave the same pictures, past pictures, change log, counts and pruning in both stores",
          arguments: [UInt64(21), 22])
    func historyMatchesSQLite(seed: UInt64) async throws {
        let sqlite = try makeStore()
        let postgres = try await makePostgresStore()
        let stores: [any SnapshotTestStore] = [sqlite, postgres]
        var organization = HistoryTests.Organization(seed: seed)
        var rng = SeededRandom(seed: seed)
        var moments: [Date] = []
        for step in 0..<30 {
            organization.change()
            let at = T.at(minutes: step * 10)
            moments += [at, at.addingTimeInterval(150)]
            let counts = try await stores.asyncMap { try await $0.applySnapshot(organization.snapshot, at: at, syncRunId: Int64(step + 1)) }
            #expect(counts[0] == counts[1], "counts at step \(step)")
            // Now and then a provision between syncs: someone added, removed, or moved between teams.
            if step % 3 == 1, let gid = organization.people.keys.sorted().randomElement(using: &rng) {
                let action = [ProvisionChange.WorkspaceAction.added, .removed, .none].randomElement(using: &rng)!
                let change = ProvisionChange(
                    workspaceGid: "1000", user: SnapshotUser(gid: gid, name: Bool.random(using: &rng) ? "Provisioned \(gid)" : nil),
                    workspaceAction: action, teamsAdded: [SnapshotTeam(gid: "t\(step)", name: "Provisioned team \(step)")],
                    teamsRemoved: ["t1"], principal: "okta", callId: "call-\(step)")
                for store in stores { try await store.applyProvisionChange(change, at: at.addingTimeInterval(60)) }
            }
        }
        let logs = try await stores.asyncMap { try await Self.changeLog($0) }
        #expect(logs[0].count > 50)
        #expect(logs[0] == logs[1])
        for moment in moments + [T.at(minutes: 1000)] {
            let pictures = try await stores.asyncMap { store in
                try await store.listUsers(UserQuery(workspaceGid: "1000", includeDeparted: true, asOf: moment, limit: 1000))
            }
            #expect(pictures[0] == pictures[1], "as of \(moment)")
        }
        let current = try await stores.asyncMap { try await $0.listUsers(UserQuery(workspaceGid: "1000", includeDeparted: true, limit: 1000)) }
        #expect(current[0] == current[1])
        let accessCounts = try await stores.asyncMap { try await $0.accessCounts(workspaceGid: "1000", at: moments) }
        #expect(accessCounts[0] == accessCounts[1])
        let kindCounts = try await stores.asyncMap { try await $0.accessChangeCounts(workspaceGid: "1000", from: T.t0, before: T.at(minutes: 150)) }
        #expect(kindCounts[0] == kindCounts[1] && !kindCounts[0].isEmpty)
        #expect(try await sqlite.teams(workspaceGid: "1000") == (try await postgres.teams(workspaceGid: "1000")))

        let pruned = try await stores.asyncMap { try await $0.pruneHistory(before: T.at(minutes: 145)) }
        #expect(pruned[0] == pruned[1] && pruned[0].intervals > 0)
        #expect(try await stores.asyncMap { try await Self.changeLog($0) }.allSatisfy { $0 == logs[0].filter { $0.observedAt >= T.at(minutes: 145) } })
        for moment in moments where moment >= T.at(minutes: 145) {
            let pictures = try await stores.asyncMap { store in
                try await store.listUsers(UserQuery(workspaceGid: "1000", includeDeparted: true, asOf: moment, limit: 1000))
            }
            #expect(pictures[0] == pictures[1], "as of \(moment) after pruning")
        }
        #expect(try await sqlite.workspace(gid: "1000") == (try await postgres.workspace(gid: "1000")))
    }

    @Test("a past picture stands on the last sync run committed before it, as in SQLite (sync run rows written directly: the sync run store is not in this branch)")
    func standingRun() async throws {
        let sqlite = try makeStore()
        let postgres = try await makePostgresStore()
        // Runs: 1 succeeded at minute 5, 2 failed at minute 12, 3 partial at minute 15 (ids as the identity column gives them).
        let runs: [(status: SyncRunStatus, finished: Date)] = [(.succeeded, T.at(minutes: 5)), (.failed, T.at(minutes: 12)), (.partial, T.at(minutes: 15))]
        for (status, finished) in runs {
            let id = try await sqlite.startSyncRun(workspaceGid: "1000", trigger: "manual", at: finished.addingTimeInterval(-60))
            try await sqlite.finishSyncRun(id: id, status: status, counts: nil, apiCalls: 0, error: nil, at: finished)
            _ = try await postgres.database.write { connection in
                try await connection.query("""
                    INSERT INTO sync_run (workspace_gid, run_trigger, status, started_at, finished_at)
                    VALUES ('1000', 'manual', \(status.rawValue), \(UnixMillis.from(finished) - 60_000), \(UnixMillis.from(finished)))
                    """, logger: postgres.logger)
            }
        }
        for store in [sqlite, postgres] as [any SnapshotStore] {
            try await store.applySnapshot(Fixture.snapshot(), at: T.at(minutes: 5))
            try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob]), at: T.at(minutes: 15))
        }
        for minute in [4, 5, 11, 13, 15, 20] {
            let query = UserQuery(workspaceGid: "1000", includeDeparted: true, asOf: T.at(minutes: minute))
            let expected = try await sqlite.listUsers(query)
            #expect(try await postgres.listUsers(query) == expected, "as of minute \(minute)")
            #expect(expected.standingRun?.id == (minute < 5 ? nil : minute < 15 ? 1 : 3), "as of minute \(minute)")
        }
    }

    /// The plan PostgreSQL chooses for `query` (`EXPLAIN`, text format), after `ANALYZE`.
    static func plan(_ store: PostgresAccessStore, _ query: UserQuery) async throws -> String {
        let statement = PostgresAccessStore.listUsersQuery(try UserListing(query))
        return try await store.database.read { connection in
            try await connection.query("ANALYZE", logger: store.logger)
            var explain = statement
            explain.sql = "EXPLAIN " + explain.sql
            var lines: [String] = []
            for try await line in try await connection.query(explain, logger: store.logger).decode(String.self) { lines.append(line) }
            return lines.joined(separator: "\n")
        }
    }

    @Test("a page seeks in the name index past its cursor, without sorting the workspace")
    func pagePlan() async throws {
        let store = try await makePostgresStore()
        let users = (0..<5000).map { SnapshotUser(gid: "g\($0)", name: "Person \($0)", isActive: $0 % 2 == 0) }
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: users), at: T.t0)
        let first = try await store.listUsers(UserQuery(workspaceGid: "1000", limit: 100))
        let cursor = try #require(first.nextCursor)
        for query in [UserQuery(workspaceGid: "1000", limit: 100, cursor: cursor),
                      UserQuery(workspaceGid: "1000", active: true, limit: 100, cursor: cursor)] {
            let plan = try await Self.plan(store, query)
            #expect(plan.contains("workspace_user_by_name"), "\(plan)")
            #expect(!plan.contains("Sort"), "\(plan)")
            #expect(plan.contains("Index Cond: ((workspace_gid = '1000'::text) AND (ROW(lower(COALESCE(name, ''::text)), gid) > ROW("),
                    "the cursor is a bound of the index scan:\n\(plan)")
        }
        let past = try await Self.plan(store, UserQuery(workspaceGid: "1000", asOf: T.t0, limit: 100, cursor: cursor))
        #expect(past.contains("workspace_user_interval_by_name") && !past.contains("Sort"), "\(past)")
    }

    /// A `query` text holding U+0000 is refused by both stores (``UserListing``): SQLite would bind it up to the NUL.
    @Test("text with U+0000 matches nobody: team, email lookup, workspace, history; a query text holding it is refused")
    func nulText() async throws {
        let store = try await makePostgresStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        func gids(_ configure: (inout UserQuery) -> Void) async throws -> [String] {
            var query = UserQuery(workspaceGid: "1000")
            configure(&query)
            return try await store.listUsers(query).users.map(\.gid)
        }
        #expect(try await gids { $0.query = "bob" } == ["u2"])
        await #expect(throws: AccessStoreError.invalidQuery("query must not contain the character U+0000")) {
            try await gids { $0.query = "bob\u{0}" }
        }
        #expect(try await gids { $0.teamGid = "t1\u{0}" } == [])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000\u{0}")).users == [])
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "bob@acme.example\u{0}") == nil)
        #expect(try await store.workspace(gid: "1000\u{0}") == nil)
        #expect(try await store.teams(workspaceGid: "1000\u{0}") == [])
        #expect(try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.t0, userGid: "u1\u{0}")).changes == [])
        #expect(try await store.accessCounts(workspaceGid: "1000\u{0}", at: [T.t0]).map(\.people) == [0])
    }

    @Test("text PostgreSQL cannot hold (U+0000) is refused before anything is written; such a cursor is invalid")
    func nulRefused() async throws {
        let store = try await makePostgresStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        var bad = Fixture.snapshot()
        bad.users[1].name = "bob\u{0}builder"
        await #expect(throws: PostgresText.nulRefused) { try await store.applySnapshot(bad, at: T.at(minutes: 1)) }
        await #expect(throws: PostgresText.nulRefused) {
            try await store.applyProvisionChange(ProvisionChange(
                workspaceGid: "1000", user: SnapshotUser(gid: "u1"), workspaceAction: .none, teamsAdded: [SnapshotTeam(gid: "t9", name: "a\u{0}")],
                principal: "tester", callId: "call-1"), at: T.at(minutes: 1))
        }
        #expect(try await store.workspace(gid: "1000")?.lastSyncedAt == T.t0)
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.name == "bob builder")
        #expect(try await store.teams(workspaceGid: "1000").count == 2)
        await #expect(throws: AccessStoreError.invalidCursor) {
            try await store.listUsers(UserQuery(workspaceGid: "1000", cursor: UserCursor(n: "a\u{0}", g: "u1").encoded()))
        }
    }

    @Test("two servers applying snapshots of one workspace at once take turns: every count and change is seen once")
    func concurrentServers() async throws {
        let location = try await TestPostgres.freshDatabase()
        let key = MasterKey.generate()
        let first = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        OpenedStores.current?.add(first)
        let second = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        OpenedStores.current?.add(second)
        // Each round both apply a snapshot: the first server sees people 0..<150, the second 50..<200, so each apply
        // adds and departs people the other one just changed.
        let everyone = (0..<200).map { SnapshotUser(gid: "u\($0)", name: "Person \($0)", isActive: true) }
        func snapshot(_ range: Range<Int>) -> WorkspaceSnapshot {
            WorkspaceSnapshot(workspace: Fixture.workspace, users: Array(everyone[range]))
        }
        var added = 0
        var departed = 0
        for round in 0..<15 {
            let at = T.at(minutes: round)
            async let a = first.applySnapshot(snapshot(0..<150), at: at, syncRunId: Int64(2 * round + 1))
            async let b = second.applySnapshot(snapshot(50..<200), at: at.addingTimeInterval(1), syncRunId: Int64(2 * round + 2))
            let (countsA, countsB) = try await (a, b)
            added += countsA.added + countsB.added
            departed += countsA.departed + countsB.departed
        }
        // Whoever went last left their picture; the counts of all applies add up to it.
        let present = try await first.listUsers(UserQuery(workspaceGid: "1000", limit: 1000)).users.count
        #expect(present == 150)
        #expect(added - departed == present)
        var changes: [AccessChange] = []
        var query = AccessChangeQuery(workspaceGid: "1000", from: T.t0, limit: 1000)
        while true {
            let page = try await second.listAccessChanges(query)
            changes += page.changes
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        #expect(changes.filter { $0.kind == .joined || $0.kind == .returned }.count == added)
        #expect(changes.filter { $0.kind == .left }.count == departed)
    }
}

fileprivate extension Array {
    /// `transform` of each element, in order, one after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
