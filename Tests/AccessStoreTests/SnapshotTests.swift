import AccessProtocol
import Foundation
import GRDB
import PostgresNIO
import Testing
@testable import AccessStore

@Suite("Snapshots", .closesStores)
struct SnapshotTests {
    @Test("a first snapshot adds everyone, teams and memberships", arguments: StoreKind.available)
    func firstSnapshot(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        let counts = try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        #expect(counts == SnapshotCounts(users: 4, added: 4, updated: 0, departed: 0, teams: 2, teamMemberships: 4))
        #expect(try await store.workspace(gid: "1000") == StoredWorkspace(gid: "1000", name: "Acme Corp", isOrganization: true, lastSyncedAt: T.t0, lastSyncRunId: nil, historyFrom: T.t0))
        let bob = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u2"))
        #expect(bob == StoredUser(
            gid: "u2", name: "bob builder", email: "bob@acme.example", isActive: true, isAdmin: false, isGuest: false, isViewOnly: false,
            teams: [TeamRef(gid: "t2", name: "Design", isAdmin: false, isGuest: false, isLimitedAccess: false), TeamRef(gid: "t1", name: "Engineering", isAdmin: false, isGuest: false, isLimitedAccess: false)],
            firstSeenAt: T.t0, lastSeenAt: T.t0, departedAt: nil))
        #expect(try await store.teams(workspaceGid: "1000") == [
            StoredTeam(gid: "t2", name: "Design", memberCount: 2),
            StoredTeam(gid: "t1", name: "Engineering", memberCount: 2),
        ])
    }

    @Test("the teams matching a gid or an exact name, with their member counts", arguments: StoreKind.available)
    func teamsByGidOrName(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        let twin = SnapshotTeam(gid: "t3", name: "t1")  // a team named like another's gid
        var snapshot = Fixture.snapshot()
        snapshot.teams.append(twin)
        try await store.applySnapshot(snapshot, at: T.t0)
        #expect(try await store.teams(workspaceGid: "1000", gidOrName: "t2") == [StoredTeam(gid: "t2", name: "Design", memberCount: 2)])
        #expect(try await store.teams(workspaceGid: "1000", gidOrName: "Design") == [StoredTeam(gid: "t2", name: "Design", memberCount: 2)])
        #expect(try await store.teams(workspaceGid: "1000", gidOrName: "t1") == [
            StoredTeam(gid: "t1", name: "Engineering", memberCount: 2), StoredTeam(gid: "t3", name: "t1", memberCount: 0),
        ])
        #expect(try await store.teams(workspaceGid: "1000", gidOrName: "design") == [])  // names match exactly
        #expect(try await store.teams(workspaceGid: "1000", gidOrName: "nope") == [])
        #expect(try await store.teams(workspaceGid: "1001", gidOrName: "t2") == [])
    }

    @Test("the same snapshot again changes nothing but lastSeenAt", arguments: StoreKind.available)
    func sameSnapshotAgain(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        let counts = try await store.applySnapshot(Fixture.snapshot(), at: T.at(minutes: 10))
        #expect(counts == SnapshotCounts(users: 4, added: 0, updated: 0, departed: 0, teams: 2, teamMemberships: 4))
        let ada = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u1"))
        #expect(ada.firstSeenAt == T.t0)
        #expect(ada.lastSeenAt == T.at(minutes: 10))
        #expect(try await store.workspace(gid: "1000")?.lastSyncedAt == T.at(minutes: 10))
    }

    @Test("a name or email Asana now sends in another Unicode form is stored as sent, though Swift finds it equal (not counted as a change)",
          arguments: StoreKind.available)
    func sameTextOtherBytes(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        let composed = SnapshotUser(gid: "u1", name: "Zo\u{E9} Ada", email: "zo\u{E9}@acme.example", isActive: true, isAdmin: false, isGuest: false, isViewOnly: false)
        var decomposed = composed
        decomposed.name = "Zoe\u{301} Ada"
        decomposed.email = "zoe\u{301}@acme.example"
        #expect(composed.name == decomposed.name)  // canonically equivalent
        try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: [composed]), at: T.t0)
        let counts = try await store.applySnapshot(WorkspaceSnapshot(workspace: Fixture.workspace, users: [decomposed]), at: T.at(minutes: 1))
        #expect(counts.updated == 0)
        let stored = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u1"))
        #expect(Array(stored.name?.unicodeScalars ?? "".unicodeScalars) == Array("Zoe\u{301} Ada".unicodeScalars))
        #expect(Array(stored.email?.unicodeScalars ?? "".unicodeScalars) == Array("zoe\u{301}@acme.example".unicodeScalars))
        #expect(stored.lastSeenAt == T.at(minutes: 1))
        #expect(stored.changedAt == T.t0)
    }

    @Test("name, email, flag and team changes count as updated", arguments: StoreKind.available)
    func updates(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        var ada = Fixture.ada
        ada.name = "Ada Lovelace"                      // name changed
        var bob = Fixture.bob
        bob.isAdmin = true                             // flag changed
        var ivy = Fixture.ivy
        ivy.email = "IVY@acme.example"                 // email changed (case counts)
        let memberships = [
            SnapshotTeamMembership(teamGid: "t1", userGid: "u1", isAdmin: true, isGuest: false, isLimitedAccess: false),
            SnapshotTeamMembership(teamGid: "t1", userGid: "u2", isAdmin: false, isGuest: false, isLimitedAccess: false),
            SnapshotTeamMembership(teamGid: "t2", userGid: "u2", isAdmin: false, isGuest: false, isLimitedAccess: false),
            // gus: team flag changed (limited access no more)
            SnapshotTeamMembership(teamGid: "t2", userGid: "u3", isAdmin: false, isGuest: true, isLimitedAccess: false),
        ]
        let counts = try await store.applySnapshot(Fixture.snapshot(users: [ada, bob, Fixture.gus, ivy], memberships: memberships), at: T.at(minutes: 1))
        #expect(counts == SnapshotCounts(users: 4, added: 0, updated: 4, departed: 0, teams: 2, teamMemberships: 4))

        // Only a team set change.
        let fewer = Array(memberships.dropFirst())
        let counts2 = try await store.applySnapshot(Fixture.snapshot(users: [ada, bob, Fixture.gus, ivy], memberships: fewer), at: T.at(minutes: 2))
        #expect(counts2 == SnapshotCounts(users: 4, added: 0, updated: 1, departed: 0, teams: 2, teamMemberships: 3))
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u1")?.teams == [])
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u1")?.name == "Ada Lovelace")
    }

    @Test("known flags becoming unknown are stored as nil, never guessed", arguments: StoreKind.available)
    func unknownFlags(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        let blind = [Fixture.ada, Fixture.bob, Fixture.gus, Fixture.ivy].map {
            SnapshotUser(gid: $0.gid, name: $0.name, email: $0.email)
        }
        let counts = try await store.applySnapshot(Fixture.snapshot(users: blind), at: T.at(minutes: 1))
        #expect(counts.updated == 4)
        let ada = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u1"))
        #expect(ada.isActive == nil && ada.isAdmin == nil && ada.isGuest == nil && ada.isViewOnly == nil)
    }

    @Test("absent people depart, are kept with departedAt, and are not counted twice", arguments: StoreKind.available)
    func departures(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        let counts = try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob]), at: T.at(minutes: 5))
        #expect(counts == SnapshotCounts(users: 2, added: 0, updated: 0, departed: 2, teams: 2, teamMemberships: 3))

        let gus = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "gus@other.example"))
        #expect(gus.departedAt == T.at(minutes: 5))
        #expect(gus.isActive == false)
        #expect(gus.lastSeenAt == T.t0)
        #expect(gus.firstSeenAt == T.t0)
        #expect(gus.teams == [])
        #expect(gus.name == "Gus Guest" && gus.isGuest == true)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", includeDeparted: true)).users.count == 4)

        let again = try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob]), at: T.at(minutes: 6))
        #expect(again.departed == 0)
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u3")?.departedAt == T.at(minutes: 5))
    }

    @Test("a departed person who returns counts as added and has departedAt cleared", arguments: StoreKind.available)
    func returns(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob, Fixture.ivy]), at: T.at(minutes: 1))
        var gus = Fixture.gus
        gus.isGuest = false
        let counts = try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob, gus, Fixture.ivy]), at: T.at(minutes: 2))
        #expect(counts == SnapshotCounts(users: 4, added: 1, updated: 0, departed: 0, teams: 2, teamMemberships: 4))
        let back = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u3"))
        #expect(back.departedAt == nil)
        #expect(back.isActive == true && back.isGuest == false)
        #expect(back.firstSeenAt == T.t0)
        #expect(back.lastSeenAt == T.at(minutes: 2))
        #expect(back.teams == [TeamRef(gid: "t2", name: "Design", isAdmin: false, isGuest: true, isLimitedAccess: true)])
    }

    @Test("teams absent from the snapshot are deleted; renamed teams renamed", arguments: StoreKind.available)
    func teamsReplaced(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        let renamed = SnapshotTeam(gid: "t1", name: "Platform Engineering")
        let counts = try await store.applySnapshot(Fixture.snapshot(teams: [renamed]), at: T.at(minutes: 1))
        #expect(counts.teams == 1)
        #expect(counts.teamMemberships == 2) // memberships of t2 ignored: the team is absent
        #expect(counts.updated == 2)         // bob and gus lost t2
        #expect(try await store.teams(workspaceGid: "1000") == [StoredTeam(gid: "t1", name: "Platform Engineering", memberCount: 2)])
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.teams == [TeamRef(gid: "t1", name: "Platform Engineering", isAdmin: false, isGuest: false, isLimitedAccess: false)])
    }

    @Test("duplicates: the last occurrence wins; memberships of unknown users or teams are ignored", arguments: StoreKind.available)
    func duplicatesAndDangling(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        var bob2 = Fixture.bob
        bob2.name = "Robert"
        let snapshot = Fixture.snapshot(
            users: [Fixture.ada, Fixture.bob, bob2],
            teams: [Fixture.engineering, Fixture.engineering],
            memberships: [
                SnapshotTeamMembership(teamGid: "t1", userGid: "u2"),
                SnapshotTeamMembership(teamGid: "t1", userGid: "u2", isAdmin: true),
                SnapshotTeamMembership(teamGid: "t1", userGid: "nobody"),
                SnapshotTeamMembership(teamGid: "t9", userGid: "u1"),
            ])
        let counts = try await store.applySnapshot(snapshot, at: T.t0)
        #expect(counts == SnapshotCounts(users: 2, added: 2, updated: 0, departed: 0, teams: 1, teamMemberships: 1))
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.name == "Robert")
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.teams.map(\.isAdmin) == [true])
        #expect(try await store.teams(workspaceGid: "1000").map(\.memberCount) == [1])
    }

    @Test("workspaces are independent", arguments: StoreKind.available)
    func workspacesIndependent(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        let other = WorkspaceSnapshot(
            workspace: SnapshotWorkspace(gid: "2000", name: "Side project", isOrganization: false),
            users: [SnapshotUser(gid: "u2", name: "Bob B", email: "bob@acme.example", isActive: true)])
        let counts = try await store.applySnapshot(other, at: T.at(minutes: 1))
        #expect(counts == SnapshotCounts(users: 1, added: 1, updated: 0, departed: 0, teams: 0, teamMemberships: 0))
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.name == "bob builder")
        #expect(try await store.user(workspaceGid: "2000", gidOrEmail: "u2")?.name == "Bob B")
        #expect(try await store.workspaces().map(\.gid) == ["1000", "2000"])
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000")).users.count == 4)
    }

    @Test("a failure part-way rolls the whole snapshot back", arguments: StoreKind.available)
    func atomic(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        // A trigger makes the insert of the person "boom" fail, after other rows of the snapshot were written.
        switch store {
        case let sqlite as SQLiteAccessStore:
            try await sqlite.dbWriter.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER failOnBoom BEFORE INSERT ON workspaceUser WHEN NEW.gid = 'boom'
                    BEGIN SELECT RAISE(ABORT, 'boom'); END
                    """)
            }
        case let postgres as PostgresAccessStore:
            try await postgres.database.write { connection in
                try await connection.query("""
                    CREATE FUNCTION fail_on_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$
                    """, logger: postgres.logger)
                try await connection.query("""
                    CREATE TRIGGER fail_on_boom BEFORE INSERT ON workspace_user FOR EACH ROW WHEN (NEW.gid = 'boom') EXECUTE FUNCTION fail_on_boom()
                    """, logger: postgres.logger)
            }
        default:
            Issue.record("no trigger for \(kind)")
        }
        var ada = Fixture.ada
        ada.name = "Changed"
        let bad = Fixture.snapshot(users: [ada, SnapshotUser(gid: "new1", name: "New"), SnapshotUser(gid: "boom")], teams: [])
        do {
            try await store.applySnapshot(bad, at: T.at(minutes: 1))
            Issue.record("the snapshot was applied")
        } catch {
            #expect(String(reflecting: error).contains("boom"), "\(String(reflecting: error))")
        }

        #expect(try await store.workspace(gid: "1000")?.lastSyncedAt == T.t0)
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u1")?.name == "Ada Admin")
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "new1") == nil)
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u3")?.departedAt == nil)
        #expect(try await store.teams(workspaceGid: "1000").count == 2)
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.teams.count == 2)
    }

    @Test("empty gids are refused", arguments: StoreKind.available)
    func badInput(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        await #expect(throws: AccessStoreError.invalidArgument("the workspace gid is empty")) {
            try await store.applySnapshot(WorkspaceSnapshot(workspace: SnapshotWorkspace(gid: "", name: "x", isOrganization: false), users: []), at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidArgument("a user gid is empty")) {
            try await store.applySnapshot(Fixture.snapshot(users: [SnapshotUser(gid: "")]), at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidArgument("a team gid is empty")) {
            try await store.applySnapshot(Fixture.snapshot(teams: [SnapshotTeam(gid: "", name: "x")]), at: T.t0)
        }
    }

    @Test("user lookup by gid or case-insensitive email, preferring a present account", arguments: StoreKind.available)
    func lookup(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "ADA@ACME.EXAMPLE")?.gid == "u1")
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u1")?.email == "ada@acme.example")
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "nobody@acme.example") == nil)
        #expect(try await store.user(workspaceGid: "2000", gidOrEmail: "u1") == nil)
        // bob's old account departs and a new account with the same email appears.
        let newBob = SnapshotUser(gid: "u9", name: "Bob Again", email: "bob@acme.example", isActive: true)
        try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, newBob, Fixture.gus, Fixture.ivy]), at: T.at(minutes: 1))
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "bob@acme.example")?.gid == "u9")
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.departedAt == T.at(minutes: 1))
    }
}
