import AccessProtocol
import Foundation
import Testing
@testable import AccessStore

/// Snapshots with partial team data: what could not be read is kept as stored, in the same transaction.
@Suite("Snapshots with preserved teams", .closesStores)
struct PartialSnapshotTests {
    /// The gids of the teams of `user`, as stored.
    static func teams(_ store: any SnapshotStore, _ user: String) async throws -> Set<String> {
        Set(try #require(try await store.user(workspaceGid: "1000", gidOrEmail: user)).teams.map(\.gid))
    }

    @Test("a preserved team keeps its stored memberships and flags; the other teams are replaced", arguments: StoreKind.available)
    func preservedTeam(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        // Asana now: Ada joins Design; t1's listing failed, so the snapshot carries nothing for t1.
        var snapshot = Fixture.snapshot(memberships: [
            SnapshotTeamMembership(teamGid: "t2", userGid: "u1", isAdmin: false, isGuest: false, isLimitedAccess: false),
            SnapshotTeamMembership(teamGid: "t2", userGid: "u2", isAdmin: false, isGuest: false, isLimitedAccess: false),
            SnapshotTeamMembership(teamGid: "t2", userGid: "u3", isAdmin: false, isGuest: true, isLimitedAccess: true),
        ])
        snapshot.preservedTeamGids = ["t1"]
        let counts = try await store.applySnapshot(snapshot, at: T.at(minutes: 10))
        #expect(counts == SnapshotCounts(users: 4, added: 0, updated: 1, departed: 0, teams: 2, teamMemberships: 5))
        #expect(try await Self.teams(store, "u1") == ["t1", "t2"])
        #expect(try await Self.teams(store, "u2") == ["t1", "t2"])
        let ada = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u1"))
        #expect(ada.teams.first { $0.gid == "t1" }?.isAdmin == true, "kept with its flags")
    }

    @Test("memberships of a preserved team named in the snapshot are ignored; a departing person loses them", arguments: StoreKind.available)
    func preservedTeamAndDeparture(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        var snapshot = Fixture.snapshot(
            users: [Fixture.ada, Fixture.gus, Fixture.ivy],  // Bob left the workspace
            memberships: [SnapshotTeamMembership(teamGid: "t1", userGid: "u3")])
        snapshot.preservedTeamGids = ["t1"]
        let counts = try await store.applySnapshot(snapshot, at: T.at(minutes: 10))
        #expect(counts.departed == 1)
        #expect(counts.teamMemberships == 1, "only Ada's kept t1 membership")
        #expect(try await Self.teams(store, "u1") == ["t1"])
        #expect(try await Self.teams(store, "u3") == [])
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.teams == [])
    }

    @Test("preservesAllTeams keeps every team and membership while users are replaced", arguments: StoreKind.available)
    func allTeamsPreserved(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        var snapshot = Fixture.snapshot(teams: [], memberships: [])
        snapshot.preservesAllTeams = true
        var ada = Fixture.ada
        ada.name = "Ada Lovelace"
        snapshot.users[0] = ada
        let counts = try await store.applySnapshot(snapshot, at: T.at(minutes: 10))
        #expect(counts == SnapshotCounts(users: 4, added: 0, updated: 1, departed: 0, teams: 2, teamMemberships: 4))
        #expect(try await store.teams(workspaceGid: "1000").map(\.gid).sorted() == ["t1", "t2"])
        #expect(try await Self.teams(store, "u2") == ["t1", "t2"])
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u1")?.name == "Ada Lovelace")
    }
}
