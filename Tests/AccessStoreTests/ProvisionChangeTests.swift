import Foundation
import Testing
@testable import AccessStore

@Suite("Provision changes", .closesStores)
struct ProvisionChangeTests {
    @Test("an added person appears at once, active, with their new teams", arguments: StoreKind.available)
    func added(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        let newcomer = SnapshotUser(gid: "u8", name: "Nina New", email: "nina@acme.example")
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: newcomer, workspaceAction: .added,
            teamsAdded: [Fixture.engineering, SnapshotTeam(gid: "t3", name: "Research")], principal: "tester", callId: "call-1"), at: T.at(minutes: 3))

        let nina = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "nina@acme.example"))
        #expect(nina == StoredUser(
            gid: "u8", name: "Nina New", email: "nina@acme.example", isActive: true, isAdmin: nil, isGuest: nil, isViewOnly: nil,
            teams: [TeamRef(gid: "t1", name: "Engineering"), TeamRef(gid: "t3", name: "Research")],
            firstSeenAt: T.at(minutes: 3), lastSeenAt: T.at(minutes: 3), departedAt: nil))
        let active = try await store.listUsers(UserQuery(workspaceGid: "1000", active: true, teamGid: "t3"))
        #expect(active.users.map(\.gid) == ["u8"])
        #expect(try await store.teams(workspaceGid: "1000").map(\.memberCount) == [2, 3, 1]) // Design, Engineering, Research

        // The next full sync that includes them does not count them as added.
        var ninaSynced = newcomer
        ninaSynced.isActive = true
        let counts = try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob, Fixture.gus, Fixture.ivy, ninaSynced]), at: T.at(minutes: 4))
        #expect(counts.added == 0)
        #expect(counts.updated == 1) // her teams are not in this snapshot
    }

    @Test("a removed person is inactive and departed at once, with no teams", arguments: StoreKind.available)
    func removed(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "u2"), workspaceAction: .removed, principal: "tester", callId: "call-1"), at: T.at(minutes: 2))
        let bob = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u2"))
        #expect(bob.isActive == false)
        #expect(bob.departedAt == T.at(minutes: 2))
        #expect(bob.teams == [])
        #expect(bob.name == "bob builder") // nil fields keep stored values
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000")).users.map(\.gid).contains("u2") == false)
        #expect(try await store.teams(workspaceGid: "1000").map(\.memberCount) == [1, 1])

        // Removing again keeps the first departure time; removing a stranger creates nothing.
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u2"), workspaceAction: .removed, principal: "tester", callId: "call-1"), at: T.at(minutes: 9))
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u2")?.departedAt == T.at(minutes: 2))
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "zz"), workspaceAction: .removed, principal: "tester", callId: "call-1"), at: T.at(minutes: 9))
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "zz") == nil)
    }

    @Test("re-adding a departed person clears departedAt and keeps known flags", arguments: StoreKind.available)
    func readded(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u3"), workspaceAction: .removed, principal: "tester", callId: "call-1"), at: T.at(minutes: 1))
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "u3", email: "gus@other.example"), workspaceAction: .added, principal: "tester", callId: "call-1"), at: T.at(minutes: 2))
        let gus = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u3"))
        #expect(gus.departedAt == nil)
        #expect(gus.isActive == true)
        #expect(gus.isGuest == true)
        #expect(gus.firstSeenAt == T.t0)
        #expect(gus.lastSeenAt == T.at(minutes: 2))
    }

    @Test("team-only changes (.none) add and remove memberships", arguments: StoreKind.available)
    func teamsOnly(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "u1"), workspaceAction: .none,
            teamsAdded: [Fixture.design], teamsRemoved: ["t1"], principal: "tester", callId: "call-1"), at: T.at(minutes: 1))
        let ada = try #require(try await store.user(workspaceGid: "1000", gidOrEmail: "u1"))
        #expect(ada.teams == [TeamRef(gid: "t2", name: "Design")])
        #expect(ada.isActive == true && ada.isAdmin == true)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "1000", teamGid: "t1")).users.map(\.gid) == ["u2"])

        // Adding twice is harmless; removal wins over addition of the same team.
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "u1"), workspaceAction: .none,
            teamsAdded: [Fixture.design, Fixture.engineering], teamsRemoved: ["t1"], principal: "tester", callId: "call-1"), at: T.at(minutes: 2))
        #expect(try await store.user(workspaceGid: "1000", gidOrEmail: "u1")?.teams == [TeamRef(gid: "t2", name: "Design")])
    }

    @Test("a provision before any sync creates the person without a workspace row", arguments: StoreKind.available)
    func beforeSync(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "5000", user: SnapshotUser(gid: "u1", name: "Solo", email: "solo@x.example"), workspaceAction: .added, principal: "tester", callId: "call-1"), at: T.t0)
        #expect(try await store.listUsers(UserQuery(workspaceGid: "5000", active: true)).users.map(\.name) == ["Solo"])
        #expect(try await store.workspace(gid: "5000") == nil)
    }

    @Test("empty gids are refused", arguments: StoreKind.available)
    func badInput(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        await #expect(throws: AccessStoreError.invalidArgument("the user gid is empty")) {
            try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: ""), workspaceAction: .added, principal: "tester", callId: "call-1"), at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidArgument("the workspace gid is empty")) {
            try await store.applyProvisionChange(ProvisionChange(workspaceGid: "", user: SnapshotUser(gid: "u1"), workspaceAction: .added, principal: "tester", callId: "call-1"), at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidArgument("a team gid is empty")) {
            try await store.applyProvisionChange(ProvisionChange(workspaceGid: "1000", user: SnapshotUser(gid: "u1"), workspaceAction: .none, teamsRemoved: [""], principal: "tester", callId: "call-1"), at: T.t0)
        }
    }
}
