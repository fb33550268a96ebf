import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, as an ordered list of migrations recorded in `schema_migration`. A shipped
/// migration is never edited: add a new one.
///
/// The tables hold what the SQLite schema holds (`Schema/Migrations.swift`), in PostgreSQL's conventions:
/// snake_case names, `boolean` flags (NULL means *unknown*, never guessed), `bytea` for sealed and hashed bytes,
/// times as `bigint` Unix milliseconds (the same instants, to the millisecond, as the SQLite store), Asana gids
/// and names as `text COLLATE "C"` so that ordering is by bytes, as in SQLite, whatever the database's locale.
/// `listUsers` orders by `lower(coalesce(name, ''))`, which under `"C"` folds ASCII letters only: SQLite's NOCASE.
///
/// Migrations run in one transaction each under a transaction-scoped advisory lock
/// (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS), so replicas that start
/// together apply each migration once.
enum PostgresMigrations {
    /// The advisory lock key migrations hold (an arbitrary constant: "asana-access migrate").
    static let lockKey: Int64 = 0x6173_616e_6d69_6772

    /// Every migration, oldest first: (identifier, SQL).
    static let all: [(id: String, sql: String)] = [("v1", v1), ("v2", v2Schedules), ("v3-team-listing", v3TeamListing),
                                                   ("v4-listing-indexes", v4ListingIndexes)]

    /// Whether the database holds a store: a `schema_migration` table with at least one migration applied.
    static func hasStore(_ database: PostgresDatabase) async throws -> Bool {
        let logger = database.logger
        return try await database.read { connection in
            let table = try await connection.query("SELECT to_regclass('schema_migration') IS NOT NULL AS present", logger: logger)
                .collect().first?.get("present", as: Bool.self) ?? false
            guard table else { return false }
            return try await connection.query("SELECT 1 FROM schema_migration LIMIT 1", logger: logger).collect().count > 0
        }
    }

    /// Brings the database to the current schema, then makes sure the text index exists when it can
    /// (``PostgresTextIndex/ensure(_:path:logger:)``: not a migration, because a database without pg_trgm gets the
    /// index at the first open after it became available). Returns what that found.
    /// - Throws: ``AccessStoreError/databaseTooNew(path:)`` when it records a migration this build does not know.
    @discardableResult
    static func migrate(_ database: PostgresDatabase) async throws -> PostgresTextIndex.Status {
        let logger = database.logger
        let location = database.location.redacted
        return try await database.write { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migration (id text PRIMARY KEY, applied_at bigint NOT NULL)
                """, logger: logger)
            var applied: Set<String> = []
            for try await id in try await connection.query("SELECT id FROM schema_migration", logger: logger).decode(String.self) {
                applied.insert(id)
            }
            let known = Set(all.map(\.id))
            guard applied.isSubset(of: known) else { throw AccessStoreError.databaseTooNew(path: location) }
            for migration in all where !applied.contains(migration.id) {
                for statement in statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migration (id, applied_at) VALUES (\(migration.id), \(UnixMillis.from(Date())))",
                    logger: logger)
            }
            return try await PostgresTextIndex.ensure(connection, path: location, logger: logger)
        }
    }

    /// The statements of a migration's SQL, one per `;` that ends a line (the extended query protocol that
    /// postgres-nio speaks runs one statement per query). Migrations put no such `;` inside a statement.
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { statement in
                statement.split(separator: "\n").contains { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            }
    }

    static let v1 = """
        -- Asana secrets, sealed with AES-256-GCM (nonce || ciphertext || tag) under the master key, which
        -- never enters the database.
        CREATE TABLE credential (
            workspace_gid text COLLATE "C" NOT NULL,
            purpose text NOT NULL CHECK (purpose IN ('provision', 'sync')),
            kind text NOT NULL CHECK (kind IN ('pat', 'oauth')),
            sealed bytea NOT NULL,
            key_version integer NOT NULL,
            fingerprint text NOT NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'reauthorizationRequired')),
            state_reason text,
            state_changed_at bigint,
            PRIMARY KEY (workspace_gid, purpose)
        );

        -- A known text sealed with the master key: opening the database with another key fails at once.
        CREATE TABLE master_key_check (
            singleton integer PRIMARY KEY CHECK (singleton = 1),
            sealed bytea NOT NULL,
            created_at bigint NOT NULL
        );

        -- Named leases with expiry on the database server's clock (see LeaseStore): one sync of a workspace, one
        -- run of an idempotency key at a time, across every replica.
        CREATE TABLE lease (
            name text COLLATE "C" PRIMARY KEY,
            holder text NOT NULL,
            expires_at bigint NOT NULL
        );

        CREATE TABLE workspace (
            gid text COLLATE "C" PRIMARY KEY,
            name text COLLATE "C" NOT NULL,
            is_organization boolean NOT NULL,
            last_synced_at bigint,
            last_sync_run_id bigint,
            history_from bigint,
            history_pruned_before bigint
        );

        -- People of a workspace: the last picture, kept (with departed_at) after they leave.
        CREATE TABLE workspace_user (
            workspace_gid text COLLATE "C" NOT NULL,
            gid text COLLATE "C" NOT NULL,
            name text COLLATE "C",
            email text COLLATE "C",
            is_active boolean,
            is_admin boolean,
            is_guest boolean,
            is_view_only boolean,
            first_seen_at bigint NOT NULL,
            last_seen_at bigint NOT NULL,
            departed_at bigint,
            changed_at bigint NOT NULL,
            added_at bigint NOT NULL,
            -- name and email in listUsers' search form (SearchKey: Swift's lowercased(), then NFC), written with them:
            -- PostgreSQL has no function that folds exactly as Swift does.
            name_key text,
            email_key text,
            PRIMARY KEY (workspace_gid, gid)
        );
        CREATE INDEX workspace_user_by_name ON workspace_user (workspace_gid, lower(coalesce(name, '')), gid);
        CREATE INDEX workspace_user_by_email ON workspace_user (workspace_gid, lower(email));

        CREATE TABLE team (
            workspace_gid text COLLATE "C" NOT NULL,
            gid text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            PRIMARY KEY (workspace_gid, gid)
        );

        CREATE TABLE team_membership (
            workspace_gid text COLLATE "C" NOT NULL,
            team_gid text COLLATE "C" NOT NULL,
            user_gid text COLLATE "C" NOT NULL,
            is_admin boolean,
            is_guest boolean,
            is_limited_access boolean,
            PRIMARY KEY (workspace_gid, team_gid, user_gid),
            FOREIGN KEY (workspace_gid, team_gid) REFERENCES team (workspace_gid, gid) ON DELETE CASCADE,
            FOREIGN KEY (workspace_gid, user_gid) REFERENCES workspace_user (workspace_gid, gid) ON DELETE CASCADE
        );
        CREATE INDEX team_membership_by_user ON team_membership (workspace_gid, user_gid);

        CREATE TABLE sync_run (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            workspace_gid text COLLATE "C" NOT NULL,
            run_trigger text NOT NULL,
            status text NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
            started_at bigint NOT NULL,
            finished_at bigint,
            count_users integer,
            count_added integer,
            count_updated integer,
            count_departed integer,
            count_teams integer,
            count_team_memberships integer,
            api_calls integer NOT NULL DEFAULT 0,
            rate_limited integer NOT NULL DEFAULT 0,
            error text
        );
        CREATE INDEX sync_run_by_workspace ON sync_run (workspace_gid, id);
        CREATE INDEX sync_run_running ON sync_run (id) WHERE status = 'running';

        -- Append-only log of mutating calls, chained by HMAC-SHA256 (see AuditChain). Ids are gapless: each
        -- append takes the head row's lock and writes id = last_id + 1.
        CREATE TABLE audit_event (
            id bigint PRIMARY KEY,
            at bigint NOT NULL,
            principal text NOT NULL,
            method text NOT NULL,
            params text NOT NULL,
            result text NOT NULL,
            outcome text NOT NULL,
            prev_hash bytea,
            hash bytea
        );
        CREATE INDEX audit_event_by_principal ON audit_event (principal, id);
        CREATE INDEX audit_event_by_method ON audit_event (method, id);
        CREATE INDEX audit_event_by_at ON audit_event (at);

        -- The chain's head: the last event's id and MAC (0 and zeros when the log is empty). Every append locks
        -- this row, so appends from any number of servers are serialized into one chain.
        CREATE TABLE audit_head (
            singleton integer PRIMARY KEY CHECK (singleton = 1),
            last_id bigint NOT NULL,
            hash bytea NOT NULL
        );
        INSERT INTO audit_head (singleton, last_id, hash) VALUES (1, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000');

        -- API tokens (aat_<id>_<secret>): only SHA-256 of the secret's text is kept; a revoked row stays.
        CREATE TABLE api_token (
            id text PRIMARY KEY,
            name text COLLATE "C" NOT NULL UNIQUE,
            role text NOT NULL CHECK (role IN ('reader', 'operator', 'admin')),
            secret_hash bytea NOT NULL,
            created_at bigint NOT NULL,
            last_used_at bigint,
            revoked_at bigint,
            expires_at bigint
        );

        -- Answers of calls made with an idempotency key, replayed for the same key and params until they expire.
        CREATE TABLE idempotency_record (
            key text PRIMARY KEY,
            method text NOT NULL,
            params_hash bytea NOT NULL,
            result text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL
        );
        CREATE INDEX idempotency_record_by_expiry ON idempotency_record (expires_at);

        -- OAuth apps registered with Asana: the client secret, sealed like a credential.
        CREATE TABLE oauth_client (
            client_id text COLLATE "C" PRIMARY KEY,
            sealed bytea NOT NULL,
            key_version integer NOT NULL,
            fingerprint text NOT NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL
        );

        -- Authorizations started and not yet finished, by SHA-256 of the state; the PKCE verifier sealed.
        CREATE TABLE oauth_flow (
            state_hash text PRIMARY KEY,
            workspace text NOT NULL,
            purpose text NOT NULL CHECK (purpose IN ('provision', 'sync')),
            client_id text NOT NULL,
            redirect_uri text NOT NULL,
            scopes text NOT NULL,
            sealed_verifier bytea NOT NULL,
            key_version integer NOT NULL,
            principal text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL
        );
        CREATE INDEX oauth_flow_by_expiry ON oauth_flow (expires_at);

        -- Write-ahead journal of provision's Asana writes: committed before each POST, resolved after.
        CREATE TABLE provision_intent (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            call_id text NOT NULL,
            principal text NOT NULL,
            idempotency_key text,
            workspace_gid text COLLATE "C" NOT NULL,
            operation text NOT NULL
                CHECK (operation IN ('workspace.addUser', 'workspace.removeUser', 'team.addUser', 'team.removeUser')),
            team_gid text COLLATE "C",
            email text NOT NULL,
            user_gid text COLLATE "C",
            user_ref text NOT NULL,
            attempt integer NOT NULL,
            created_at bigint NOT NULL,
            outcome text CHECK (outcome IN ('done', 'refused', 'unknown', 'applied', 'notApplied')),
            resolved_at bigint,
            reconcile_attempts integer NOT NULL DEFAULT 0,
            CHECK ((operation LIKE 'team.%') = (team_gid IS NOT NULL)),
            CHECK ((outcome IS NULL) = (resolved_at IS NULL))
        );
        CREATE INDEX provision_intent_open ON provision_intent (id) WHERE resolved_at IS NULL;
        CREATE INDEX provision_intent_by_call ON provision_intent (call_id);

        -- Access history: each person's workspace membership state over time, one row per interval
        -- [valid_from, valid_until) in which it did not change (valid_until NULL for the current one).
        CREATE TABLE workspace_user_interval (
            workspace_gid text COLLATE "C" NOT NULL,
            user_gid text COLLATE "C" NOT NULL,
            valid_from bigint NOT NULL,
            valid_until bigint,
            name text COLLATE "C",
            email text COLLATE "C",
            is_active boolean,
            is_admin boolean,
            is_guest boolean,
            is_view_only boolean,
            departed boolean NOT NULL,
            first_seen_at bigint NOT NULL,
            last_seen_at bigint,
            -- as in workspace_user
            name_key text,
            email_key text,
            PRIMARY KEY (workspace_gid, user_gid, valid_from),
            CHECK (valid_until IS NULL OR valid_until > valid_from)
        );
        CREATE INDEX workspace_user_interval_by_name
            ON workspace_user_interval (workspace_gid, lower(coalesce(name, '')), user_gid, valid_from);

        CREATE TABLE team_membership_interval (
            workspace_gid text COLLATE "C" NOT NULL,
            user_gid text COLLATE "C" NOT NULL,
            team_gid text COLLATE "C" NOT NULL,
            valid_from bigint NOT NULL,
            valid_until bigint,
            is_admin boolean,
            is_guest boolean,
            is_limited_access boolean,
            PRIMARY KEY (workspace_gid, user_gid, team_gid, valid_from),
            CHECK (valid_until IS NULL OR valid_until > valid_from)
        );
        CREATE INDEX team_membership_interval_by_team ON team_membership_interval (workspace_gid, team_gid, valid_from);

        CREATE TABLE team_interval (
            workspace_gid text COLLATE "C" NOT NULL,
            team_gid text COLLATE "C" NOT NULL,
            valid_from bigint NOT NULL,
            valid_until bigint,
            name text COLLATE "C" NOT NULL,
            PRIMARY KEY (workspace_gid, team_gid, valid_from),
            CHECK (valid_until IS NULL OR valid_until > valid_from)
        );

        -- One row per change seen, with its values before and after (JSON text, NULL for none) and its provenance.
        CREATE TABLE access_change (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            workspace_gid text COLLATE "C" NOT NULL,
            user_gid text COLLATE "C" NOT NULL,
            user_name text,
            user_email text,
            kind text NOT NULL,
            team_gid text,
            team_name text,
            before text,
            after text,
            observed_at bigint NOT NULL,
            not_before bigint,
            sync_run_id bigint,
            provision_call_id text,
            principal text
        );
        CREATE INDEX access_change_by_time ON access_change (workspace_gid, observed_at, id);
        CREATE INDEX access_change_by_user ON access_change (workspace_gid, user_gid, observed_at, id);
        """

    static let v2Schedules = """
        -- The sync schedule of each workspace (see ScheduleStore), shared by every replica and kept across restarts.
        -- A pause exists when paused_reason is set; capabilities are unknown (NULL) before a sync succeeded.
        CREATE TABLE workspace_schedule (
            workspace_gid text COLLATE "C" PRIMARY KEY,
            next_run_at bigint,
            paused_reason text,
            paused_fingerprint text,
            refused_fingerprint text,
            membership_flags_readable boolean,
            teams_readable boolean
        );
        """

    /// SQLite's `v15-team-listing`: a team's members in listing order from their own index. Without it the planner
    /// hash-joined the team's members with a scan of every person (100,000 people, a team of 810: 45 ms).
    static let v3TeamListing = """
        ALTER TABLE team_membership ADD COLUMN user_name text COLLATE "C";
        UPDATE team_membership tm SET user_name = u.name
            FROM workspace_user u WHERE u.workspace_gid = tm.workspace_gid AND u.gid = tm.user_gid;
        CREATE INDEX team_membership_by_member_name ON team_membership (workspace_gid, team_gid, lower(coalesce(user_name, '')), user_gid);
        -- One line: `statements` splits at a `;` that ends a line.
        CREATE FUNCTION workspace_user_renamed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            UPDATE team_membership SET user_name = NEW.name WHERE workspace_gid = NEW.workspace_gid AND user_gid = NEW.gid; RETURN NULL; END $$;
        CREATE TRIGGER workspace_user_renamed AFTER UPDATE OF name ON workspace_user
            FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name) EXECUTE FUNCTION workspace_user_renamed();
        """

    /// SQLite's `v14-listing-indexes`: the people with a rare flag value (admins, guests, inactive, unknown flags) in
    /// listing order, so that such a page reads its rows instead of the name index until enough match. The query
    /// writes the flag values as literals, which the planner proves these predicates from.
    static let v4ListingIndexes = """
        CREATE INDEX workspace_user_admins ON workspace_user (workspace_gid, lower(coalesce(name, '')), gid) WHERE is_admin;
        CREATE INDEX workspace_user_guests ON workspace_user (workspace_gid, lower(coalesce(name, '')), gid) WHERE is_guest;
        CREATE INDEX workspace_user_inactive ON workspace_user (workspace_gid, lower(coalesce(name, '')), gid) WHERE NOT is_active;
        CREATE INDEX workspace_user_flags_unknown ON workspace_user (workspace_gid, lower(coalesce(name, '')), gid)
            WHERE (is_active IS NULL OR is_admin IS NULL OR is_guest IS NULL OR is_view_only IS NULL);
        """
}
