import Foundation
import GRDB

extension SQLiteAccessStore {
    /// One page of the people of a workspace, filtered, sorted by (name COLLATE NOCASE, gid), with
    /// keyset pagination: a page is read by seeking the `workspaceUser_byName` index past the cursor,
    /// and the teams of the whole page come from one more query.
    ///
    /// With a `query` text (current picture only), the page is read through the trigram index of names and emails,
    /// whose matches come in listing order (``ListingRank``): from the cursor on, until the page is full, instead of
    /// every person of the workspace being tested (``SearchIndex``). Scanned for instead: a 1- or 2-character text
    /// beginning more than ``SearchIndex/maximumShortTextTrigrams`` trigrams; with another filter too, a text matching
    /// as many people as that filter keeps (``SearchIndex/plan(_:_:)``); a past picture (`asOf`: `workspaceUserInterval`
    /// has no text index). Both plans return the same page: the index's match is the exact test for a text of one
    /// phrase, a prefilter of it for a longer one.
    ///
    /// The page, its teams and ``UserPage/workspace`` are read in ONE read transaction, so a page is
    /// one consistent snapshot even while a snapshot is being committed (a `DatabasePool` read sees
    /// the last commit before it began). Separate pages are separate reads: a commit between two pages
    /// shows in the later one.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` (empty workspace gid, limit outside 1...1000,
    ///   query text longer than 256 characters); ``AccessStoreError/invalidCursor``.
    public func listUsers(_ query: UserQuery) async throws -> UserPage {
        let listing = try UserListing(query)
        let workspaceGid = query.workspaceGid
        let limit = query.limit
        let asOf = listing.asOf
        return try await dbWriter.read { db in
            let request = Self.listUsersRequest(listing, plan: try SearchIndex.plan(db, listing))
            let rows = try Row.fetchCursor(db.cachedStatement(sql: request.sql), arguments: request.arguments)
            var users: [StoredUser] = []
            users.reserveCapacity(limit)
            var last: UserCursor?
            var more = false
            var standingRun: StandingRun?
            if let asOf {
                var pageRows: [Row] = []
                while let row = try rows.next() {
                    guard pageRows.count < limit else { more = true; break }
                    pageRows.append(row.copy())
                }
                standingRun = try Self.standingRun(db, workspaceGid: workspaceGid, at: asOf)
                users = try Self.storedUsers(db, workspaceGid: workspaceGid, intervalRows: pageRows, asOf: asOf,
                                             standingRun: standingRun, includeTeams: query.includeTeams)
                last = pageRows.last.map { UserCursor(n: $0["sortName"], g: $0["gid"]) }
            } else {
                // Decoded from the statement's live row, not a copy: a copied row decodes each value through
                // GRDB's generic path (a runtime metadata lookup per value, a tenth of a page's CPU).
                while let row = try rows.next() {
                    guard users.count < limit else { more = true; break }
                    var user = Self.storedUser(row)
                    if let since = listing.changedSince {
                        user.change = UserListing.change(since: since, addedAt: row[11], departedAt: Self.int64(row, 9))
                    }
                    users.append(user)
                    last = UserCursor(n: row[12], g: user.gid)
                }
                if query.includeTeams { try Self.attachTeams(db, workspaceGid: workspaceGid, to: &users) }
            }
            let workspace = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.workspaceColumns) FROM workspace WHERE gid = ?"),
                arguments: [workspaceGid]
            ).map(Self.storedWorkspace)
            return UserPage(users: users, nextCursor: more ? last?.encoded() : nil, workspace: workspace, standingRun: standingRun)
        }
    }

    /// The SQL of one ``listUsers(_:)`` page (it asks for `limit + 1` rows to know whether more follow), read
    /// by `plan` (``SearchIndex/Plan/index`` only for a current-picture text ``SearchIndex/canServe(_:)``).
    /// - Throws: as ``listUsers(_:)``.
    static func listUsersRequest(_ query: UserQuery, plan: SearchIndex.Plan = .scan) throws -> (sql: String, arguments: StatementArguments) {
        listUsersRequest(try UserListing(query), plan: plan)
    }

    /// The SQL of one ``listUsers(_:)`` page of a checked query.
    static func listUsersRequest(_ listing: UserListing, plan: SearchIndex.Plan) -> (sql: String, arguments: StatementArguments) {
        let query = listing.query
        // The current picture (workspaceUser), or the past one (the intervals covering `asOf`).
        let asOf = listing.asOf
        let gid = asOf == nil ? "gid" : "userGid"
        var from = asOf == nil ? "workspaceUser" : "workspaceUserInterval"
        var fromArguments: StatementArguments = []
        // The listing order: (name COLLATE NOCASE, gid), read from an index that holds it.
        var order = (name: sortName, gid: gid)

        var conditions: [String] = []
        var arguments: StatementArguments = []
        // The index plan: the matches of the trigram index drive the read (CROSS JOIN keeps them the outer loop) in
        // rank order, which is listing order (ListingRank), each joined to its person by rank; every condition below
        // still applies to the row. The ranks from the workspace's first person after the cursor to its last one bound
        // the read (two index seeks, evaluated once), so a page starts at its cursor and stops at the workspace's end.
        var matchIsExact = false
        var readsIndexInRankOrder = false
        if plan == .index, asOf == nil, query.teamGid == nil, let text = listing.searchText, SearchIndex.canServe(text) {
            // INDEXED BY: with a cursor, SQLite may otherwise look each match's person up through the cursor's range
            // of the name index (seen in a small store without statistics), a range read per match.
            from = """
                workspaceUserSearch CROSS JOIN workspaceUser INDEXED BY workspaceUser_byRank ON listingRank = workspaceUserSearch.rowid
                """
            let afterCursor = listing.cursor == nil ? "" : " AND " + Self.after(name: sortName, gid: "gid")
            let match = SearchIndex.matchCondition(text)
            conditions.append("""
                \(match.sql)
                AND workspaceUserSearch.rowid >= (SELECT listingRank FROM workspaceUser
                    WHERE workspaceGid = ?\(afterCursor) ORDER BY \(sortName), gid LIMIT 1)
                AND workspaceUserSearch.rowid <= (SELECT listingRank FROM workspaceUser
                    WHERE workspaceGid = ? ORDER BY \(sortName) DESC, gid DESC LIMIT 1)
                """)
            arguments += match.arguments + [query.workspaceGid]
            if let cursor = listing.cursor { arguments += [cursor.n, cursor.n, cursor.g] }
            arguments += [query.workspaceGid]
            matchIsExact = SearchIndex.matchIsExact(text)
            readsIndexInRankOrder = true
        }
        conditions.append("workspaceGid = ?")
        arguments += [query.workspaceGid]
        if let asOf {
            conditions.append(Self.covers)
            arguments += [asOf, asOf]
            if !query.includeDeparted { conditions.append("departed = 0") }
        } else if let since = listing.changedSince {
            // A departure is a change: departed people are in whenever their row changed after `since`.
            conditions.append("changedAt > ?")
            arguments += [since]
        } else if !query.includeDeparted {
            conditions.append("departedAt IS NULL")
        }
        // Flag values as literals, not parameters: SQLite uses a partial index (v14: admins, guests, inactive,
        // unknown flags) only when the query holds its very term.
        if let active = query.active { conditions.append("isActive = \(active ? 1 : 0)") }
        if let admin = query.admin { conditions.append("isAdmin = \(admin ? 1 : 0)") }
        if let guest = query.guest { conditions.append("isGuest = \(guest ? 1 : 0)") }
        if let flagsUnknown = query.flagsUnknown { conditions.append(flagsUnknown ? anyFlagUnknown : "NOT \(anyFlagUnknown)") }
        if let teamGid = query.teamGid, let asOf {
            conditions.append("""
                EXISTS (SELECT 1 FROM teamMembershipInterval tm
                        WHERE tm.workspaceGid = workspaceUserInterval.workspaceGid AND tm.userGid = workspaceUserInterval.userGid
                            AND tm.teamGid = ? AND tm.validFrom <= ? AND (tm.validUntil IS NULL OR tm.validUntil > ?))
                """)
            arguments += [teamGid, asOf, asOf]
        } else if let teamGid = query.teamGid {
            // The team's members in listing order (index teamMembership_byMemberName, migration v15: each membership
            // holds a copy of its member's name), each joined to its person: a page seeks to its cursor and reads its
            // own rows instead of scanning the workspace's name index until enough members are found (at 100,000
            // people and a team of 810: 4.8 ms -> 0.2 ms). CROSS JOIN keeps the members as the outer loop.
            from = """
                (SELECT userGid AS memberGid, userName AS memberName FROM teamMembership WHERE workspaceGid = ? AND teamGid = ?) AS member
                CROSS JOIN workspaceUser ON gid = memberGid
                """
            fromArguments = [query.workspaceGid, teamGid]
            order = (name: "ifnull(memberName, '') COLLATE NOCASE", gid: "memberGid")
        }
        if let text = listing.searchText, !matchIsExact {
            // Lowercased and NFC on both sides: canonically equivalent text matches (SearchKey). With the index plan
            // too, for a text of several phrases: the index's matches are candidates, this is the test that decides.
            conditions.append("(instr(searchKey(name), ?) > 0 OR instr(searchKey(email), ?) > 0)")
            arguments += [text, text]
        }
        if let cursor = listing.cursor {
            // Keyset paging: after (name, gid). Written so that SQLite seeks in workspaceUser_byName to the
            // cursor (`sortName >= ?` is a range on the index); the row value `(sortName, gid) > (?, ?)`
            // means the same but made it scan the workspace's whole index range, so a walk through every
            // page was quadratic (EXPLAIN QUERY PLAN; a test checks the plan).
            conditions.append(Self.after(name: order.name, gid: order.gid))
            arguments += [cursor.n, cursor.n, cursor.g]
        }
        arguments += [query.limit + 1]
        let sql = """
            SELECT \(asOf == nil ? userColumns : intervalColumns), ifnull(name, '') AS sortName
            FROM \(from)
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(readsIndexInRankOrder ? "workspaceUserSearch.rowid" : "\(order.name), \(order.gid)")
            LIMIT ?
            """
        return (sql, fromArguments + arguments)
    }

    /// The condition "a flag of the person is unknown", word for word the condition of the partial index
    /// `workspaceUser_flagsUnknown` (v14), which SQLite uses only for a query holding that very term.
    static let anyFlagUnknown = "(isActive IS NULL OR isAdmin IS NULL OR isGuest IS NULL OR isViewOnly IS NULL)"

    /// The keyset condition "after the cursor" on the sort expressions `name` and `gid` (arguments: the cursor's name
    /// twice, then its gid), written so that SQLite seeks to the cursor in an index holding them.
    static func after(name: String, gid: String) -> String {
        "\(name) >= ? AND (\(name) > ? OR \(gid) > ?)"
    }

    /// The person of a workspace whose gid, or else whose email (case-insensitive), is `gidOrEmail`;
    /// departed people included. Nil when unknown.
    public func user(workspaceGid: String, gidOrEmail: String) async throws -> StoredUser? {
        try await dbWriter.read { db in
            var row = try Row.fetchOne(
                db, sql: "SELECT \(Self.userColumns) FROM workspaceUser WHERE workspaceGid = ? AND gid = ?",
                arguments: [workspaceGid, gidOrEmail])
            if row == nil {
                // Several rows may share an email (a departed account and its successor): prefer a present one.
                row = try Row.fetchOne(
                    db, sql: """
                        SELECT \(Self.userColumns) FROM workspaceUser
                        WHERE workspaceGid = ? AND email = ? COLLATE NOCASE
                        ORDER BY departedAt IS NOT NULL, lastSeenAt DESC, gid
                        LIMIT 1
                        """,
                    arguments: [workspaceGid, gidOrEmail])
            }
            guard let row else { return nil }
            return try Self.storedUsers(db, workspaceGid: workspaceGid, rows: [row]).first
        }
    }

    /// The stored workspace, or nil when no snapshot of it was applied.
    public func workspace(gid: String) async throws -> StoredWorkspace? {
        try await dbWriter.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.workspaceColumns) FROM workspace WHERE gid = ?",
                arguments: [gid]
            ).map(Self.storedWorkspace)
        }
    }

    /// Every stored workspace, sorted by name (case-insensitive) then gid.
    public func workspaces() async throws -> [StoredWorkspace] {
        try await dbWriter.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.workspaceColumns) FROM workspace ORDER BY name COLLATE NOCASE, gid"
            ).map(Self.storedWorkspace)
        }
    }

    /// The teams of a workspace with their stored member counts, sorted by name (case-insensitive) then gid.
    public func teams(workspaceGid: String) async throws -> [StoredTeam] {
        try await teams(workspaceGid: workspaceGid, matching: nil)
    }

    public func teams(workspaceGid: String, gidOrName: String) async throws -> [StoredTeam] {
        try await teams(workspaceGid: workspaceGid, matching: gidOrName)
    }

    private func teams(workspaceGid: String, matching gidOrName: String?) async throws -> [StoredTeam] {
        try await dbWriter.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT t.gid, t.name,
                        (SELECT count(*) FROM teamMembership tm WHERE tm.workspaceGid = t.workspaceGid AND tm.teamGid = t.gid) AS memberCount
                    FROM team t WHERE t.workspaceGid = ?\(gidOrName == nil ? "" : " AND (t.gid = ? OR t.name = ?)")
                    ORDER BY t.name COLLATE NOCASE, t.gid
                    """),
                arguments: StatementArguments([workspaceGid] + (gidOrName.map { [$0, $0] } ?? []))
            ).map { row in StoredTeam(gid: row["gid"], name: row["name"], memberCount: row["memberCount"]) }
        }
    }

    // MARK: Row mapping

    /// The sort expression; it must match the `workspaceUser_byName` index exactly.
    static let sortName = "ifnull(name, '') COLLATE NOCASE"

    /// The columns of a person row, in the order ``storedUsers(_:workspaceGid:rows:includeTeams:)`` reads them by position.
    static let userColumns = "gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt"

    /// Users for `rows` (in order), with their teams (and team rights) loaded in ONE query for all of them
    /// (none when `includeTeams` is false).
    static func storedUsers(_ db: Database, workspaceGid: String, rows: [Row], includeTeams: Bool = true) throws -> [StoredUser] {
        var users = rows.map(storedUser)
        if includeTeams { try attachTeams(db, workspaceGid: workspaceGid, to: &users) }
        return users
    }

    /// The person of a row of ``userColumns`` (read by position: GRDB finds a column by name with a lower-cased
    /// comparison per lookup, which was a tenth of a listing page's CPU), without teams.
    static func storedUser(_ row: Row) -> StoredUser {
        StoredUser(
            gid: row[0], name: string(row, 1), email: string(row, 2),
            isActive: bool(row, 3), isAdmin: bool(row, 4), isGuest: bool(row, 5), isViewOnly: bool(row, 6),
            teams: [],
            firstSeenAt: UnixMillis.date(row[7] as Int64),
            lastSeenAt: UnixMillis.date(row[8] as Int64),
            departedAt: UnixMillis.date(int64(row, 9)),
            changedAt: UnixMillis.date(row[10] as Int64) as Date)
    }

    /// Sets the teams (and team rights) of `users`, read in ONE query for all of them, each person's sorted by team
    /// name (case-insensitive) then gid: read in that order from `teamMembership_byUser`, which holds each
    /// membership's copy of its team's name and its rights (migration v17), so no row and no team is looked up.
    /// Were a copy ever missing (every write sets it), the team's own name is read instead of failing the page (that
    /// team then comes first among the person's teams).
    static func attachTeams(_ db: Database, workspaceGid: String, to users: inout [StoredUser]) throws {
        guard !users.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            SELECT userGid, teamGid,
                ifnull(teamName, (SELECT name FROM team t WHERE t.workspaceGid = teamMembership.workspaceGid AND t.gid = teamGid)),
                isAdmin, isGuest, isLimitedAccess
            FROM teamMembership
            WHERE workspaceGid = ? AND userGid IN (\(databaseQuestionMarks(count: users.count)))
            ORDER BY userGid, teamName COLLATE NOCASE, teamGid
            """)
        var position: [String: Int] = [:]
        position.reserveCapacity(users.count)
        for (index, user) in users.enumerated() { position[user.gid] = index }
        let teamRows = try Row.fetchCursor(statement, arguments: StatementArguments([workspaceGid] + users.map(\.gid)))
        while let row = try teamRows.next() {
            guard let index = position[row[0]] else { continue }
            users[index].teams.append(TeamRef(gid: row[1], name: row[2], isAdmin: bool(row, 3), isGuest: bool(row, 4), isLimitedAccess: bool(row, 5)))
        }
    }

    // Nullable columns read as "NULL, else the non-optional value": GRDB's optional decoding is generic over the
    // wrapped type, a runtime metadata lookup per value.
    @inline(__always) static func string(_ row: Row, _ index: Int) -> String? { row.hasNull(atIndex: index) ? nil : row[index] as String }
    @inline(__always) static func bool(_ row: Row, _ index: Int) -> Bool? { row.hasNull(atIndex: index) ? nil : row[index] as Bool }
    @inline(__always) static func int64(_ row: Row, _ index: Int) -> Int64? { row.hasNull(atIndex: index) ? nil : row[index] as Int64 }

    static let workspaceColumns = "gid, name, isOrganization, lastSyncedAt, lastSyncRunId, historyFrom, historyPrunedBefore"

    static func storedWorkspace(_ row: Row) -> StoredWorkspace {
        StoredWorkspace(
            gid: row["gid"], name: row["name"], isOrganization: row["isOrganization"],
            lastSyncedAt: UnixMillis.date(row["lastSyncedAt"] as Int64?),
            lastSyncRunId: row["lastSyncRunId"],
            historyFrom: UnixMillis.date(row["historyFrom"] as Int64?),
            historyPrunedBefore: UnixMillis.date(row["historyPrunedBefore"] as Int64?))
    }
}
