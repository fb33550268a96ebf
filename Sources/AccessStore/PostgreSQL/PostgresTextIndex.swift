import Foundation
import Logging
import PostgresNIO

/// The trigram index of `listUsers`' `query` text in PostgreSQL (SQLite's counterpart is ``SearchIndex``): a GIN
/// index with pg_trgm's `gin_trgm_ops` over the ``SearchKey`` form of each person's name and email, and the choice
/// between reading it and scanning the workspace in listing order.
///
/// The index serves `LIKE '%text%'` (https://www.postgresql.org/docs/current/pgtrgm.html#PGTRGM-INDEX: gin_trgm_ops
/// supports `LIKE` and `ILIKE` since PostgreSQL 9.1, regular expressions since 9.3, equality since 14). It is a
/// prefilter: the index is lossy (PostgreSQL rechecks `LIKE` on each row it returns) and the page keeps the scan's
/// exact test, `strpos(name_key, text) > 0 OR strpos(email_key, text) > 0`, so a page holds exactly the people
/// the scan would, in the same order, with the same cursor.
///
/// pg_trgm is an extension: it ships with the server (Debian: in `postgresql-NN`, the server package, among the
/// contrib modules) but each database must `CREATE EXTENSION pg_trgm`. It is "trusted" since PostgreSQL 13, so a
/// role with `CREATE` privilege on the database (its owner, by default) may create it without being superuser
/// (same page, and the commit that marked it: https://postgr.es/m/32315.1580326876@sss.pgh.pa.us). The store
/// creates it when it may, at every open (``ensure(_:path:logger:)``): a database where it was missing gets the index
/// at the first open after it became available. Without it the store scans, as before, and says so in the log.
enum PostgresTextIndex {
    /// How a page with a query text finds its people.
    enum Plan: Equatable {
        /// Read the workspace's people in listing order (the `workspace_user_by_name` index, from the cursor on) and
        /// test each: every row of the workspace when few match.
        case scan
        /// Read the people the trigram index matches (at most ``scanFromMatches`` + 1 past the cursor), test them,
        /// and sort them.
        case index
    }

    /// The index's name.
    static let name = "workspace_user_search"

    /// The indexed text: the search form of the name and the email, one space between (a text spanning both finds
    /// rows the exact test then drops). One index, one bitmap scan a page, instead of one for each column.
    static let expression = "(coalesce(name_key, '') || ' ' || coalesce(email_key, ''))"

    /// The shortest text, in Unicode scalars of its ``SearchKey`` form, the index serves: pg_trgm extracts no
    /// trigram from `%ab%`, and an index condition without one reads the whole index.
    static let minimumLength = 3

    /// The number of matches from which the scan is chosen instead: the planner's estimate of the matches of the
    /// text in the workspace must be below it, and the index plan reads at most this many matches past the cursor
    /// (when there are more, the page is read again by the scan). See ``plan(_:_:)`` for the measurements.
    static let scanFromMatches = 4000

    /// The longest part of the text, in Unicode scalars, the index condition looks for: its first
    /// ``patternLength`` scalars.
    ///
    /// Why not the whole text: a GIN index scan reads the entries of every trigram of the pattern, and a long text
    /// often ends in trigrams every person holds (a mail domain): at 100,000 people, one person's whole email
    /// (`alice.anders12@acme.example`) took 5.3 ms to find in the index, its first 16 characters 0.4 ms. A row
    /// holding the text holds its beginning, so the condition still finds every match; the exact test that follows
    /// drops the rest. (SQLite's index splits a long text in phrases for the same reason: ``SearchIndex``.)
    static let patternLength = 16

    /// The `LIKE` pattern of `text` (already in ``SearchKey`` form): `%…%` around its first ``patternLength`` scalars,
    /// with `\`, `%` and `_` escaped by `\` (LIKE's default escape character:
    /// https://www.postgresql.org/docs/current/functions-matching.html#FUNCTIONS-LIKE), so that every character of the
    /// text is a literal.
    static func likePattern(_ text: String) -> String {
        var pattern = "%"
        for scalar in text.unicodeScalars.prefix(patternLength) {
            if scalar == "\\" || scalar == "%" || scalar == "_" { pattern.unicodeScalars.append("\\") }
            pattern.unicodeScalars.append(scalar)
        }
        return pattern + "%"
    }

    /// True when the index can serve `text` (in ``SearchKey`` form): 3 characters or more, one of them a letter or
    /// a digit. pg_trgm takes trigrams from the words of a text, runs of alphanumeric characters ("pg_trgm ignores
    /// non-word characters", same page): a text of punctuation alone has none, and its index condition would read
    /// every entry of the index ("a pattern with no extractable trigrams will degenerate to a full-index scan").
    /// (Which characters are alphanumeric follows the database's `LC_CTYPE`: under `C`, letters outside ASCII are
    /// not, and a text of them alone reads the whole index: the same answers, at about the scan's cost.)
    static func canServe(_ text: String) -> Bool {
        text.unicodeScalars.count >= minimumLength
            && text.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
    }

    /// Whether `listing`'s page may be read through the index at all: the current picture (`asOf` reads
    /// `workspace_user_interval`, which has no text index), no team (a team's page reads the team's own index, its
    /// members in listing order, and tests the text on them), a text ``canServe(_:)``.
    static func applies(to listing: UserListing) -> Bool {
        guard listing.asOf == nil, listing.query.teamGid == nil, let text = listing.searchText else { return false }
        return PostgresText.storable(text) && canServe(text)
    }

    /// The plan for one page of `listing` (on a store whose index exists): the index when ``applies(to:)`` and the
    /// planner estimates fewer than ``scanFromMatches`` people of the workspace hold the text, else the scan.
    ///
    /// Why an estimate, not a count: a GIN index scan builds the whole bitmap of its matches before the first row is
    /// read, so counting a text everyone holds (the mail domain: about ten trigrams, each in every row) costs as
    /// much as reading it; the planner's estimate (`EXPLAIN`, from the statistics of the indexed expression that
    /// `ANALYZE` keeps) costs a plan and no read. The estimate may be wrong (no statistics yet, just after a
    /// first sync): the index plan stops after ``scanFromMatches`` + 1 matches and the page is then scanned.
    /// Why not leave the choice to the planner alone: it costs the scan as if the matches were spread evenly over
    /// the listing order, and walks the name index for a text whose matches all sort last (every row read).
    static func plan(_ connection: PostgresConnection, _ listing: UserListing, logger: Logger) async throws -> Plan {
        guard applies(to: listing), let text = listing.searchText else { return .scan }
        let explain: PostgresQuery = """
            EXPLAIN SELECT 1 FROM workspace_user WHERE workspace_gid = \(listing.query.workspaceGid)
                AND \(unescaped: expression) LIKE \(likePattern(text))
            """
        guard let top = try await connection.query(explain, logger: logger).collect().first?.decode(String.self),
              let rows = estimatedRows(top) else { return .scan }
        return rows < Double(scanFromMatches) ? .index : .scan
    }

    /// The `rows=` estimate of an `EXPLAIN` line (text format: `Bitmap Heap Scan on … (cost=4.1..8.2 rows=12 width=4)`).
    static func estimatedRows(_ line: String) -> Double? {
        guard let range = line.range(of: " rows=") else { return nil }
        return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    /// What an open found: the index is there (or was just made), or why not and what an operator does about it.
    enum Status: Equatable, Sendable {
        case present
        /// `reason`: what is missing, `fix`: the statement or package that provides it.
        case missing(reason: String, fix: String)
    }

    /// What the database says about pg_trgm and the store's role, read before anything is attempted (a failed
    /// `CREATE EXTENSION` would abort the open's transaction).
    struct Facts: Equatable, Sendable {
        /// The schema pg_trgm is installed in, nil when it is not installed in this database.
        var installedSchema: String?
        /// Its files are on the server (`pg_available_extensions`).
        var available: Bool
        /// Marked trusted in its control file (`pg_available_extension_versions.trusted`, a column since PostgreSQL 13:
        /// read through `to_jsonb` so that an older server answers false instead of failing the open).
        var trusted: Bool
        /// The role is superuser.
        var superuser: Bool
        /// The role has `CREATE` on the database.
        var mayCreate: Bool
        /// The database's name, for the message.
        var database: String
    }

    /// What to do about the extension, from `facts`.
    enum Step: Equatable {
        /// It is installed in this schema: create the index.
        case createIndex(schema: String)
        /// Create the extension, then the index.
        case createExtension
        /// Scan; log this.
        case give(up: Status)
    }

    static func step(_ facts: Facts) -> Step {
        if let schema = facts.installedSchema { return .createIndex(schema: schema) }
        let database = quotedIdentifier(facts.database)
        guard facts.available else {
            return .give(up: .missing(
                reason: "the extension pg_trgm is not installed on the PostgreSQL server",
                fix: "install the server's contrib modules (Debian and Ubuntu: they ship in postgresql-NN, the server package; "
                    + "other systems: postgresqlNN-contrib), then restart this server or run CREATE EXTENSION pg_trgm in database \(database)"))
        }
        guard facts.superuser || (facts.trusted && facts.mayCreate) else {
            return .give(up: .missing(
                reason: facts.trusted
                    ? "the extension pg_trgm is not created in database \(database), and this server's role may not create it (it lacks CREATE on the database)"
                    : "the extension pg_trgm is not created in database \(database), and only a superuser may create it (it is not marked trusted on this server)",
                fix: "a superuser (or the database's owner) runs CREATE EXTENSION pg_trgm in database \(database); this server makes the index at its next start"))
        }
        return .createExtension
    }

    /// Makes sure the index exists, creating pg_trgm first when the role may; run at every open, in the migrations'
    /// transaction (under their advisory lock: replicas starting together do it once). Each attempt runs under a
    /// `SAVEPOINT`, so a refusal leaves the transaction usable.
    ///
    /// Building the index reads every person and blocks writes to `workspace_user` until the open commits (about a
    /// second for 100,000 people; listings go on). Returns ``Status/present`` or why the index is missing.
    /// - Throws: what the server answers to the reads (a refused `CREATE` is a ``Status/missing(reason:fix:)``);
    ///   `path` (the redacted URL) names the database in ``AccessStoreError/storageUnavailable(path:message:)``.
    static func ensure(_ connection: PostgresConnection, path: String, logger: Logger) async throws -> Status {
        let exists = try await connection.query("SELECT to_regclass(\(name)) IS NOT NULL", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        if exists { return .present }
        let facts = try await readFacts(connection, path: path, logger: logger)
        var schema: String
        switch step(facts) {
        case .give(up: let status):
            return status
        case .createIndex(schema: let installed):
            schema = installed
        case .createExtension:
            if let refused = try await attempt(connection, "CREATE EXTENSION IF NOT EXISTS pg_trgm", logger: logger) {
                return .missing(
                    reason: "CREATE EXTENSION pg_trgm failed in database \(quotedIdentifier(facts.database)): \(refused)",
                    fix: "a superuser runs CREATE EXTENSION pg_trgm in database \(quotedIdentifier(facts.database)); this server makes the index at its next start")
            }
            logger.notice("created the extension pg_trgm for the text index of listUsers' query", metadata: ["database": "\(facts.database)"])
            schema = try await readFacts(connection, path: path, logger: logger).installedSchema ?? "public"
        }
        let start = ContinuousClock.now
        let create = "CREATE INDEX IF NOT EXISTS \(name) ON workspace_user USING gin (\(expression) \(quotedIdentifier(schema)).gin_trgm_ops)"
        if let refused = try await attempt(connection, create, logger: logger) {
            return .missing(reason: "creating the index \(name) failed: \(refused)",
                            fix: "the owner of table workspace_user runs: \(create)")
        }
        logger.notice("created the text index of listUsers' query", metadata: [
            "index": "\(name)", "seconds": "\(String(format: "%.2f", (ContinuousClock.now - start) / .seconds(1)))"])
        return .present
    }

    static func readFacts(_ connection: PostgresConnection, path: String, logger: Logger) async throws -> Facts {
        let row = try await connection.query("""
            SELECT (SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'),
                EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'),
                coalesce((SELECT bool_or((to_jsonb(v) ->> 'trusted')::boolean) FROM pg_available_extension_versions v WHERE v.name = 'pg_trgm'), false),
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                has_database_privilege(current_database(), 'CREATE'),
                current_database()::text
            """, logger: logger).collect().first
        guard let row else { throw AccessStoreError.storageUnavailable(path: path, message: "no answer to the query about pg_trgm") }
        let (schema, available, trusted, superuser, mayCreate, database) = try row.decode((String?, Bool, Bool, Bool?, Bool, String).self)
        return Facts(installedSchema: schema, available: available, trusted: trusted, superuser: superuser ?? false,
                     mayCreate: mayCreate, database: database)
    }

    /// Runs `sql` under a savepoint: nil when it succeeded, else the server's message (the savepoint rolled back, the
    /// transaction still usable).
    static func attempt(_ connection: PostgresConnection, _ sql: String, logger: Logger) async throws -> String? {
        try await connection.query("SAVEPOINT text_index", logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.query("RELEASE SAVEPOINT text_index", logger: logger)
            return nil
        } catch let error as PSQLError where error.serverInfo != nil {
            try await connection.query("ROLLBACK TO SAVEPOINT text_index", logger: logger)
            return error.serverInfo?[.message] ?? "\(error.code)"
        }
    }

    /// Moves GIN's pending entries into the index (`gin_clean_pending_list`, a core function since PostgreSQL 9.6:
    /// https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-INDEX), after a write of many
    /// people. New entries go to a pending list first (GIN's `fastupdate`: a bulk insert of 100,000 people took 1.9 s
    /// with it, 12.3 s without), which every index scan reads whole until autovacuum (or an insert passing
    /// `gin_pending_list_limit`, 4 MB) moves it: with the 405 pages left after 100,000 inserts, one person's email
    /// cost 15.5 ms to find instead of 0.26 ms, and the planner, seeing them, preferred reading every row. Moving them
    /// took 57 ms. Best effort, after the write committed: a failure (the role does not own the index, the index was
    /// dropped) is logged at debug level and leaves the list to autovacuum.
    static func flushPending(_ database: PostgresDatabase) async {
        let logger = database.logger
        do {
            _ = try await database.read { connection in
                try await connection.query("SELECT gin_clean_pending_list(to_regclass(\(name)))", logger: logger)
            }
        } catch {
            logger.debug("the text index's pending entries stay for autovacuum", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// `identifier` as a double-quoted SQL identifier (`"` doubled).
    static func quotedIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
