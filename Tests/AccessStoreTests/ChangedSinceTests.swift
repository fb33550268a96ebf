import Foundation
import GRDB
import Testing
@testable import AccessStore

@Suite("listUsers changedSince, team rights and snapshot consistency", .closesStores)
struct ChangedSinceTests {
    private func user(_ store: any SnapshotStore, _ gid: String) async throws -> StoredUser {
        try #require(try await store.user(workspaceGid: "1000", gidOrEmail: gid))
    }

    private func changes(_ store: any SnapshotStore, since: Date) async throws -> [String: UserChange] {
        let page = try await store.listUsers(UserQuery(workspaceGid: "1000", changedSince: since, limit: 1000))
        return Dictionary(uniqueKeysWithValues: page.users.map { ($0.gid, try! #require($0.change)) })
    }

    @Test("changedAt: set on add, kept when nothing changed, set on update, departure and return", arguments: StoreKind.available)
    func changedAtSemantics(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        #expect(try await user(store, "u1").changedAt == T.t0)

        // Same picture again: lastSeenAt moves, changedAt does not.
        try await store.applySnapshot(Fixture.snapshot(), at: T.at(minutes: 1))
        #expect(try await user(store, "u1").changedAt == T.t0)
        #expect(try await user(store, "u1").lastSeenAt == T.at(minutes: 1))

        // Email of bob, team-membership flag of gus: both updated.
        var bob = Fixture.bob
        bob.email = "robert@acme.example"
        var memberships = Fixture.snapshot().teamMemberships
        memberships[3].isLimitedAccess = false
        let counts = try await store.applySnapshot(
            Fixture.snapshot(users: [Fixture.ada, bob, Fixture.gus, Fixture.ivy], memberships: memberships), at: T.at(minutes: 2))
        #expect(counts.updated == 2)
        #expect(try await user(store, "u2").changedAt == T.at(minutes: 2))
        #expect(try await user(store, "u3").changedAt == T.at(minutes: 2))
        #expect(try await user(store, "u1").changedAt == T.t0)

        // Ivy departs.
        try await store.applySnapshot(
            Fixture.snapshot(users: [Fixture.ada, bob, Fixture.gus], memberships: memberships), at: T.at(minutes: 3))
        #expect(try await user(store, "u4").changedAt == T.at(minutes: 3))
        #expect(try await changes(store, since: T.at(minutes: 2)) == ["u4": .departed])
        // Departed and unchanged since: not listed again.
        try await store.applySnapshot(
            Fixture.snapshot(users: [Fixture.ada, bob, Fixture.gus], memberships: memberships), at: T.at(minutes: 4))
        #expect(try await user(store, "u4").changedAt == T.at(minutes: 3))
        #expect(try await changes(store, since: T.at(minutes: 3)) == [:])

        // Ivy returns: added relative to any time before her return, though first seen at t0.
        try await store.applySnapshot(
            Fixture.snapshot(users: [Fixture.ada, bob, Fixture.gus, Fixture.ivy], memberships: memberships), at: T.at(minutes: 5))
        let ivy = try await user(store, "u4")
        #expect(ivy.changedAt == T.at(minutes: 5) && ivy.firstSeenAt == T.t0 && ivy.departedAt == nil)
        #expect(try await changes(store, since: T.at(minutes: 4)) == ["u4": .added])
        #expect(try await changes(store, since: T.at(minutes: 1)) == ["u2": .updated, "u3": .updated, "u4": .added])
        // Strictly after: the changes made at t0 are not "since t0"; every first-seen one is "since" just before.
        #expect(try await changes(store, since: T.at(minutes: 5)) == [:])
        #expect(try await changes(store, since: T.t0.addingTimeInterval(-0.001)) == ["u1": .added, "u2": .added, "u3": .added, "u4": .added])
    }

    @Test("changedSince lists departed people without includeDeparted, with the other filters, sorted and paged", arguments: StoreKind.available)
    func changedSinceQuery(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        let newcomers = (0..<25).map { SnapshotUser(gid: "n\($0)", name: "New \($0)", isActive: true, isAdmin: false) }
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob, Fixture.ivy] + newcomers), at: T.at(minutes: 1))
        let all = try await allGids(store, UserQuery(workspaceGid: "1000", changedSince: T.t0, limit: 7))
        #expect(all == ["u3"] + newcomers.sorted { $0.name! < $1.name! }.map(\.gid))  // gus departed; ada, bob, ivy unchanged
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", active: true, changedSince: T.t0, limit: 100)).users.count == 25)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", query: "gus", changedSince: T.t0)).users.map(\.change) == [.departed])
        // Without changedSince, change stays nil.
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", includeDeparted: true)).users.allSatisfy { $0.change == nil })
    }

    @Test("provision changes set changedAt only when they change the row; a removal is a departure, a re-add an addition", arguments: StoreKind.available)
    func provisionChanges(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        // A no-op: the same known fields.
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: Fixture.ada, workspaceAction: .none, principal: "tester", callId: "call-1"), at: T.at(minutes: 1))
        #expect(try await user(store, "u1").changedAt == T.t0)
        // A team added: updated.
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u1"), workspaceAction: .none,
                                                             teamsAdded: [Fixture.design], principal: "tester", callId: "call-1"), at: T.at(minutes: 2))
        #expect(try await user(store, "u1").changedAt == T.at(minutes: 2))
        #expect(try await changes(store, since: T.at(minutes: 1)) == ["u1": .updated])
        // Removed: departed.
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u2"), workspaceAction: .removed, principal: "tester", callId: "call-1"), at: T.at(minutes: 3))
        #expect(try await changes(store, since: T.at(minutes: 2)) == ["u2": .departed])
        // Removed again: nothing changes.
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u2"), workspaceAction: .removed, principal: "tester", callId: "call-1"), at: T.at(minutes: 4))
        #expect(try await user(store, "u2").changedAt == T.at(minutes: 3))
        // Added back, and a brand-new person: both added.
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u2"), workspaceAction: .added, principal: "tester", callId: "call-1"), at: T.at(minutes: 5))
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u9", name: "Nina New"), workspaceAction: .added, principal: "tester", callId: "call-1"), at: T.at(minutes: 5))
        #expect(try await changes(store, since: T.at(minutes: 4)) == ["u2": .added, "u9": .added])
    }

    @Test("each team of a person carries the team-membership rights: true, false or null", arguments: StoreKind.available)
    func teamRights(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u1"), workspaceAction: .none,
                                                             teamsAdded: [Fixture.design], principal: "tester", callId: "call-1"), at: T.at(minutes: 1))
        let users = try await store.listUsers(UserQuery(workspaceGid: "1000")).users
        let ada = try #require(users.first { $0.gid == "u1" })
        #expect(ada.teams == [
            TeamRef(gid: "t2", name: "Design", isAdmin: nil, isGuest: nil, isLimitedAccess: nil),  // provisioned, not yet synced
            TeamRef(gid: "t1", name: "Engineering", isAdmin: true, isGuest: false, isLimitedAccess: false),
        ])
        let gus = try #require(users.first { $0.gid == "u3" })
        #expect(gus.teams == [TeamRef(gid: "t2", name: "Design", isAdmin: false, isGuest: true, isLimitedAccess: true)])
        // Without teams, the teams query is skipped.
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", includeTeams: false)).users.allSatisfy { $0.teams.isEmpty })
    }

    @Test("migration v6 sets changedAt of existing rows: first seen, or departed when later")
    func migrationBackfill() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let (store, _) = try await storeMigrated(in: dir, upTo: "v5") { db in
            try db.execute(sql: "INSERT INTO workspace (gid, name, isOrganization) VALUES ('1000', 'Acme Corp', 1)")
            try db.execute(sql: """
                INSERT INTO workspaceUser (workspaceGid, gid, name, firstSeenAt, lastSeenAt, departedAt) VALUES
                    ('1000', 'p1', 'Present', 1700000000000, 1700000600000, NULL),
                    ('1000', 'p2', 'Gone', 1700000000000, 1700000000000, 1700000300000)
                """)
        }
        defer { try? store.close() }
        #expect(try await user(store, "p1").changedAt == T.t0)
        #expect(try await user(store, "p2").changedAt == T.at(minutes: 5))
        #expect(try await changes(store, since: T.t0) == ["p2": .departed])
    }

    @Test("a page read while another task commits snapshots is one snapshot: people, teams and syncedAt agree", arguments: StoreKind.available)
    func consistentPage(kind: StoreKind) async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        // SQLite on a file (a pool: reads run beside the writer), or PostgreSQL.
        let store: any SnapshotStore
        var file: SQLiteAccessStore?
        defer { try? file?.close() }
        switch kind {
        case .sqlite:
            file = try SQLiteAccessStore.open(path: dir.file("access.sqlite"), masterKey: MasterKey.generate(), mode: .create)
            store = file!
        case .postgres:
            store = try await makePostgresStore()
        }
        // Version v (0 or 1): every name ends in "v<v>", everyone is in team "tv<v>" with isAdmin == (v == 1),
        // and the snapshot is applied at minute (2k + v), so syncedAt tells the version too.
        func snapshot(_ version: Int) -> WorkspaceSnapshot {
            let users = (0..<400).map { SnapshotUser(gid: "g\($0)", name: "Person \($0) v\(version)", isActive: true, isAdmin: version == 1) }
            let team = SnapshotTeam(gid: "tv\(version)", name: "Team v\(version)")
            return WorkspaceSnapshot(
                workspace: Fixture.workspace, users: users, teams: [team],
                teamMemberships: users.map { SnapshotTeamMembership(teamGid: team.gid, userGid: $0.gid, isAdmin: version == 1) })
        }
        try await store.applySnapshot(snapshot(0), at: T.t0)
        let writer = Task.detached {
            for round in 1...60 {
                try await store.applySnapshot(snapshot(round % 2), at: T.at(minutes: round))
            }
        }
        var pages = 0
        var seenVersions: Set<Int> = []
        for _ in 0..<100_000 {
            let page = try await store.listUsers(UserQuery(workspaceGid: "1000", limit: 400))
            let minute = Int(((page.workspace?.lastSyncedAt ?? T.t0).timeIntervalSince(T.t0) / 60).rounded())
            let version = minute % 2
            seenVersions.insert(version)
            #expect(page.users.count == 400)
            #expect(page.users.allSatisfy { $0.name?.hasSuffix(" v\(version)") == true && $0.isAdmin == (version == 1) })
            #expect(page.users.allSatisfy { $0.teams == [TeamRef(gid: "tv\(version)", name: "Team v\(version)", isAdmin: version == 1)] })
            pages += 1
            if minute == 60 { break }
        }
        try await writer.value
        #expect(pages > 1)
        #expect(seenVersions.count >= 1)
    }
}
