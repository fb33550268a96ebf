import Foundation
import GRDB
import Logging
import PostgresNIO

/// Copies everything a SQLite store holds into an empty PostgreSQL store (`asana-accessd migrate-store`): row by
/// row, table by table, in ONE PostgreSQL transaction, so the target holds all of it or nothing.
///
/// Rows are copied as they are stored: sealed credentials and OAuth secrets stay sealed (both stores seal under the
/// same master key, which never enters either database), the audit log keeps its ids, times, texts and MACs (so its
/// chain verifies on the target), history keeps its intervals and changes, sync runs and provision intents their
/// ids (the identity sequences are moved past them). What is not copied: the master key check (the target has its
/// own, under the same key), the backup seal (a SQLite backup's), leases (running state of live servers), the retirement
/// marker (``StoreRetirement``, which `migrate-store` sets on the source afterwards), SQLite's own row keys
/// (``sqliteOnlyColumns``), its text index with its list of trigrams (`searchTrigram`) and the state of the listing
/// ranks that index is keyed by (`listingRankState`): PostgreSQL searches its own columns, ``derivedColumns``,
/// computed on the way, and indexes them with pg_trgm when it can (``PostgresTextIndex``).
///
/// SQLite's lowerCamelCase columns map to PostgreSQL's snake_case ones (`workspaceGid` → `workspace_gid`); 0/1
/// flags become booleans. Rows are read a page at a time in primary-key order, so memory stays bounded.
public enum StoreCopy {
    /// SQLite tables in the order they are copied (a team membership after its team and person), with the
    /// PostgreSQL table each goes to.
    static let tables: [(sqlite: String, postgres: String)] = [
        ("credential", "credential"), ("apiToken", "api_token"), ("idempotencyRecord", "idempotency_record"),
        ("oauthClient", "oauth_client"), ("oauthFlow", "oauth_flow"), ("workspace", "workspace"),
        ("workspaceUser", "workspace_user"), ("team", "team"), ("teamMembership", "team_membership"),
        ("syncRun", "sync_run"), ("auditEvent", "audit_event"), ("auditHead", "audit_head"),
        ("provisionIntent", "provision_intent"), ("workspaceUserInterval", "workspace_user_interval"),
        ("teamMembershipInterval", "team_membership_interval"), ("teamInterval", "team_interval"),
        ("accessChange", "access_change"), ("workspaceSchedule", "workspace_schedule"),
    ]
    /// SQLite columns PostgreSQL has no counterpart of, not copied: `workspaceUser.id`, the SQLite row key (migration
    /// v16), `workspaceUser.listingRank`, the listing rank its text index is keyed by (v18), and
    /// `teamMembership.teamName`, the copy of a team's name that orders a person's teams in SQLite's index (v17;
    /// PostgreSQL joins the team).
    static let sqliteOnlyColumns: Set<String> = ["workspaceUser.id", "workspaceUser.listingRank", "teamMembership.teamName"]
    /// PostgreSQL columns SQLite has no counterpart of, computed from the copied row: the ``SearchKey`` form of the name
    /// and email that `listUsers`' query searches (`name_key`, `email_key`: SQLite computes it as it searches).
    static let derivedColumns: [String: [(column: String, from: String)]] = [
        "workspace_user": [("name_key", "name"), ("email_key", "email")],
        "workspace_user_interval": [("name_key", "name"), ("email_key", "email")],
    ]
    /// PostgreSQL tables whose `id` is an identity column: inserted with `OVERRIDING SYSTEM VALUE`, then the
    /// sequence is moved to the largest id.
    static let identityTables: Set<String> = ["sync_run", "provision_intent", "access_change"]
    /// Rows per read from SQLite and per INSERT (PostgreSQL allows 65,535 bound values per statement).
    static let pageRows = 500

    /// What was copied: rows per PostgreSQL table.
    public struct Summary: Sendable, Equatable {
        public var rows: [String: Int]
        public var total: Int { rows.values.reduce(0, +) }
    }

    /// Copies `source` into `target`, which must hold no data yet (a database `connect` has only migrated).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the target already holds rows (naming a table) or a
    ///   column has no counterpart; what either database throws. On any error the target is left as it was.
    public static func copy(from source: SQLiteAccessStore, to target: PostgresAccessStore) async throws -> Summary {
        let logger = target.logger
        let reader = source.dbWriter
        let summary = try await target.database.write { connection in
            for table in tables.map(\.postgres) where table != "audit_head" {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger: logger).collect()
                guard rows.isEmpty else {
                    throw AccessStoreError.invalidArgument("the target database already holds data (table \(table)): migrate-store copies into an empty one only")
                }
            }
            let head = try await connection.query("SELECT last_id FROM audit_head", logger: logger).collect()
            guard try head.allSatisfy({ try $0.get("last_id", as: Int64.self) == 0 }) else {
                throw AccessStoreError.invalidArgument("the target database already holds audit events: migrate-store copies into an empty one only")
            }
            var summary = Summary(rows: [:])
            for (sqliteTable, postgresTable) in tables {
                let types = try await columnTypes(connection, table: postgresTable, logger: logger)
                let (columns, keyColumns) = try await reader.read { db -> ([String], [String]) in
                    let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(sqliteTable))")
                    let names: [String] = info.map { $0["name"] as String }.filter { !sqliteOnlyColumns.contains("\(sqliteTable).\($0)") }
                    let keys = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] as String }
                    return (names, keys.isEmpty ? ["rowid"] : keys)
                }
                let targetColumns = try columns.map { column -> String in
                    let name = snakeCase(column)
                    guard types[name] != nil else {
                        throw AccessStoreError.invalidArgument("the SQLite column \(sqliteTable).\(column) has no PostgreSQL column \(postgresTable).\(name)")
                    }
                    return name
                }
                let derived = derivedColumns[postgresTable] ?? []
                let derivedSources = try derived.map { derived -> Int in
                    guard let index = columns.firstIndex(of: derived.from) else {
                        throw AccessStoreError.invalidArgument("the SQLite table \(sqliteTable) has no column \(derived.from) to compute \(postgresTable).\(derived.column) from")
                    }
                    return index
                }
                var after: [DatabaseValue]? = nil
                var copied = 0
                while true {
                    let cursor = after
                    let page = try await reader.read { db -> [[DatabaseValue]] in
                        let keyList = keyColumns.map { "\"\($0)\"" }.joined(separator: ", ")
                        let selected = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                        var sql = "SELECT \(selected), \(keyList) FROM \(sqliteTable)"
                        var arguments = StatementArguments()
                        if let cursor {
                            sql += " WHERE (\(keyList)) > (\(databaseQuestionMarks(count: keyColumns.count)))"
                            arguments = StatementArguments(cursor)
                        }
                        sql += " ORDER BY \(keyList) LIMIT \(pageRows)"
                        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                            (0..<row.count).map { row[$0] as DatabaseValue }
                        }
                    }
                    guard !page.isEmpty else { break }
                    let rows = page.map { row in
                        let values = Array(row.prefix(columns.count))
                        return values + derivedSources.map { index in
                            String.fromDatabaseValue(values[index]).map { SearchKey.of($0).databaseValue } ?? .null
                        }
                    }
                    try await insert(rows, into: postgresTable, columns: targetColumns + derived.map(\.column),
                                     types: types, connection: connection, logger: logger)
                    copied += page.count
                    after = Array(page[page.count - 1].suffix(keyColumns.count))
                }
                if identityTables.contains(postgresTable) {
                    try await connection.query(PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(postgresTable)', 'id'), greatest((SELECT max(id) FROM \(postgresTable)), 1), (SELECT max(id) FROM \(postgresTable)) IS NOT NULL)
                        """), logger: logger)
                }
                summary.rows[postgresTable] = copied
            }
            // Table statistics for the planner, committed with the rows: without them the servers started on the
            // copy plan as if the tables were empty until autovacuum's first ANALYZE (up to a minute or more): a
            // listUsers page of 100,000 people took 70 ms instead of 4 (Benchmarks/RESULTS.md, session 9).
            try await connection.query("ANALYZE", logger: logger)
            return summary
        }
        if target.textIndex { await PostgresTextIndex.flushPending(target.database) }
        return summary
    }

    /// `workspaceGid` → `workspace_gid`.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The data type of each column of `table` (`information_schema.columns.data_type`).
    static func columnTypes(_ connection: PostgresConnection, table: String, logger: Logger) async throws -> [String: String] {
        var types: [String: String] = [:]
        for row in try await connection.query("""
            SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)
            """, logger: logger).collect() {
            types[try row.get("column_name", as: String.self)] = try row.get("data_type", as: String.self)
        }
        return types
    }

    /// One multi-row INSERT of `rows` (SQLite values converted to the target columns' types); the audit head,
    /// which the target already has, is replaced instead.
    static func insert(_ rows: [[DatabaseValue]], into table: String, columns: [String], types: [String: String],
                       connection: PostgresConnection, logger: Logger) async throws {
        var bindings = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        for row in rows {
            var placeholders: [String] = []
            for (index, value) in row.enumerated() {
                try bind(value, as: types[columns[index]] ?? "text", column: "\(table).\(columns[index])", into: &bindings)
                placeholders.append("$\(bindings.count)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let columnList = columns.joined(separator: ", ")
        let overriding = identityTables.contains(table) ? " OVERRIDING SYSTEM VALUE" : ""
        var sql = "INSERT INTO \(table) (\(columnList))\(overriding) VALUES " + tuples.joined(separator: ", ")
        if table == "audit_head" {
            sql += " ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash"
        }
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }

    /// Appends `value` bound as the PostgreSQL type `type`.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the SQLite value cannot be that type.
    static func bind(_ value: DatabaseValue, as type: String, column: String, into bindings: inout PostgresBindings) throws {
        func mismatch() -> AccessStoreError {
            .invalidArgument("the SQLite value \(value) of \(column) cannot be stored as \(type)")
        }
        switch (value.storage, type) {
        case (.null, _):
            bindings.appendNull()
        case (.int64(let number), "boolean"):
            guard number == 0 || number == 1 else { throw mismatch() }
            bindings.append(number == 1)
        case (.int64(let number), "bigint"):
            bindings.append(number)
        case (.int64(let number), "integer"):
            guard let small = Int32(exactly: number) else { throw mismatch() }
            bindings.append(small)
        case (.string(let text), "text"):
            bindings.append(text)
        case (.blob(let data), "bytea"):
            try bindings.append(data)
        case (.string(let text), "bytea"):
            try bindings.append(Data(text.utf8))
        default:
            throw mismatch()
        }
    }
}
