import AccessProtocol
import Foundation
import Logging
import PostgresNIO

/// The stored picture of each workspace in PostgreSQL, with the same answers as the SQLite store: snapshots and
/// provision changes are planned by the same engine-free code (``SnapshotPlan``, ``HistoryRecords``) and written
/// under the workspace's advisory lock; listings order as SQLite does.
///
/// Ordering: SQLite sorts people by `ifnull(name, '') COLLATE NOCASE, gid`, NOCASE folding ASCII letters only and
/// comparing bytes. Here names and gids are `COLLATE "C"` (byte order) and people sort by
/// `lower(coalesce(name, '')), gid`: `lower()` under `"C"` folds ASCII letters only, so the order is the same, and
/// it is the `workspace_user_by_name` index's, which a page seeks in past its cursor.
///
/// Text search: `listUsers`' `query` matches the name or email in ``SearchKey`` form (Swift's `lowercased()`, then
/// NFC). PostgreSQL has no function that folds as Swift does, so each row stores that form of its name and email
/// (`name_key`, `email_key`), computed in Swift when the row is written, and the query's key is searched in them
/// with `strpos`: the same substring test as SQLite's `instr(searchKey(name), ?)`. A page tests people in listing
/// order until it is full (every person when few match), unless the pg_trgm index of both keys serves the text
/// (``PostgresTextIndex``: the current picture, no team, 3+ characters, fewer than 4,000 matches estimated): then it
/// reads the index's matches, keeps those that pass the same `strpos` test, and sorts them. Both give the same page.
extension PostgresAccessStore {
    @discardableResult
    public func applySnapshot(_ snapshot: WorkspaceSnapshot, at: Date, syncRunId: Int64?) async throws -> SnapshotCounts {
        try snapshot.check()
        try snapshot.checkStorableInPostgres()
        let now = UnixMillis.from(at)
        let logger = self.logger
        let counts = try await database.write { connection in
            try await PostgresSnapshotWriter(connection: connection, logger: logger, workspaceGid: snapshot.workspace.gid, now: now,
                                             provenance: .sync(runId: syncRunId)).apply(snapshot)
        }
        // Each new person, and each row a sync rewrote outside its page (not a HOT update), left index entries pending.
        if textIndex { await PostgresTextIndex.flushPending(database) }
        return counts
    }

    public func applyProvisionChange(_ change: ProvisionChange, at: Date) async throws {
        try change.check()
        try change.checkStorableInPostgres()
        let now = UnixMillis.from(at)
        let logger = self.logger
        try await database.write { connection in
            try await PostgresSnapshotWriter(connection: connection, logger: logger, workspaceGid: change.workspaceGid, now: now,
                                             provenance: .provision(principal: change.principal, callId: change.callId)).apply(change)
        }
    }

    /// One page: the page query (``listUsersQuery(_:plan:)``, through the text index when ``PostgresTextIndex/plan(_:_:logger:)``
    /// chooses it), then the teams of the whole page in one more query, with the workspace row, in one read-only
    /// `REPEATABLE READ` transaction.
    public func listUsers(_ query: UserQuery) async throws -> UserPage {
        let listing = try UserListing(query)
        if let cursor = listing.cursor, !PostgresText.storable(cursor.n, cursor.g) { throw AccessStoreError.invalidCursor }
        guard PostgresText.storable(query.workspaceGid) else { return UserPage(users: [], nextCursor: nil) }
        let logger = self.logger
        let textIndex = self.textIndex
        return try await database.readTransaction { connection in
            let workspace = try await Self.workspace(connection, gid: query.workspaceGid, logger: logger)
            let plan = textIndex ? try await PostgresTextIndex.plan(connection, listing, logger: logger) : .scan
            var rows = try await connection.query(Self.listUsersQuery(listing, plan: plan), logger: logger).collect()
            if plan == .index, let first = rows.first, try first.get("matches", as: Int64.self) > PostgresTextIndex.scanFromMatches {
                // More matches past the cursor than the index plan reads (the estimate was low): the scan's page.
                rows = try await connection.query(Self.listUsersQuery(listing, plan: .scan), logger: logger).collect()
            }
            let pageRows = Array(rows.prefix(query.limit))
            var users: [StoredUser]
            var standingRun: StandingRun?
            if let asOf = listing.asOf {
                standingRun = try await Self.standingRun(connection, workspaceGid: query.workspaceGid, at: asOf, logger: logger)
                users = try await Self.pastUsers(connection, workspaceGid: query.workspaceGid, rows: pageRows, asOf: asOf,
                                                 standingRun: standingRun, includeTeams: query.includeTeams, logger: logger)
            } else {
                users = try await Self.storedUsers(connection, workspaceGid: query.workspaceGid, rows: pageRows,
                                                   includeTeams: query.includeTeams, logger: logger)
            }
            if let since = listing.changedSince {
                for (index, row) in pageRows.enumerated() {
                    users[index].change = UserListing.change(
                        since: since, addedAt: try row.get("added_at"), departedAt: try row.get("departed_at"))
                }
            }
            var nextCursor: String?
            if rows.count > query.limit, let last = pageRows.last {
                nextCursor = UserCursor(n: try last.get("sort_name"), g: try last.get("gid")).encoded()
            }
            return UserPage(users: users, nextCursor: nextCursor, workspace: workspace, standingRun: standingRun)
        }
    }

    /// The one statement of a ``listUsers(_:)`` page (it asks for `limit + 1` rows to know whether more follow): the
    /// current picture (`workspace_user`) or, with `asOf`, the intervals covering it (`workspace_user_interval`), in
    /// the order of their `_by_name` index, from past the cursor.
    ///
    /// With ``PostgresTextIndex/Plan/index`` (only for a listing ``PostgresTextIndex/applies(to:)``), the rows come
    /// from the text index instead: at most ``PostgresTextIndex/scanFromMatches`` + 1 people past the cursor that pass
    /// every condition of the scan, as a `MATERIALIZED` common table expression (the planner cannot fold it into a
    /// walk of the name index), sorted; each row also carries `matches`, how many that read found (more than
    /// `scanFromMatches`: the page is incomplete and must be scanned).
    static func listUsersQuery(_ listing: UserListing, plan: PostgresTextIndex.Plan = .scan) -> PostgresQuery {
        let query = listing.query
        let asOf = listing.asOf
        let table = asOf == nil ? "workspace_user" : "workspace_user_interval"
        let gid = asOf == nil ? "gid" : "user_gid"
        let index = plan == .index && PostgresTextIndex.applies(to: listing)
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 1024, interpolationCount: 16)
        if index { sql.appendLiteral("WITH match AS MATERIALIZED (") }
        sql.appendLiteral("SELECT ")
        sql.appendLiteral(asOf == nil ? userColumns : intervalColumns)
        sql.appendLiteral(", coalesce(name, '') AS sort_name FROM ")
        // The listing order: (name folded, gid), read from an index that holds it.
        var order = (name: sortName, gid: gid)
        if asOf == nil, let teamGid = query.teamGid, PostgresText.storable(teamGid) {
            // The team's members in listing order (index team_membership_by_member_name, migration v3: each
            // membership holds a copy of its member's name), each joined to its person: a page reads its own rows
            // instead of every person (100,000 people, a team of 810: 45 ms -> ~1 ms).
            sql.appendLiteral("(SELECT user_gid AS member_gid, user_name AS member_name FROM team_membership WHERE workspace_gid = ")
            sql.appendInterpolation(query.workspaceGid)
            sql.appendLiteral(" AND team_gid = ")
            sql.appendInterpolation(teamGid)
            sql.appendLiteral(") AS member JOIN workspace_user ON gid = member_gid")
            order = (name: "lower(coalesce(member_name, ''))", gid: "member_gid")
        } else {
            sql.appendLiteral(table)
        }
        sql.appendLiteral(" WHERE workspace_gid = ")
        sql.appendInterpolation(query.workspaceGid)
        if index, let text = listing.searchText {
            // The index condition (a prefilter, see PostgresTextIndex); the exact test follows.
            sql.appendLiteral(" AND \(PostgresTextIndex.expression) LIKE ")
            sql.appendInterpolation(PostgresTextIndex.likePattern(text))
        }
        if let asOf {
            sql.appendLiteral(" AND valid_from <= ")
            sql.appendInterpolation(asOf)
            sql.appendLiteral(" AND (valid_until IS NULL OR valid_until > ")
            sql.appendInterpolation(asOf)
            sql.appendLiteral(")")
            if !query.includeDeparted { sql.appendLiteral(" AND NOT departed") }
        } else if let since = listing.changedSince {
            // A departure is a change: departed people are in whenever their row changed after `since`.
            sql.appendLiteral(" AND changed_at > ")
            sql.appendInterpolation(since)
        } else if !query.includeDeparted {
            sql.appendLiteral(" AND departed_at IS NULL")
        }
        // Flag values as literals, not parameters: the planner then proves a partial index's predicate (v4: admins,
        // guests, inactive, unknown flags) from the query.
        for (column, value) in [("is_active", query.active), ("is_admin", query.admin), ("is_guest", query.guest)] {
            guard let value else { continue }
            sql.appendLiteral(" AND \(column) = \(value ? "true" : "false")")
        }
        if let flagsUnknown = query.flagsUnknown {
            let anyUnknown = "(is_active IS NULL OR is_admin IS NULL OR is_guest IS NULL OR is_view_only IS NULL)"
            sql.appendLiteral(flagsUnknown ? " AND \(anyUnknown)" : " AND NOT \(anyUnknown)")
        }
        if let teamGid = query.teamGid, !PostgresText.storable(teamGid) {
            sql.appendLiteral(" AND false")  // no team has it
        } else if let teamGid = query.teamGid {
            if let asOf {
                sql.appendLiteral("""
                     AND EXISTS (SELECT 1 FROM team_membership_interval tm
                        WHERE tm.workspace_gid = workspace_user_interval.workspace_gid AND tm.user_gid = workspace_user_interval.user_gid
                            AND tm.team_gid = 
                    """)
                sql.appendInterpolation(teamGid)
                sql.appendLiteral(" AND tm.valid_from <= ")
                sql.appendInterpolation(asOf)
                sql.appendLiteral(" AND (tm.valid_until IS NULL OR tm.valid_until > ")
                sql.appendInterpolation(asOf)
                sql.appendLiteral("))")
            }  // else: the FROM clause reads the team's members (above)
        }
        if let text = listing.searchText, !PostgresText.storable(text) {
            sql.appendLiteral(" AND false")  // no name or email has it
        } else if let text = listing.searchText {
            // Both sides in SearchKey form: canonically equivalent text matches (see the extension's comment).
            sql.appendLiteral(" AND (strpos(name_key, ")
            sql.appendInterpolation(text)
            sql.appendLiteral(") > 0 OR strpos(email_key, ")
            sql.appendInterpolation(text)
            sql.appendLiteral(") > 0)")
        }
        if let cursor = listing.cursor {
            // Keyset paging: after (sort name, gid), a row comparison the btree seeks to. The cursor holds the name as
            // stored; it is folded here under "C", as the rows are.
            sql.appendLiteral(" AND (\(order.name), \(order.gid)) > (lower(")
            sql.appendInterpolation(cursor.n)
            sql.appendLiteral("::text COLLATE \"C\"), ")
            sql.appendInterpolation(cursor.g)
            sql.appendLiteral("::text COLLATE \"C\")")
        }
        if index {
            sql.appendLiteral(" LIMIT \(PostgresTextIndex.scanFromMatches + 1)) SELECT *, (SELECT count(*) FROM match) AS matches FROM match")
            order = (name: "lower(sort_name)", gid: "gid")
        }
        sql.appendLiteral(" ORDER BY \(order.name), \(order.gid) LIMIT ")
        sql.appendInterpolation(query.limit + 1)
        return PostgresQuery(stringInterpolation: sql)
    }

    public func user(workspaceGid: String, gidOrEmail: String) async throws -> StoredUser? {
        guard PostgresText.storable(workspaceGid, gidOrEmail) else { return nil }
        let logger = self.logger
        return try await database.readTransaction { connection in
            var row = try await connection.query("""
                SELECT \(unescaped: Self.userColumns) FROM workspace_user WHERE workspace_gid = \(workspaceGid) AND gid = \(gidOrEmail)
                """, logger: logger).collect().first
            if row == nil {
                // Several rows may share an email (a departed account and its successor): prefer a present one.
                // lower() under "C" on both sides: SQLite's NOCASE (ASCII letters only), through workspace_user_by_email.
                row = try await connection.query("""
                    SELECT \(unescaped: Self.userColumns) FROM workspace_user
                    WHERE workspace_gid = \(workspaceGid) AND lower(email) = lower(\(gidOrEmail)::text COLLATE "C")
                    ORDER BY departed_at IS NOT NULL, last_seen_at DESC, gid
                    LIMIT 1
                    """, logger: logger).collect().first
            }
            guard let row else { return nil }
            return try await Self.storedUsers(connection, workspaceGid: workspaceGid, rows: [row], includeTeams: true, logger: logger).first
        }
    }

    public func workspace(gid: String) async throws -> StoredWorkspace? {
        guard PostgresText.storable(gid) else { return nil }
        let logger = self.logger
        return try await database.read { connection in
            try await Self.workspace(connection, gid: gid, logger: logger)
        }
    }

    public func workspaces() async throws -> [StoredWorkspace] {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.workspaceColumns) FROM workspace ORDER BY lower(name), gid", logger: logger
            ).collect().map(Self.storedWorkspace)
        }
    }

    public func teams(workspaceGid: String) async throws -> [StoredTeam] {
        try await teams(workspaceGid: workspaceGid, matching: nil)
    }

    public func teams(workspaceGid: String, gidOrName: String) async throws -> [StoredTeam] {
        guard PostgresText.storable(gidOrName) else { return [] }
        return try await teams(workspaceGid: workspaceGid, matching: gidOrName)
    }

    private func teams(workspaceGid: String, matching gidOrName: String?) async throws -> [StoredTeam] {
        guard PostgresText.storable(workspaceGid) else { return [] }
        let logger = self.logger
        return try await database.read { connection in
            var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 3)
            sql.appendLiteral("""
                SELECT t.gid, t.name,
                    (SELECT count(*) FROM team_membership tm WHERE tm.workspace_gid = t.workspace_gid AND tm.team_gid = t.gid)
                FROM team t WHERE t.workspace_gid = 
                """)
            sql.appendInterpolation(workspaceGid)
            if let gidOrName {
                sql.appendLiteral(" AND (t.gid = ")
                sql.appendInterpolation(gidOrName)
                sql.appendLiteral(" OR t.name = ")
                sql.appendInterpolation(gidOrName)
                sql.appendLiteral(")")
            }
            sql.appendLiteral(" ORDER BY lower(t.name), t.gid")
            var teams: [StoredTeam] = []
            let query = PostgresQuery(stringInterpolation: sql)
            for try await (gid, name, count) in try await connection.query(query, logger: logger).decode((String, String, Int64).self) {
                teams.append(StoredTeam(gid: gid, name: name, memberCount: Int(count)))
            }
            return teams
        }
    }

    // MARK: Rows

    /// The sort expression; it must match the `_by_name` indexes exactly.
    static let sortName = "lower(coalesce(name, ''))"

    static let userColumns = """
        gid, name, email, is_active, is_admin, is_guest, is_view_only, first_seen_at, last_seen_at, departed_at, changed_at, added_at
        """

    /// The columns of `workspace_user_interval` a past page reads (`user_gid` as `gid`).
    static let intervalColumns = """
        user_gid AS gid, name, email, is_active, is_admin, is_guest, is_view_only, first_seen_at, last_seen_at, valid_from, departed
        """

    static let workspaceColumns = "gid, name, is_organization, last_synced_at, last_sync_run_id, history_from, history_pruned_before"

    static func workspace(_ connection: PostgresConnection, gid: String, logger: Logger) async throws -> StoredWorkspace? {
        try await connection.query(
            "SELECT \(unescaped: workspaceColumns) FROM workspace WHERE gid = \(gid)", logger: logger
        ).collect().first.map(storedWorkspace)
    }

    static func storedWorkspace(_ row: PostgresRow) throws -> StoredWorkspace {
        let (gid, name, isOrganization, lastSyncedAt, lastSyncRunId, historyFrom, historyPrunedBefore) = try row.decode(
            (String, String, Bool, Int64?, Int64?, Int64?, Int64?).self)
        return StoredWorkspace(
            gid: gid, name: name, isOrganization: isOrganization, lastSyncedAt: UnixMillis.date(lastSyncedAt), lastSyncRunId: lastSyncRunId,
            historyFrom: UnixMillis.date(historyFrom), historyPrunedBefore: UnixMillis.date(historyPrunedBefore))
    }

    /// The fields of a person row of ``userColumns`` or ``intervalColumns`` (departed from `departed` or `departed_at`).
    private static func personState(_ row: PostgresRandomAccessRow, departed: Bool) throws -> PersonState {
        PersonState(
            name: try row["name"].decode(String?.self), email: try row["email"].decode(String?.self),
            isActive: try row["is_active"].decode(Bool?.self), isAdmin: try row["is_admin"].decode(Bool?.self),
            isGuest: try row["is_guest"].decode(Bool?.self), isViewOnly: try row["is_view_only"].decode(Bool?.self), departed: departed)
    }

    /// Users for `rows` of ``userColumns`` (in order), with their teams (and team rights) loaded in ONE query for all of
    /// them (none when `includeTeams` is false).
    static func storedUsers(_ connection: PostgresConnection, workspaceGid: String, rows: [PostgresRow], includeTeams: Bool,
                            logger: Logger) async throws -> [StoredUser] {
        guard !rows.isEmpty else { return [] }
        let rows = rows.map { $0.makeRandomAccess() }
        let gids = try rows.map { try $0["gid"].decode(String.self) }
        var teamsOfUser: [String: [TeamRef]] = [:]
        if includeTeams {
            for try await (userGid, gid, name, isAdmin, isGuest, isLimitedAccess) in try await connection.query("""
                SELECT tm.user_gid, t.gid, t.name, tm.is_admin, tm.is_guest, tm.is_limited_access
                FROM team_membership tm
                JOIN team t ON t.workspace_gid = tm.workspace_gid AND t.gid = tm.team_gid
                WHERE tm.workspace_gid = \(workspaceGid) AND tm.user_gid = ANY(\(gids))
                ORDER BY lower(t.name), t.gid
                """, logger: logger).decode((String, String, String, Bool?, Bool?, Bool?).self) {
                teamsOfUser[userGid, default: []].append(TeamRef(gid: gid, name: name, isAdmin: isAdmin, isGuest: isGuest, isLimitedAccess: isLimitedAccess))
            }
        }
        return try zip(rows, gids).map { row, gid in
            let departedAt = try row["departed_at"].decode(Int64?.self)
            let state = try personState(row, departed: departedAt != nil)
            return StoredUser(
                gid: gid, name: state.name, email: state.email,
                isActive: state.isActive, isAdmin: state.isAdmin, isGuest: state.isGuest, isViewOnly: state.isViewOnly,
                teams: teamsOfUser[gid] ?? [],
                firstSeenAt: UnixMillis.date(try row["first_seen_at"].decode(Int64.self)),
                lastSeenAt: UnixMillis.date(try row["last_seen_at"].decode(Int64.self)),
                departedAt: UnixMillis.date(departedAt),
                changedAt: UnixMillis.date(try row["changed_at"].decode(Int64.self)) as Date)
        }
    }

    /// The last sync run of the workspace committed (`succeeded` or `partial`) at or before `at` (Unix ms).
    static func standingRun(_ connection: PostgresConnection, workspaceGid: String, at: Int64, logger: Logger) async throws -> StandingRun? {
        try await connection.query("""
            SELECT id, finished_at FROM sync_run
            WHERE workspace_gid = \(workspaceGid) AND status IN ('succeeded', 'partial') AND finished_at <= \(at)
            ORDER BY finished_at DESC, id DESC LIMIT 1
            """, logger: logger).collect().first.map { row in
            let (id, finishedAt) = try row.decode((Int64, Int64).self)
            return StandingRun(id: id, finishedAt: UnixMillis.date(finishedAt))
        }
    }

    /// Users of a past page from their interval rows of ``intervalColumns`` (in order), with the team memberships
    /// (and team names) that covered `asOf` loaded in ONE query; times as ``UserListing`` defines them.
    static func pastUsers(_ connection: PostgresConnection, workspaceGid: String, rows: [PostgresRow], asOf: Int64,
                          standingRun: StandingRun?, includeTeams: Bool, logger: Logger) async throws -> [StoredUser] {
        guard !rows.isEmpty else { return [] }
        let rows = rows.map { $0.makeRandomAccess() }
        let gids = try rows.map { try $0["gid"].decode(String.self) }
        var teamsOfUser: [String: [TeamRef]] = [:]
        if includeTeams {
            for try await (userGid, teamGid, name, isAdmin, isGuest, isLimitedAccess) in try await connection.query("""
                SELECT tm.user_gid, tm.team_gid, coalesce(t.name, tm.team_gid) AS name, tm.is_admin, tm.is_guest, tm.is_limited_access
                FROM team_membership_interval tm
                LEFT JOIN team_interval t ON t.workspace_gid = tm.workspace_gid AND t.team_gid = tm.team_gid
                    AND t.valid_from <= \(asOf) AND (t.valid_until IS NULL OR t.valid_until > \(asOf))
                WHERE tm.workspace_gid = \(workspaceGid) AND tm.user_gid = ANY(\(gids))
                    AND tm.valid_from <= \(asOf) AND (tm.valid_until IS NULL OR tm.valid_until > \(asOf))
                ORDER BY lower(coalesce(t.name, tm.team_gid)), tm.team_gid
                """, logger: logger).decode((String, String, String, Bool?, Bool?, Bool?).self) {
                teamsOfUser[userGid, default: []].append(TeamRef(
                    gid: teamGid, name: name, isAdmin: isAdmin, isGuest: isGuest, isLimitedAccess: isLimitedAccess))
            }
        }
        return try zip(rows, gids).map { row, gid in
            let state = try personState(row, departed: try row["departed"].decode(Bool.self))
            return UserListing.pastUser(
                gid: gid, state: state, firstSeenAt: try row["first_seen_at"].decode(Int64.self),
                lastSeenAt: try row["last_seen_at"].decode(Int64?.self), validFrom: try row["valid_from"].decode(Int64.self),
                asOf: asOf, standingRun: standingRun, teams: teamsOfUser[gid] ?? [])
        }
    }
}
