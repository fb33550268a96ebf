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
        #expect(ranks[4] == centered(1, between: 30, and: Int64.max)[0])
        #expect(ListingRank.assign([nil, nil, 100, nil]) == centered(2, between: 0, and: 100) + [100] + centered(1, between: 100, and: Int64.max))
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
