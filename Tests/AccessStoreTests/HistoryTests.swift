import AccessProtocol
import Foundation
import GRDB
import TestSupport
import PostgresNIO
import Testing
@testable import AccessStore

/// What a picture says of a person, without the times that are defined differently as of the past
/// (`lastSeenAt`, `changedAt`).
struct PersonFacts: Equatable, CustomStringConvertible {
    var gid: String
    var name: String?
    var email: String?
    var flags: [Bool?]
    var teams: [TeamRef]
    var departedAt: Date?
    var firstSeenAt: Date?

    init(_ user: StoredUser) {
        gid = user.gid
        name = user.name
        email = user.email
        flags = [user.isActive, user.isAdmin, user.isGuest, user.isViewOnly]
        teams = user.teams
        departedAt = user.departedAt
        firstSeenAt = user.firstSeenAt
    }

    var description: String { "\(gid) \(name ?? "-") \(email ?? "-") \(flags) \(teams.map { "\($0.gid):\($0.name):\([$0.isAdmin, $0.isGuest, $0.isLimitedAccess])" }) departed \(departedAt.map { "\($0.timeIntervalSince1970)" } ?? "-")" }
}

@Suite("Access history: past pictures and the change log", .closesStores)
struct HistoryTests {
    /// A random organization that changes between snapshots: people join, leave, come back, are renamed,
    /// change email, flags (including to and from unknown), teams and team rights; teams are added,
    /// renamed and deleted; some steps are provisions instead of syncs.
    struct Organization {
        var rng: SeededRandom
        var people: [String: SnapshotUser] = [:]
        var present: Set<String> = []
        var teams: [String: String] = ["t1": "Engineering", "t2": "Design", "t3": "Sales"]
        var memberships: [String: SnapshotTeamMembership] = [:]
        var nextPerson = 1
        var nextTeam = 4

        init(seed: UInt64) { rng = SeededRandom(seed: seed) }

        mutating func flag() -> Bool? { [true, false, false, nil].randomElement(using: &rng)! }

        mutating func change() {
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0, 1:
                    let gid = "u\(nextPerson)"
                    nextPerson += 1
                    people[gid] = SnapshotUser(gid: gid, name: ["Ada", "bob", "Çelik", "Zoë", "ada"].randomElement(using: &rng)! + " \(gid)",
                                               email: "\(gid)@acme.example", isActive: true, isAdmin: flag(), isGuest: flag(), isViewOnly: flag())
                    present.insert(gid)
                case 2:
                    if let gid = present.sorted().randomElement(using: &rng) {
                        present.remove(gid)
                        memberships = memberships.filter { $0.value.userGid != gid }
                    }
                case 3:
                    if let gid = Set(people.keys).subtracting(present).sorted().randomElement(using: &rng) { present.insert(gid) }
                case 4:
                    if let gid = present.sorted().randomElement(using: &rng) {
                        people[gid]!.name = ["Renamed", "zed", nil].randomElement(using: &rng)!.map { "\($0) \(gid)" }
                        if Bool.random(using: &rng) { people[gid]!.email = "\(gid).\(Int.random(in: 0..<99, using: &rng))@acme.example" }
                    }
                case 5, 6:
                    if let gid = present.sorted().randomElement(using: &rng) {
                        people[gid]!.isAdmin = flag()
                        people[gid]!.isGuest = flag()
                        people[gid]!.isActive = [true, true, false, nil].randomElement(using: &rng)!
                    }
                case 7:
                    if let gid = present.sorted().randomElement(using: &rng), let team = teams.keys.sorted().randomElement(using: &rng) {
                        let key = "\(team)/\(gid)"
                        if memberships[key] != nil && Bool.random(using: &rng) {
                            memberships[key] = nil
                        } else {
                            memberships[key] = SnapshotTeamMembership(teamGid: team, userGid: gid, isAdmin: flag(), isGuest: flag(), isLimitedAccess: flag())
                        }
                    }
                case 8:
                    if let team = teams.keys.sorted().randomElement(using: &rng) {
                        if Bool.random(using: &rng) {
                            teams[team] = "\(teams[team]!)+"
                        } else if teams.count > 1 {
                            teams[team] = nil
                            memberships = memberships.filter { $0.value.teamGid != team }
                        }
                    }
                default:
                    teams["t\(nextTeam)"] = "Team \(nextTeam)"
                    nextTeam += 1
                }
            }
        }

        var snapshot: WorkspaceSnapshot {
            WorkspaceSnapshot(
                workspace: Fixture.workspace,
                users: present.sorted().map { people[$0]! },
                teams: teams.keys.sorted().map { SnapshotTeam(gid: $0, name: teams[$0]!) },
                teamMemberships: memberships.keys.sorted().map { memberships[$0]! })
        }
    }

    /// Every person of the current or a past picture (departed included), in listing order.
    private func picture(_ store: any SnapshotStore, asOf: Date? = nil) async throws -> [PersonFacts] {
        try await store.listUsers(UserQuery(workspaceGid: "1000", includeDeparted: true, asOf: asOf, limit: 1000)).users.map(PersonFacts.init)
    }

    /// The filters compared between the current picture then and the past picture later.
    private static let filters: [(String, UserQuery)] = [
        ("present", UserQuery(workspaceGid: "1000")),
        ("admins", UserQuery(workspaceGid: "1000", admin: true)),
        ("non-guests", UserQuery(workspaceGid: "1000", guest: false)),
        ("inactive", UserQuery(workspaceGid: "1000", active: false, includeDeparted: true)),
        ("unknown flags", UserQuery(workspaceGid: "1000", flagsUnknown: true)),
        ("team t1", UserQuery(workspaceGid: "1000", teamGid: "t1")),
        ("query ada", UserQuery(workspaceGid: "1000", query: "ADA")),
    ]

    @Test("listUsers asOf each past instant equals the picture then, for every filter and with paging", arguments: StoreKind.available, [UInt64(1), 2, 3])
    func pastPicturesEqualThePicturesThen(kind: StoreKind, seed: UInt64) async throws {
        let store = try await kind.makeSnapshotStore()
        var organization = Organization(seed: seed)
        var pictures: [(at: Date, people: [PersonFacts], filtered: [String: [String]])] = []
        for step in 0..<40 {
            organization.change()
            let at = T.at(minutes: step * 10)
            try await store.applySnapshot(organization.snapshot, at: at)
            var filtered: [String: [String]] = [:]
            for (name, query) in Self.filters { filtered[name] = try await allGids(store, query) }
            pictures.append((at, try await picture(store), filtered))
        }
        for (at, people, filtered) in pictures {
            for instant in [at, at.addingTimeInterval(299)] {
                #expect(try await picture(store, asOf: instant) == people, "as of \(instant)")
                for (name, query) in Self.filters {
                    var past = query
                    past.asOf = instant
                    past.limit = 3  // several pages: the keyset cursor over intervals
                    #expect(try await allGids(store, past) == filtered[name], "\(name) as of \(instant)")
                }
            }
        }
        // Before the first snapshot: nobody.
        #expect(try await picture(store, asOf: T.at(minutes: -1)).isEmpty)
    }

    @Test("replaying the change log over the previous picture gives the next one", arguments: StoreKind.available, [UInt64(7), 8])
    func changeLogReplaysToThePictures(kind: StoreKind, seed: UInt64) async throws {
        let store = try await kind.makeSnapshotStore()
        var organization = Organization(seed: seed)
        var replayed: [String: (state: [String: JSONValue], teams: [String: JSONValue], present: Bool)] = [:]
        var cursorTime = T.at(minutes: -1)
        var kindsSeen: Set<AccessChange.Kind> = []
        for step in 0..<30 {
            organization.change()
            let at = T.at(minutes: step * 10)
            try await store.applySnapshot(organization.snapshot, at: at, syncRunId: Int64(step + 1))
            var changes: [AccessChange] = []
            var query = AccessChangeQuery(workspaceGid: "1000", from: cursorTime, limit: 7)
            while true {
                let page = try await store.listAccessChanges(query)
                changes += page.changes
                guard let next = page.nextCursor else { break }
                query.cursor = next
            }
            cursorTime = at.addingTimeInterval(0.001)
            kindsSeen.formUnion(changes.map(\.kind))
            for change in changes {
                #expect(change.observedAt == at)
                #expect(change.syncRunId == Int64(step + 1))
                #expect(change.notBefore == (step == 0 ? nil : T.at(minutes: (step - 1) * 10)))
                let gid = change.person.gid
                func members(_ value: JSONValue?) -> [String: JSONValue] {
                    if case .object(let members)? = value { return members }
                    return [:]
                }
                switch change.kind {
                case .joined, .returned: replayed[gid] = (members(change.after), [:], true)
                case .left:
                    replayed[gid]?.present = false
                    replayed[gid]?.teams = [:]
                case .teamJoined, .teamRightsChanged: replayed[gid]?.teams[change.team!.gid] = change.after
                case .teamLeft: replayed[gid]?.teams[change.team!.gid] = nil
                case .flagsBecameKnown where change.team != nil, .flagsBecameUnknown where change.team != nil:
                    var rights = members(replayed[gid]?.teams[change.team!.gid])
                    rights.merge(members(change.after)) { $1 }
                    replayed[gid]?.teams[change.team!.gid] = .object(rights)
                default: replayed[gid]?.state.merge(members(change.after)) { $1 }
                }
            }
            let expected = try await picture(store).filter { $0.departedAt == nil }
            let fromLog = replayed.filter(\.value.present).keys.sorted()
            #expect(fromLog == expected.map(\.gid).sorted(), "present after step \(step)")
            for person in expected {
                let log = try #require(replayed[person.gid])
                let flags = ["isActive", "isAdmin", "isGuest", "isViewOnly"].map { (log.state[$0]).flatMap { if case .bool(let b) = $0 { b } else { nil } } }
                #expect(flags == person.flags, "flags of \(person.gid) after step \(step)")
                #expect(log.state["name"] == person.name.map(JSONValue.string) ?? .null)
                #expect(log.state["email"] == person.email.map(JSONValue.string) ?? .null)
                let teams = person.teams.map { team in
                    (team.gid, JSONValue.object(["isAdmin": PersonState.value(team.isAdmin), "isGuest": PersonState.value(team.isGuest),
                                                 "isLimitedAccess": PersonState.value(team.isLimitedAccess)]))
                }
                #expect(log.teams == Dictionary(uniqueKeysWithValues: teams), "teams of \(person.gid) after step \(step)")
            }
        }
        // The sequence exercised the log, not only joins.
        #expect(kindsSeen.isSuperset(of: [.joined, .left, .returned, .renamed, .teamJoined, .teamLeft, .flagsBecameKnown, .flagsBecameUnknown]), "\(kindsSeen)")
        #expect(!kindsSeen.isDisjoint(with: [.adminGranted, .adminRevoked, .becameGuest, .becameMember, .activated, .deactivated]), "\(kindsSeen)")
    }

    /// Rows of the history tables (intervals of people, team memberships and teams; access changes).
    private func historyRowCount(_ store: any SnapshotTestStore) async throws -> Int {
        switch store {
        case let sqlite as SQLiteAccessStore:
            return try await sqlite.dbWriter.read { db in
                try ["workspaceUserInterval", "teamMembershipInterval", "teamInterval", "accessChange"]
                    .map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")! }.reduce(0, +)
            }
        case let postgres as PostgresAccessStore:
            return try await postgres.database.read { connection in
                var total = 0
                for table in ["workspace_user_interval", "team_membership_interval", "team_interval", "access_change"] {
                    for try await count in try await connection.query("SELECT count(*) FROM \(unescaped: table)", logger: postgres.logger)
                        .decode(Int64.self) {
                        total += Int(count)
                    }
                }
                return total
            }
        default:
            Issue.record("no history tables for \(store)")
            return 0
        }
    }

    @Test("a snapshot that changes nothing adds no history", arguments: StoreKind.available)
    func noChangeNoHistory(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0, syncRunId: 1)
        let rows = try await historyRowCount(store)
        // 4 people, 4 team memberships, 2 teams; 4 joined + 4 teamJoined.
        #expect(rows == 4 + 4 + 2 + 8)
        try await store.applySnapshot(Fixture.snapshot(), at: T.at(minutes: 1), syncRunId: 2)
        #expect(try await historyRowCount(store) == rows)
    }

    @Test("a flag that becomes known is not a grant, and the past keeps it unknown", arguments: StoreKind.available)
    func unknownFlagsStayUnknown(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        var ada = Fixture.ada
        ada.isAdmin = nil
        try await store.applySnapshot(Fixture.snapshot(users: [ada]), at: T.t0, syncRunId: 1)
        try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada]), at: T.at(minutes: 1), syncRunId: 2)
        let changes = try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.at(minutes: 1))).changes
        #expect(changes.map(\.kind) == [.flagsBecameKnown])
        #expect(changes.first?.before == ["isAdmin": .null])
        #expect(changes.first?.after == ["isAdmin": true])
        #expect(try await picture(store, asOf: T.t0).first?.flags == [true, nil, false, false])
        #expect(try await picture(store, asOf: T.at(minutes: 1)).first?.flags == [true, true, false, false])
        // An admin revoked later is a revocation.
        var demoted = Fixture.ada
        demoted.isAdmin = false
        try await store.applySnapshot(Fixture.snapshot(users: [demoted]), at: T.at(minutes: 2), syncRunId: 3)
        let revoked = try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.at(minutes: 2))).changes
        #expect(revoked.map(\.kind) == [.adminRevoked])
        #expect(revoked.first?.notBefore == T.at(minutes: 1))
        #expect(revoked.first?.person == AccessChange.PersonRef(gid: "u1", name: "Ada Admin", email: "ada@acme.example"))
    }

    @Test("a provision's changes carry its principal and call id, observed at its time", arguments: StoreKind.available)
    func provisionProvenance(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0, syncRunId: 1)
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "u9", name: "Nia New", email: "nia@acme.example"), workspaceAction: .added,
            teamsAdded: [Fixture.design], principal: "okta-bot", callId: "call-42"), at: T.at(minutes: 5))
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: "1000", user: SnapshotUser(gid: "u2"), workspaceAction: .removed, principal: "alice", callId: "call-43"), at: T.at(minutes: 6))
        let changes = try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.at(minutes: 1))).changes
        #expect(changes.map(\.kind) == [.joined, .teamJoined, .left, .teamLeft, .teamLeft])
        #expect(changes.map(\.provision?.principal) == ["okta-bot", "okta-bot", "alice", "alice", "alice"])
        #expect(changes.map(\.provision?.callId) == ["call-42", "call-42", "call-43", "call-43", "call-43"])
        #expect(changes.allSatisfy { $0.syncRunId == nil && $0.notBefore == $0.observedAt })
        #expect(changes[1].team == AccessChange.TeamRef(gid: "t2", name: "Design"))
        #expect(changes[1].after == ["isAdmin": .null, "isGuest": .null, "isLimitedAccess": .null])
        #expect(changes[2].person.name == "bob builder")
        #expect(changes[2].after == nil)
        // Filters: one person; some kinds; a window that ends before the removal.
        #expect(try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.t0, userGid: "u9")).changes.map(\.kind) == [.joined, .teamJoined])
        #expect(try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.t0, kinds: [.left])).changes.map(\.person.gid) == ["u2"])
        #expect(try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.at(minutes: 1), before: T.at(minutes: 6))).changes.count == 2)
        // The past: bob present at 5 minutes, departed at 6; Nia only from 5.
        #expect(try await picture(store, asOf: T.at(minutes: 4)).map(\.gid) == ["u1", "u2", "u3", "u4"])
        let at6 = try await picture(store, asOf: T.at(minutes: 6))
        #expect(at6.first { $0.gid == "u2" }?.departedAt == T.at(minutes: 6))
        #expect(at6.first { $0.gid == "u9" }?.teams.map(\.gid) == ["t2"])
    }

    @Test("asOf cannot be combined with changedSince; a bad cursor is refused", arguments: StoreKind.available)
    func badQueries(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        try await store.applySnapshot(Fixture.snapshot(), at: T.t0)
        await #expect(throws: AccessStoreError.invalidQuery("asOf and changedSince cannot be combined")) {
            try await store.listUsers(UserQuery(workspaceGid: "1000", changedSince: T.t0, asOf: T.t0))
        }
        await #expect(throws: AccessStoreError.invalidCursor) {
            try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.t0, cursor: "not-a-cursor"))
        }
        await #expect(throws: AccessStoreError.invalidQuery("limit must be between 1 and 1000, got 0")) {
            try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.t0, limit: 0))
        }
    }

    @Test("the past picture and the change log seek in their indexes")
    func queryPlansSeek() async throws {
        let store = try makeStore()
        let request = try SQLiteAccessStore.listUsersRequest(UserQuery(
            workspaceGid: "1000", asOf: T.t0, cursor: UserCursor(n: "m", g: "u5").encoded()))
        let plan = try await store.dbWriter.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + request.sql, arguments: request.arguments).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("workspaceUserInterval_byName") && $0.contains(">") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test("a database synced before history was kept gets its stored state as history, from firstSeenAt")
    func backfill() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let t0 = UnixMillis.from(T.t0)
        let t5 = UnixMillis.from(T.at(minutes: 5))
        let (store, _) = try await storeMigrated(in: dir, upTo: "v9-provision-intents") { db in
            try db.execute(sql: "INSERT INTO workspace (gid, name, isOrganization, lastSyncedAt) VALUES ('1000', 'Acme Corp', 1, ?)", arguments: [t5])
            try db.execute(sql: "INSERT INTO team (workspaceGid, gid, name) VALUES ('1000', 't1', 'Engineering')")
            try db.execute(sql: """
                INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt)
                VALUES ('1000', 'u1', 'Ada', 'ada@acme.example', 1, 1, 0, 0, ?, ?, NULL, ?, ?),
                       ('1000', 'u2', 'Bob', 'bob@acme.example', 0, 0, 0, 0, ?, ?, ?, ?, ?)
                """, arguments: [t0, t5, t0, t0, t0, t0, t5, t5, t0])
            try db.execute(sql: "INSERT INTO teamMembership (workspaceGid, teamGid, userGid, isAdmin, isGuest, isLimitedAccess) VALUES ('1000', 't1', 'u1', 1, 0, 0)")
        }
        defer { try? store.close() }
        #expect(try await picture(store, asOf: T.at(minutes: 10)) == (try await picture(store)))
        let before = try await picture(store, asOf: T.at(minutes: 1))
        #expect(before.map(\.gid) == ["u1", "u2"])
        #expect(before[1].departedAt == nil)
        #expect(before[1].flags == [nil, false, false, false])  // isActive was overwritten by the departure: unknown
        #expect(before[0].teams == [TeamRef(gid: "t1", name: "Engineering", isAdmin: true, isGuest: false, isLimitedAccess: false)])
        let historyFrom = try #require(try await store.workspace(gid: "1000")?.historyFrom)
        #expect(historyFrom > T.at(minutes: 5))
        #expect(try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.t0)).changes.isEmpty)
    }

    @Test("pruning drops what no kept moment needs and leaves every later picture and the current state as they were", arguments: StoreKind.available)
    func pruning(kind: StoreKind) async throws {
        let store = try await kind.makeSnapshotStore()
        var organization = Organization(seed: 11)
        for step in 0..<20 {
            organization.change()
            try await store.applySnapshot(organization.snapshot, at: T.at(minutes: step * 10), syncRunId: Int64(step + 1))
        }
        let cutoff = T.at(minutes: 105)
        let kept = [cutoff, T.at(minutes: 150), T.at(minutes: 190), T.at(minutes: 500)]
        var before: [[PersonFacts]] = []
        for moment in kept { before.append(try await picture(store, asOf: moment)) }
        let current = try await picture(store)
        let changesAfter = try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: cutoff, limit: 1000)).changes
        let rows = try await historyRowCount(store)

        let counts = try await store.pruneHistory(before: cutoff)
        #expect(counts.intervals > 0 && counts.changes > 0)
        #expect(try await historyRowCount(store) == rows - counts.intervals - counts.changes)
        for (moment, picture) in zip(kept, before) {
            #expect(try await self.picture(store, asOf: moment) == picture, "as of \(moment)")
        }
        #expect(try await picture(store) == current)
        #expect(try await store.listAccessChanges(AccessChangeQuery(workspaceGid: "1000", from: T.t0, limit: 1000)).changes == changesAfter)
        let workspace = try #require(try await store.workspace(gid: "1000"))
        #expect(workspace.historyPrunedBefore == cutoff)
        #expect(workspace.historyFrom == cutoff)
        // Again: nothing more to prune.
        #expect(try await store.pruneHistory(before: cutoff) == HistoryPruneCounts(intervals: 0, changes: 0))
    }
}
