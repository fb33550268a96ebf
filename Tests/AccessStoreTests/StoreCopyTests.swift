import AccessProtocol
import Foundation
import GRDB
import PostgresNIO
import Testing
import TestSupport
@testable import AccessStore

@Suite("Copying a SQLite store into PostgreSQL", .closesStores, .enabled(if: postgresConfigured, "no PostgreSQL: set ASANA_ACCESS_TEST_POSTGRES_URL"))
struct StoreCopyTests {
    /// A SQLite store with a row in every table the copy moves.
    func populatedSQLite(key: MasterKey) async throws -> SQLiteAccessStore {
        let store = try SQLiteAccessStore.inMemory(masterKey: key)
        try await store.putCredential(workspaceGid: "1000", purpose: .provision, kind: .pat, secret: "2/provision-secret", at: T.t0)
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "{\"access\":\"x\"}", at: T.t0)
        _ = try await store.createAPIToken(name: "ci", role: .operator, at: T.t0)
        try await store.putOAuthClient(clientId: "app", secret: "client-secret", at: T.t0)
        try await store.insertOAuthFlow(OAuthFlow(state: "s1", workspace: "1000", purpose: .sync, clientId: "app", redirectUri: "http://127.0.0.1/cb",
                                                  scopes: ["users:read", "teams:read"], codeVerifier: "v1", principal: "ops",
                                                  createdAt: T.t0, expiresAt: T.at(minutes: 10)))
        let run = try await store.startSyncRun(workspaceGid: "1000", trigger: "ops", at: T.t0)
        let counts = try await store.applySnapshot(Fixture.snapshot(), at: T.at(minutes: 1), syncRunId: run)
        try await store.finishSyncRun(id: run, status: .succeeded, counts: counts, apiCalls: 7, rateLimited: 1, error: nil, at: T.at(minutes: 1))
        // A second picture: a departure and a team change, so history has closed intervals and changes.
        try await store.applySnapshot(Fixture.snapshot(users: [Fixture.ada, Fixture.bob, Fixture.gus]), at: T.at(minutes: 2))
        for index in 0..<1_203 {
            try await store.appendAuditEvent(AuditEventDraft(at: T.at(minutes: index), principal: "ops", method: "provision",
                                                             params: "{\"n\":\(index),\"name\":\"Zoë\"}", result: "{}", outcome: "ok"))
        }
        _ = try await store.recordProvisionIntent(ProvisionIntentDraft(
            callId: "call-1", principal: "ops", idempotencyKey: nil, workspaceGid: "1000", operation: .addToWorkspace, teamGid: nil,
            email: "new@acme.example", userGid: nil, userRef: "new@acme.example", attempt: 1), at: T.t0)
        try await store.saveIdempotencyRecord(IdempotencyRecord(key: "k1", method: "provision", paramsHash: [UInt8](repeating: 7, count: 32),
                                                                result: "{}", createdAt: T.t0, expiresAt: T.at(minutes: 60)))
        _ = try await store.acquireLease("sync:1000", holder: "old-server", ttl: 600)
        _ = try await store.modifyWorkspaceSchedule("1000") { schedule in
            schedule = WorkspaceSchedule(nextRunAt: T.at(minutes: 90), pause: .init(reason: "refused (1011 upstream.unauthorized)", fingerprint: "sha256:ab"),
                                         capabilities: Sync.Capabilities(membershipFlags: true, teams: false), refusedFingerprint: "sha256:ab")
        }
        return store
    }

    /// Rows of each SQLite table.
    func sqliteCounts(_ store: SQLiteAccessStore) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (sqlite, postgres) in StoreCopy.tables {
            counts[postgres] = try await store.dbWriter.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \(sqlite)") ?? 0 }
        }
        return counts
    }

    @Test("every SQLite table is either copied or named as left behind (a new table cannot be forgotten)")
    func everyTableAccounted() async throws {
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        let tables = try await store.dbWriter.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'")
        }
        // The text index (FTS5 and its shadow tables) and the state of the ranks it is keyed by: PostgreSQL searches
        // its own columns.
        let textIndex = Set(["", "_config", "_content", "_data", "_docsize", "_idx"].map { "workspaceUserSearch" + $0 } + ["searchTrigram", "listingRankState"])
        let leftBehind = Set(["masterKeyCheck", "backupSeal", "lease", "storeRetirement"]).union(textIndex)
        #expect(Set(tables).subtracting(leftBehind) == Set(StoreCopy.tables.map(\.sqlite)))
    }

    @Test("every row arrives: sealed secrets open with the same key, the audit log keeps its ids and MACs, ids continue after the copied ones")
    func copiesEverything() async throws {
        let key = MasterKey.generate()
        let source = try await populatedSQLite(key: key)
        let target = try await makePostgresStore(masterKey: key)
        let summary = try await StoreCopy.copy(from: source, to: target)
        let expected = try await sqliteCounts(source)
        #expect(summary.rows == expected)
        #expect(expected["audit_event"] == 1_203 && expected["workspace_user"] == 4 && (expected["access_change"] ?? 0) > 0)

        #expect(try await target.openCredential(workspaceGid: "1000", purpose: .provision)?.secret == "2/provision-secret")
        #expect(try await target.workspaceSchedules() == source.workspaceSchedules())
        #expect(try await target.workspaceSchedules()["1000"]?.pause?.fingerprint == "sha256:ab")
        #expect(try await target.credentialSummaries() == source.credentialSummaries())
        #expect(try await target.apiTokens() == source.apiTokens())
        #expect(try await target.openOAuthClientSecret(clientId: "app") == "client-secret")
        #expect(try await target.takeOAuthFlow(state: "s1", at: T.at(minutes: 1))?.scopes == ["users:read", "teams:read"])

        // The audit rows and the head, byte for byte.
        let sourceAudit = try await source.dbWriter.read { db in
            try Row.fetchAll(db, sql: "SELECT id, hash FROM auditEvent ORDER BY id").map { ($0["id"] as Int64, $0["hash"] as Data) }
        }
        let targetAudit = try await TestPostgres.withAdminConnection(target.location) { connection, logger in
            try await connection.query("SELECT id, hash FROM audit_event ORDER BY id", logger: logger).collect()
                .map { (try $0.get("id", as: Int64.self), try $0.get("hash", as: Data.self)) }
        }
        #expect(targetAudit.map(\.0) == sourceAudit.map(\.0))
        #expect(targetAudit.map(\.1) == sourceAudit.map(\.1))
        let head = try await TestPostgres.withAdminConnection(target.location) { connection, logger in
            try await connection.query("SELECT last_id FROM audit_head", logger: logger).collect().first?.get("last_id", as: Int64.self)
        }
        #expect(head == 1_203)
        let chain = try await target.verifyAuditChain()
        #expect(chain.isIntact && chain.checkedCount == 1_203)
        #expect(chain.lastHash == (try await source.verifyAuditChain()).lastHash)

        // The snapshot, its history and the sync run read the same through either store.
        let query = UserQuery(workspaceGid: "1000", includeDeparted: true, limit: 100)
        #expect(try await target.listUsers(query).users == source.listUsers(query).users)
        // A query text finds the same people, now and in the past: SQLite keeps no search keys (name_key, email_key),
        // the copy computes them on the way (before, it left them empty, and no text found anyone on the copy).
        #expect(target.textIndex)
        for text in ["ada", "BOB", "acme.example", "gus", "lovelace", "nobody"] {
            for asOf in [nil, T.at(minutes: 1)] {
                var search = UserQuery(workspaceGid: "1000", query: text, includeDeparted: true, limit: 100)
                search.asOf = asOf
                let expected = try await source.listUsers(search).users
                #expect(try await target.listUsers(search).users == expected, "\(text) as of \(String(describing: asOf))")
            }
        }
        #expect(try await !source.listUsers(UserQuery(workspaceGid: "1000", query: "acme.example")).users.isEmpty)
        #expect(try await target.teams(workspaceGid: "1000") == source.teams(workspaceGid: "1000"))
        let changes = AccessChangeQuery(workspaceGid: "1000", from: T.t0)
        #expect(try await target.listAccessChanges(changes) == source.listAccessChanges(changes))
        #expect(try await target.syncRuns(workspaceGid: "1000", limit: 10) == source.syncRuns(workspaceGid: "1000", limit: 10))
        #expect(try await target.openProvisionIntents().map(\.draft) == source.openProvisionIntents().map(\.draft))

        // Identity columns continue after the copied ids; the old server's lease is not carried over.
        #expect(try await target.acquireLease("sync:1000", holder: "new-server", ttl: 60))
        let nextRun = try await TestPostgres.withAdminConnection(target.location) { connection, logger in
            try await connection.query("INSERT INTO sync_run (workspace_gid, run_trigger, status, started_at) VALUES ('1', 't', 'running', 0) RETURNING id",
                                       logger: logger).collect().first?.get("id", as: Int64.self)
        }
        #expect(nextRun == 2)

        // The planner's statistics come with the copy (ANALYZE in its transaction): pg_class counts the copied rows
        // (a table never analyzed says -1).
        let counted = try await TestPostgres.withAdminConnection(target.location) { connection, logger in
            try await connection.query("SELECT reltuples::bigint AS n FROM pg_class WHERE relname = 'workspace_user' AND relnamespace = current_schema()::regnamespace",
                                       logger: logger).collect().first?.get("n", as: Int64.self)
        }
        #expect(counted == 4)
    }

    @Test("a target that already holds data is refused and left as it was")
    func refusesNonEmptyTarget() async throws {
        let key = MasterKey.generate()
        let source = try await populatedSQLite(key: key)
        let target = try await makePostgresStore(masterKey: key)
        _ = try await target.createAPIToken(name: "already-here", role: .reader, at: T.t0)
        await #expect(throws: AccessStoreError.invalidArgument("the target database already holds data (table api_token): migrate-store copies into an empty one only")) {
            _ = try await StoreCopy.copy(from: source, to: target)
        }
        #expect(try await target.apiTokens().map(\.name) == ["already-here"])
        #expect(try await target.credentialSummaries().isEmpty)
    }

    @Test("camelCase columns map to snake_case")
    func names() {
        #expect(StoreCopy.snakeCase("workspaceGid") == "workspace_gid")
        #expect(StoreCopy.snakeCase("isLimitedAccess") == "is_limited_access")
        #expect(StoreCopy.snakeCase("before") == "before")
    }
}
