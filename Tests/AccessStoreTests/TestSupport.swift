import AccessProtocol
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AccessStore

/// Fixed instants for tests (whole seconds, so millisecond storage round-trips exactly).
enum T {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    static func at(minutes: Int) -> Date { t0.addingTimeInterval(Double(minutes) * 60) }
}

/// A fresh in-memory store with a random key.
func makeStore() throws -> SQLiteAccessStore {
    try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
}

/// A fresh store with a random key: a file store (a `DatabasePool`) in `directory`, or one in memory (a `DatabaseQueue`).
func makeStore(fileStore: Bool, in directory: TempDirectory) throws -> SQLiteAccessStore {
    fileStore
        ? try SQLiteAccessStore.open(path: directory.file("access.sqlite"), masterKey: MasterKey.generate(), mode: .create)
        : try makeStore()
}

/// A temporary directory, removed by `cleanup()`.
struct TempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("accessstore-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A store as an older release left it: a database file in `dir` migrated up to `migration` only, given rows by
/// `write` on that schema, then opened with `key`, which runs the later migrations on those rows; with what `write`
/// returned.
func storeMigrated<Written: Sendable>(
    in dir: TempDirectory, upTo migration: String, key: MasterKey = MasterKey.generate(),
    then write: @escaping @Sendable (Database) throws -> Written
) async throws -> (store: SQLiteAccessStore, written: Written) {
    let path = dir.file("access.sqlite")
    let pool = try DatabasePool(path: path, configuration: SQLiteAccessStore.makeConfiguration())
    try Migrations.migrator(masterKey: key).migrate(pool, upTo: migration)
    let written = try await pool.write(write)
    try pool.close()
    return (try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create), written)
}

/// Permission bits of a file.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// A small organization: users u1...u4, teams t1 (Engineering) and t2 (Design).
enum Fixture {
    static let workspace = SnapshotWorkspace(gid: "1000", name: "Acme Corp", isOrganization: true)
    static let engineering = SnapshotTeam(gid: "t1", name: "Engineering")
    static let design = SnapshotTeam(gid: "t2", name: "Design")

    static let ada = SnapshotUser(gid: "u1", name: "Ada Admin", email: "ada@acme.example", isActive: true, isAdmin: true, isGuest: false, isViewOnly: false)
    static let bob = SnapshotUser(gid: "u2", name: "bob builder", email: "bob@acme.example", isActive: true, isAdmin: false, isGuest: false, isViewOnly: false)
    static let gus = SnapshotUser(gid: "u3", name: "Gus Guest", email: "gus@other.example", isActive: true, isAdmin: false, isGuest: true, isViewOnly: true)
    static let ivy = SnapshotUser(gid: "u4", name: "Ivy Inactive", email: "ivy@acme.example", isActive: false, isAdmin: false, isGuest: false, isViewOnly: false)

    static func snapshot(users: [SnapshotUser] = [ada, bob, gus, ivy],
                         teams: [SnapshotTeam] = [engineering, design],
                         memberships: [SnapshotTeamMembership]? = nil) -> WorkspaceSnapshot {
        WorkspaceSnapshot(
            workspace: workspace, users: users, teams: teams,
            teamMemberships: memberships ?? [
                SnapshotTeamMembership(teamGid: "t1", userGid: "u1", isAdmin: true, isGuest: false, isLimitedAccess: false),
                SnapshotTeamMembership(teamGid: "t1", userGid: "u2", isAdmin: false, isGuest: false, isLimitedAccess: false),
                SnapshotTeamMembership(teamGid: "t2", userGid: "u2", isAdmin: false, isGuest: false, isLimitedAccess: false),
                SnapshotTeamMembership(teamGid: "t2", userGid: "u3", isAdmin: false, isGuest: true, isLimitedAccess: true),
            ])
    }
}

/// Every event ``AuditLog/forEachAuditEvent(since:_:)`` hands over, in order.
func allAuditEvents(_ store: some AuditLog, since: Date? = nil) async throws -> [AuditEvent] {
    let events = Mutex<[AuditEvent]>([])
    try await store.forEachAuditEvent(since: since) { event in events.withLock { $0.append(event) } }
    return events.withLock { $0 }
}

/// Every gid of a workspace's listing, following cursors.
func allGids(_ store: any SnapshotStore, _ query: UserQuery) async throws -> [String] {
    var query = query
    var gids: [String] = []
    var pages = 0
    while true {
        let page = try await store.listUsers(query)
        gids += page.users.map(\.gid)
        pages += 1
        guard let next = page.nextCursor, pages < 10_000 else { break }
        query.cursor = next
    }
    return gids
}
