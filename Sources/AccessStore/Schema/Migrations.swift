import Foundation
import GRDB

/// The schema, as a `DatabaseMigrator`. A shipped migration is never edited: add a new one.
///
/// Conventions: table and column names in lowerCamelCase; dates are INTEGER Unix milliseconds
/// (see `UnixMillis`); booleans are INTEGER 0/1 and NULL means *unknown* (never guessed);
/// Asana gids are TEXT.
enum Migrations {
    /// The migrator. `masterKey` is the store's key: migration v8 derives the audit key from it to
    /// re-MAC the audit chain (see `AuditChain`).
    static func migrator(masterKey: MasterKey) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // No `eraseDatabaseOnSchemaChange`: debug builds would wipe the credential store.
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3)
            // Chain the events already logged, oldest first, and write the head.
            try AuditChain.chainExistingEvents(db)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("v6") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("v7") { db in
            try db.execute(sql: v7)
        }
        migrator.registerMigration(v8Identifier) { db in
            try db.execute(sql: v8)
            // Re-MAC the unkeyed chain once under the audit key; records what the unkeyed check found.
            try AuditChain.keyExistingChain(db, masterKey: masterKey, at: Date())
        }
        // Depends on v1..v7 only (a new table), so it may run before or after any other branch's v8.
        migrator.registerMigration("v9-provision-intents") { db in
            try db.execute(sql: v9ProvisionIntents)
        }
        migrator.registerMigration("v10-history") { db in
            try db.execute(sql: v10History)
            try HistoryBackfill.run(db, at: UnixMillis.from(Date()))
        }
        migrator.registerMigration("v11-leases") { db in
            try db.execute(sql: v11Leases)
        }
        migrator.registerMigration("v12-schedules") { db in
            try db.execute(sql: v12Schedules)
        }
        migrator.registerMigration("v13-retirement") { db in
            try db.execute(sql: v13Retirement)
        }
        migrator.registerMigration("v14-listing-indexes") { db in
            try db.execute(sql: v14ListingIndexes)
        }
        migrator.registerMigration("v15-team-listing") { db in
            try db.execute(sql: v15TeamListing)
        }
        // Depends on workspaceUser (v1) and the `searchKey` SQL function only.
        migrator.registerMigration("v16-search-index") { db in
            try keepWorkspaceUserRowIDs(db)
            try db.execute(sql: v16SearchIndex)
        }
        migrator.registerMigration("v17-team-names") { db in
            try db.execute(sql: v17TeamNames)
        }
        // Leaves the ranks stale: v19 ranks everyone (ListingRank.refresh writes the index as v19 has it).
        migrator.registerMigration("v18-listing-rank") { db in
            try db.execute(sql: v18ListingRank)
        }
        // Depends on the `searchKey` and `searchTrigrams` SQL functions.
        migrator.registerMigration("v19-search-trigrams") { db in
            try db.execute(sql: v19SearchTrigrams)
            try ListingRank.refresh(db)
        }
        return migrator
    }

    static let v1 = """
        -- Asana secrets, sealed with AES-256-GCM (SealedBox.combined = nonce || ciphertext || tag).
        CREATE TABLE credential (
            workspaceGid TEXT NOT NULL,
            purpose TEXT NOT NULL CHECK (purpose IN ('provision', 'sync')),
            kind TEXT NOT NULL CHECK (kind IN ('pat', 'oauth')),
            sealed BLOB NOT NULL,
            keyVersion INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            createdAt INTEGER NOT NULL,
            updatedAt INTEGER NOT NULL,
            PRIMARY KEY (workspaceGid, purpose)
        );

        -- One row per synced workspace.
        CREATE TABLE workspace (
            gid TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            isOrganization INTEGER NOT NULL,
            lastSyncedAt INTEGER,
            lastSyncRunId INTEGER
        );

        -- People of a workspace: the last picture, kept (with departedAt) after they leave.
        CREATE TABLE workspaceUser (
            workspaceGid TEXT NOT NULL,
            gid TEXT NOT NULL,
            name TEXT,
            email TEXT,
            isActive INTEGER,
            isAdmin INTEGER,
            isGuest INTEGER,
            isViewOnly INTEGER,
            firstSeenAt INTEGER NOT NULL,
            lastSeenAt INTEGER NOT NULL,
            departedAt INTEGER,
            PRIMARY KEY (workspaceGid, gid)
        );
        -- listUsers order and keyset pagination: (name COLLATE NOCASE, gid) within a workspace.
        CREATE INDEX workspaceUser_byName ON workspaceUser (workspaceGid, ifnull(name, '') COLLATE NOCASE, gid);
        CREATE INDEX workspaceUser_byEmail ON workspaceUser (workspaceGid, email COLLATE NOCASE);

        CREATE TABLE team (
            workspaceGid TEXT NOT NULL,
            gid TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (workspaceGid, gid)
        );

        CREATE TABLE teamMembership (
            workspaceGid TEXT NOT NULL,
            teamGid TEXT NOT NULL,
            userGid TEXT NOT NULL,
            isAdmin INTEGER,
            isGuest INTEGER,
            isLimitedAccess INTEGER,
            PRIMARY KEY (workspaceGid, teamGid, userGid),
            FOREIGN KEY (workspaceGid, teamGid) REFERENCES team (workspaceGid, gid) ON DELETE CASCADE,
            FOREIGN KEY (workspaceGid, userGid) REFERENCES workspaceUser (workspaceGid, gid) ON DELETE CASCADE
        );
        CREATE INDEX teamMembership_byUser ON teamMembership (workspaceGid, userGid);

        CREATE TABLE syncRun (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            workspaceGid TEXT NOT NULL,
            runTrigger TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
            startedAt INTEGER NOT NULL,
            finishedAt INTEGER,
            countUsers INTEGER,
            countAdded INTEGER,
            countUpdated INTEGER,
            countDeparted INTEGER,
            countTeams INTEGER,
            countTeamMemberships INTEGER,
            apiCalls INTEGER NOT NULL DEFAULT 0,
            error TEXT
        );
        CREATE INDEX syncRun_byWorkspace ON syncRun (workspaceGid, id);
        CREATE INDEX syncRun_byStatus ON syncRun (status);

        -- Append-only log of mutating calls. params/result are JSON text with secrets redacted.
        CREATE TABLE auditEvent (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            principal TEXT NOT NULL,
            method TEXT NOT NULL,
            params TEXT NOT NULL,
            result TEXT NOT NULL,
            outcome TEXT NOT NULL
        );
        """

    static let v2 = """
        -- API tokens (`aat_<id>_<secret>`): only SHA-256 of the secret's text is kept. A revoked row
        -- stays (revokedAt set), so its name is never reused.
        CREATE TABLE apiToken (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('reader', 'operator', 'admin')),
            secretHash BLOB NOT NULL,
            createdAt INTEGER NOT NULL,
            lastUsedAt INTEGER,
            revokedAt INTEGER
        );
        """

    static let v3 = """
        -- Hash chain over the audit log (see AuditChain): each event's hash covers its fields and
        -- the previous event's hash (32 zero bytes before the first). NULL only on rows altered
        -- outside the store; the migration fills both for existing rows.
        ALTER TABLE auditEvent ADD COLUMN prevHash BLOB;
        ALTER TABLE auditEvent ADD COLUMN hash BLOB;

        -- The chain's head: id and hash of the last event (0 and zeros when the log is empty),
        -- moved in the same transaction as each append, so a deleted tail is detected.
        CREATE TABLE auditHead (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            lastId INTEGER NOT NULL,
            hash BLOB NOT NULL
        );

        -- listAuditEvents filters, newest first.
        CREATE INDEX auditEvent_byPrincipal ON auditEvent (principal, id);
        CREATE INDEX auditEvent_byMethod ON auditEvent (method, id);
        CREATE INDEX auditEvent_byAt ON auditEvent (at);
        """

    static let v4 = """
        -- A known text sealed with the master key (see MasterKeyCheck): opening the database
        -- with another key fails at once.
        CREATE TABLE masterKeyCheck (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            sealed BLOB NOT NULL,
            createdAt INTEGER NOT NULL
        );
        """

    static let v5 = """
        -- Answers of calls made with an idempotency key, replayed for the same key and params until they expire.
        CREATE TABLE idempotencyRecord (
            key TEXT PRIMARY KEY,
            method TEXT NOT NULL,
            paramsHash BLOB NOT NULL,
            result TEXT NOT NULL,
            createdAt INTEGER NOT NULL,
            expiresAt INTEGER NOT NULL
        );
        CREATE INDEX idempotencyRecord_byExpiry ON idempotencyRecord (expiresAt);
        """

    static let v6 = """
        -- listUsers changedSince: when each row last changed (added; name, email, flags or team
        -- memberships changed; departed or returned), and when its current presence began (added,
        -- or back after having departed). Existing rows: first seen, or departed when later.
        ALTER TABLE workspaceUser ADD COLUMN changedAt INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE workspaceUser ADD COLUMN addedAt INTEGER NOT NULL DEFAULT 0;
        UPDATE workspaceUser SET changedAt = max(firstSeenAt, ifnull(departedAt, firstSeenAt)), addedAt = firstSeenAt;
        """

    static let v7 = """
        -- OAuth (issue 4). A credential's state: 'reauthorizationRequired' once Asana refused its
        -- refresh token (invalid_grant); storing a credential again makes it 'active'.
        ALTER TABLE credential ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
            CHECK (state IN ('active', 'reauthorizationRequired'));
        ALTER TABLE credential ADD COLUMN stateReason TEXT;
        ALTER TABLE credential ADD COLUMN stateChangedAt INTEGER;

        -- OAuth apps registered with Asana: the client secret, sealed like a credential.
        CREATE TABLE oauthClient (
            clientId TEXT NOT NULL PRIMARY KEY,
            sealed BLOB NOT NULL,
            keyVersion INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            createdAt INTEGER NOT NULL,
            updatedAt INTEGER NOT NULL
        );

        -- Authorizations started by oauthStart and not yet finished: looked up by SHA-256 of the
        -- state (the state itself is not kept); the PKCE verifier is sealed. Single use, expiring.
        CREATE TABLE oauthFlow (
            stateHash TEXT NOT NULL PRIMARY KEY,
            workspace TEXT NOT NULL,
            purpose TEXT NOT NULL CHECK (purpose IN ('provision', 'sync')),
            clientId TEXT NOT NULL,
            redirectUri TEXT NOT NULL,
            scopes TEXT NOT NULL,
            sealedVerifier BLOB NOT NULL,
            keyVersion INTEGER NOT NULL,
            principal TEXT NOT NULL,
            createdAt INTEGER NOT NULL,
            expiresAt INTEGER NOT NULL
        );
        CREATE INDEX oauthFlow_byExpiry ON oauthFlow (expiresAt);

        -- 429 answers Asana gave during each sync run.
        ALTER TABLE syncRun ADD COLUMN rateLimited INTEGER NOT NULL DEFAULT 0;
        """

    /// Token expiry and the keyed audit chain (issue 10, items 8 and 11). Self-contained: later
    /// migrations (audit intents) come after it.
    static let v8Identifier = "v8-token-expiry-keyed-audit"

    static let v8 = """
        -- API tokens may expire (Unix ms); NULL never expires. An expired token verifies like a wrong one.
        ALTER TABLE apiToken ADD COLUMN expiresAt INTEGER;
        """

    static let v9ProvisionIntents = """
        -- Write-ahead journal of provision's Asana writes (issue 10 item 6). A row is committed before
        -- each POST is sent and gets its outcome after; rows still without an outcome when the server
        -- starts are reconciled by reading Asana. Each step is also an audit event (provision.intent,
        -- provision.outcome, provision.reconciled); the rows only say which intents are still open.
        CREATE TABLE provisionIntent (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            callId TEXT NOT NULL,
            principal TEXT NOT NULL,
            idempotencyKey TEXT,
            workspaceGid TEXT NOT NULL,
            operation TEXT NOT NULL
                CHECK (operation IN ('workspace.addUser', 'workspace.removeUser', 'team.addUser', 'team.removeUser')),
            teamGid TEXT,
            email TEXT NOT NULL,
            userGid TEXT,
            userRef TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            createdAt INTEGER NOT NULL,
            outcome TEXT CHECK (outcome IN ('done', 'refused', 'unknown', 'applied', 'notApplied')),
            resolvedAt INTEGER,
            reconcileAttempts INTEGER NOT NULL DEFAULT 0,
            CHECK ((operation LIKE 'team.%') = (teamGid IS NOT NULL)),
            CHECK ((outcome IS NULL) = (resolvedAt IS NULL))
        );
        CREATE INDEX provisionIntent_open ON provisionIntent (id) WHERE resolvedAt IS NULL;
        CREATE INDEX provisionIntent_byCall ON provisionIntent (callId);
        """

    static let v10History = """
        -- Access history (issue 13), written in proportion to change: a sync that sees no change adds no row.
        -- Each person's workspace membership state over time: one row per interval [validFrom, validUntil)
        -- in which it did not change; validUntil NULL for the current one. A departure opens a row with
        -- departed = 1, so at any instant after a person was first seen exactly one row covers them, like
        -- the workspaceUser table does now. lastSeenAt: on departed rows, the last time a sync or provision
        -- saw them present (on present rows it follows from the run an answer stands on).
        CREATE TABLE workspaceUserInterval (
            workspaceGid TEXT NOT NULL,
            userGid TEXT NOT NULL,
            validFrom INTEGER NOT NULL,
            validUntil INTEGER,
            name TEXT,
            email TEXT,
            isActive INTEGER,
            isAdmin INTEGER,
            isGuest INTEGER,
            isViewOnly INTEGER,
            departed INTEGER NOT NULL CHECK (departed IN (0, 1)),
            firstSeenAt INTEGER NOT NULL,
            lastSeenAt INTEGER,
            PRIMARY KEY (workspaceGid, userGid, validFrom),
            CHECK (validUntil IS NULL OR validUntil > validFrom)
        ) WITHOUT ROWID;
        -- listUsers {asOf}: the same order and keyset paging as workspaceUser_byName.
        CREATE INDEX workspaceUserInterval_byName
            ON workspaceUserInterval (workspaceGid, ifnull(name, '') COLLATE NOCASE, userGid, validFrom);

        -- Team memberships over time, with the rights they gave.
        CREATE TABLE teamMembershipInterval (
            workspaceGid TEXT NOT NULL,
            userGid TEXT NOT NULL,
            teamGid TEXT NOT NULL,
            validFrom INTEGER NOT NULL,
            validUntil INTEGER,
            isAdmin INTEGER,
            isGuest INTEGER,
            isLimitedAccess INTEGER,
            PRIMARY KEY (workspaceGid, userGid, teamGid, validFrom),
            CHECK (validUntil IS NULL OR validUntil > validFrom)
        ) WITHOUT ROWID;
        CREATE INDEX teamMembershipInterval_byTeam ON teamMembershipInterval (workspaceGid, teamGid, validFrom);

        -- Team names over time (a deleted team's interval is closed, so old pictures still name it).
        CREATE TABLE teamInterval (
            workspaceGid TEXT NOT NULL,
            teamGid TEXT NOT NULL,
            validFrom INTEGER NOT NULL,
            validUntil INTEGER,
            name TEXT NOT NULL,
            PRIMARY KEY (workspaceGid, teamGid, validFrom),
            CHECK (validUntil IS NULL OR validUntil > validFrom)
        ) WITHOUT ROWID;

        -- One row per change seen (listAccessChanges), with its values before and after (JSON objects,
        -- NULL for "none": before a join, after a departure) and its provenance: a sync run (observedAt
        -- = the run's commit time, notBefore = the workspace's previous sync, NULL on the first) or a
        -- provision (observedAt = notBefore = its time; its principal and call id).
        CREATE TABLE accessChange (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            workspaceGid TEXT NOT NULL,
            userGid TEXT NOT NULL,
            userName TEXT,
            userEmail TEXT,
            kind TEXT NOT NULL,
            teamGid TEXT,
            teamName TEXT,
            "before" TEXT,
            "after" TEXT,
            observedAt INTEGER NOT NULL,
            notBefore INTEGER,
            syncRunId INTEGER,
            provisionCallId TEXT,
            principal TEXT
        );
        CREATE INDEX accessChange_byTime ON accessChange (workspaceGid, observedAt, id);
        CREATE INDEX accessChange_byUser ON accessChange (workspaceGid, userGid, observedAt, id);

        -- From when the history of a workspace is complete: its first sync, or for a workspace synced
        -- before history was kept, this migration (earlier pictures are the stored state carried back
        -- to firstSeenAt, not what was seen then).
        ALTER TABLE workspace ADD COLUMN historyFrom INTEGER;
        -- History before this was pruned (serve --history-retention): pictures before it are not kept.
        ALTER TABLE workspace ADD COLUMN historyPrunedBefore INTEGER;
        """

    static let v11Leases = """
        -- Named leases with expiry (see LeaseStore): one sync of a workspace, one run of an idempotency key at a time.
        CREATE TABLE lease (
            name TEXT NOT NULL PRIMARY KEY,
            holder TEXT NOT NULL,
            expiresAt INTEGER NOT NULL
        );
        """

    static let v12Schedules = """
        -- The sync schedule of each workspace (see ScheduleStore), kept across restarts. A pause exists when
        -- pausedReason is set; capabilities are unknown (NULL) before a sync succeeded.
        CREATE TABLE workspaceSchedule (
            workspaceGid TEXT NOT NULL PRIMARY KEY,
            nextRunAt INTEGER,
            pausedReason TEXT,
            pausedFingerprint TEXT,
            refusedFingerprint TEXT,
            membershipFlagsReadable INTEGER,
            teamsReadable INTEGER
        );
        """

    static let v13Retirement = """
        -- Set by migrate-store once the store was copied into PostgreSQL (see StoreRetirement): the copy is the
        -- store from then on, and commands refuse to open this one so that the two cannot fork.
        CREATE TABLE storeRetirement (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            movedTo TEXT NOT NULL,
            retiredAt INTEGER NOT NULL
        );
        """

    static let v14ListingIndexes = """
        -- listUsers filtered by a rare flag value (admins, guests, people no longer active, unknown flags): the
        -- people who have it, in listing order, so that a page reads its 100 rows instead of scanning the name
        -- index until 100 match (at 100,000 people: admins 19 ms -> 0.5 ms; inactive, none: 158 ms -> 0.01 ms).
        -- Partial indexes: SQLite uses one when the query's WHERE holds the same term, written as a literal
        -- (UserReader inlines the flag values). The common values (not admin, active, not a guest) are most
        -- people: the name index finds a page of them at once.
        CREATE INDEX workspaceUser_admins ON workspaceUser (workspaceGid, ifnull(name, '') COLLATE NOCASE, gid) WHERE isAdmin = 1;
        CREATE INDEX workspaceUser_guests ON workspaceUser (workspaceGid, ifnull(name, '') COLLATE NOCASE, gid) WHERE isGuest = 1;
        CREATE INDEX workspaceUser_inactive ON workspaceUser (workspaceGid, ifnull(name, '') COLLATE NOCASE, gid) WHERE isActive = 0;
        CREATE INDEX workspaceUser_flagsUnknown ON workspaceUser (workspaceGid, ifnull(name, '') COLLATE NOCASE, gid)
            WHERE (isActive IS NULL OR isAdmin IS NULL OR isGuest IS NULL OR isViewOnly IS NULL);
        """

    static let v15TeamListing = """
        -- listUsers filtered by a team: the team's members in listing order, so that a page seeks to its cursor and
        -- reads its 100 members instead of scanning the whole workspace's name index until 100 of them are found
        -- (at 100,000 people and a team of 810: 4.8 ms -> 0.2 ms). An index can only hold its own table's
        -- columns, so each membership keeps a copy of its member's name: written with the membership
        -- (SnapshotWriter), kept equal by the trigger below when the person's name changes.
        ALTER TABLE teamMembership ADD COLUMN userName TEXT;
        UPDATE teamMembership SET userName =
            (SELECT name FROM workspaceUser u WHERE u.workspaceGid = teamMembership.workspaceGid AND u.gid = teamMembership.userGid);
        CREATE INDEX teamMembership_byMemberName ON teamMembership (workspaceGid, teamGid, ifnull(userName, '') COLLATE NOCASE, userGid);
        CREATE TRIGGER workspaceUser_renamed AFTER UPDATE OF name ON workspaceUser WHEN NEW.name IS NOT OLD.name
        BEGIN
            UPDATE teamMembership SET userName = NEW.name WHERE workspaceGid = NEW.workspaceGid AND userGid = NEW.gid;
        END;
        """

    /// Rebuilds `workspaceUser` with `id INTEGER PRIMARY KEY`, each row keeping its rowid, so that its rowids
    /// (which the text index of v16 refers to) are stable: "The VACUUM command may change the ROWIDs of entries in
    /// any tables that do not have an explicit INTEGER PRIMARY KEY" (https://www.sqlite.org/lang_vacuum.html).
    /// `(workspaceGid, gid)` stays unique (what the upserts and team memberships' foreign keys name). SQLite's
    /// procedure for a table change (https://www.sqlite.org/lang_altertable.html#otheralter): new table, copy,
    /// drop, rename, then the table's indexes and triggers again; GRDB runs a migration with foreign keys off and
    /// checks them all before it commits, so dropping the old table deletes no team membership.
    static func keepWorkspaceUserRowIDs(_ db: Database) throws {
        let dependents = try String.fetchAll(db, sql: """
            SELECT sql FROM sqlite_master WHERE tbl_name = 'workspaceUser' AND type IN ('index', 'trigger') AND sql IS NOT NULL
            """)
        try db.execute(sql: """
            CREATE TABLE workspaceUser_new (
                workspaceGid TEXT NOT NULL,
                gid TEXT NOT NULL,
                name TEXT,
                email TEXT,
                isActive INTEGER,
                isAdmin INTEGER,
                isGuest INTEGER,
                isViewOnly INTEGER,
                firstSeenAt INTEGER NOT NULL,
                lastSeenAt INTEGER NOT NULL,
                departedAt INTEGER,
                changedAt INTEGER NOT NULL DEFAULT 0,
                addedAt INTEGER NOT NULL DEFAULT 0,
                id INTEGER PRIMARY KEY,
                UNIQUE (workspaceGid, gid)
            );
            INSERT INTO workspaceUser_new (workspaceGid, gid, name, email, isActive, isAdmin, isGuest, isViewOnly,
                                           firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt, id)
                SELECT workspaceGid, gid, name, email, isActive, isAdmin, isGuest, isViewOnly,
                       firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt, rowid
                FROM workspaceUser;
            DROP TABLE workspaceUser;
            ALTER TABLE workspaceUser_new RENAME TO workspaceUser;
            """)
        for sql in dependents { try db.execute(sql: sql) }
    }

    static let v16SearchIndex = """
        -- listUsers' `query` (a substring of a person's name or email, in SearchKey form): a trigram index of the
        -- searchKey form of both, so that a rare text reads its few matches instead of every person of the
        -- workspace (at 100,000 people, one person's email: 189 -> 4.5 ms a page; Benchmarks/RESULTS.md, session 9).
        -- The text is lowercase NFC on both sides, hence `case_sensitive 1` (no second folding); the index is a
        -- prefilter, the exact `instr(searchKey(...), ?)` test of UserReader the final check (one phrase of a short
        -- text matches exactly, and skips it: SearchIndex.matchIsExact). A phrase never
        -- spans two columns, so a text made of a name's end and an email's start does not match.
        -- Rows are workspaceUser's rowids: its `id INTEGER PRIMARY KEY` (keepWorkspaceUserRowIDs, run just before),
        -- which VACUUM keeps (a test runs VACUUM).
        -- Kept in step by triggers, the one place every write of workspaceUser passes: they call the searchKey
        -- function, so a connection that writes workspaceUser must have it (every store connection does:
        -- SQLiteAccessStore.makeConfiguration). A rename that changes nothing (the same name and email) costs no
        -- index write. FTS5 writes its pending entries out at each statement that fires a trigger, so a bulk write
        -- goes many rows a statement (SnapshotWriter.insertBatch).
        CREATE VIRTUAL TABLE workspaceUserSearch USING fts5(nameKey, emailKey, tokenize = 'trigram case_sensitive 1');
        INSERT INTO workspaceUserSearch (rowid, nameKey, emailKey) SELECT rowid, searchKey(name), searchKey(email) FROM workspaceUser;
        CREATE TRIGGER workspaceUserSearch_insert AFTER INSERT ON workspaceUser BEGIN
            INSERT INTO workspaceUserSearch (rowid, nameKey, emailKey) VALUES (new.rowid, searchKey(new.name), searchKey(new.email));
        END;
        CREATE TRIGGER workspaceUserSearch_delete AFTER DELETE ON workspaceUser BEGIN
            DELETE FROM workspaceUserSearch WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER workspaceUserSearch_update AFTER UPDATE OF name, email ON workspaceUser
            WHEN new.name IS NOT old.name OR new.email IS NOT old.email BEGIN
            UPDATE workspaceUserSearch SET nameKey = searchKey(new.name), emailKey = searchKey(new.email) WHERE rowid = new.rowid;
        END;
        """

    static let v17TeamNames = """
        -- listUsers' teams of a page: each person's team memberships in team-name order, read from one index with
        -- nothing else looked up. Before, each membership was found through the person's index, then its row, then
        -- its team's key, then the team's row (four searches), and all of them sorted: at 100,000 people, the teams of
        -- a page of a team's 100 members (243 memberships) 0.37 -> 0.22 ms in SQLite alone. As v15 did for a
        -- member's name, each membership keeps a copy of its team's name: written with the membership
        -- (SnapshotWriter), kept equal by the trigger below when the team is renamed. The index replaces
        -- teamMembership_byUser (same leading columns: every lookup by person still uses it).
        ALTER TABLE teamMembership ADD COLUMN teamName TEXT;
        UPDATE teamMembership SET teamName =
            (SELECT name FROM team t WHERE t.workspaceGid = teamMembership.workspaceGid AND t.gid = teamMembership.teamGid);
        DROP INDEX teamMembership_byUser;
        CREATE INDEX teamMembership_byUser
            ON teamMembership (workspaceGid, userGid, teamName COLLATE NOCASE, teamGid, isAdmin, isGuest, isLimitedAccess);
        CREATE TRIGGER team_renamed AFTER UPDATE OF name ON team WHEN NEW.name IS NOT OLD.name
        BEGIN
            UPDATE teamMembership SET teamName = NEW.name WHERE workspaceGid = NEW.workspaceGid AND teamGid = NEW.gid;
        END;
        """

    static let v18ListingRank = """
        -- listUsers' query text, read in listing order: each person's place in the order (workspaceGid, name COLLATE
        -- NOCASE, gid) as a number, listingRank (ListingRank), and the trigram index's rows keyed by it instead of
        -- workspaceUser's rowid. The index then yields a text's matches in listing order, and a page stops after its
        -- first limit + 1 instead of reading and sorting them all (at 100,000 people, a last name shared by 2,440:
        -- 1.7 -> 0.13 ms in SQLite alone; Benchmarks/RESULTS.md, session 14).
        -- A write that adds or renames a person marks the ranks stale (listingRankState); the writer ranks again in
        -- the same transaction (ListingRank.refresh), and a reader uses the ranks only when they are not stale.
        -- A person without a rank yet has no index row. ListingRank.refresh alone writes listingRank, and moves the
        -- index rows of the people it ranks itself, in two statements: through a trigger per row, ranking 100,000
        -- people took 2.3 times as long. workspaceUser_byRank finds a match's person and holds the columns listUsers'
        -- filters test, so a match that fails them costs no row lookup.
        ALTER TABLE workspaceUser ADD COLUMN listingRank INTEGER;
        CREATE INDEX workspaceUser_byRank
            ON workspaceUser (listingRank, workspaceGid, departedAt, isActive, isAdmin, isGuest, isViewOnly, changedAt);
        CREATE TABLE listingRankState (id INTEGER PRIMARY KEY CHECK (id = 1), stale INTEGER NOT NULL);
        INSERT INTO listingRankState (id, stale) VALUES (1, 1);
        DROP TRIGGER workspaceUserSearch_insert;
        DROP TRIGGER workspaceUserSearch_delete;
        DROP TRIGGER workspaceUserSearch_update;
        DROP TABLE workspaceUserSearch;
        -- Each indexed value ends with U+001F (SearchIndex.columnEnd), so that every 2 characters of a name or an email
        -- begin a trigram, even at its end: a 2-character text is found as the trigrams that begin with it
        -- (workspaceUserSearchTerms lists the index's trigrams).
        CREATE VIRTUAL TABLE workspaceUserSearch USING fts5(nameKey, emailKey, tokenize = 'trigram case_sensitive 1');
        CREATE VIRTUAL TABLE workspaceUserSearchTerms USING fts5vocab(workspaceUserSearch, 'row');
        CREATE TRIGGER workspaceUserSearch_insert AFTER INSERT ON workspaceUser BEGIN
            UPDATE listingRankState SET stale = 1 WHERE stale = 0;
            INSERT INTO workspaceUserSearch (rowid, nameKey, emailKey)
                SELECT new.listingRank, searchKey(new.name) || char(31), searchKey(new.email) || char(31)
                WHERE new.listingRank IS NOT NULL;
        END;
        CREATE TRIGGER workspaceUserSearch_delete AFTER DELETE ON workspaceUser WHEN old.listingRank IS NOT NULL BEGIN
            DELETE FROM workspaceUserSearch WHERE rowid = old.listingRank;
        END;
        CREATE TRIGGER workspaceUserSearch_update AFTER UPDATE OF workspaceGid, gid, name, email ON workspaceUser
            WHEN new.workspaceGid IS NOT old.workspaceGid OR new.gid IS NOT old.gid
                OR new.name IS NOT old.name OR new.email IS NOT old.email BEGIN
            UPDATE listingRankState SET stale = 1 WHERE stale = 0
                AND (new.workspaceGid IS NOT old.workspaceGid OR new.gid IS NOT old.gid OR new.name IS NOT old.name);
            UPDATE workspaceUserSearch SET nameKey = searchKey(new.name) || char(31), emailKey = searchKey(new.email) || char(31)
                WHERE rowid = new.listingRank;
        END;
        """

    static let v19SearchTrigrams = """
        -- listUsers' 1- and 2-character texts from the index. Each indexed value ends with two U+001F
        -- (SearchIndex.columnEnd) instead of one, so that every 1 and every 2 characters of a name or an email begin a
        -- trigram, even at its end; and searchTrigram lists the index's trigrams (every one it holds, and perhaps some
        -- it no longer does: a rename or a departure does not take a trigram out), so that the trigrams beginning with a
        -- short text are a range of a small table (SearchIndex.matchCondition). fts5vocab, which v18 read for them,
        -- reads every entry of each term's list: 2.2 ms for 'ex' at 100,000 people, 9.8 ms for 'a'.
        -- Every write of the index adds the trigrams of what it wrote (the SQL aggregate searchTrigrams: SearchTrigrams).
        CREATE TABLE searchTrigram (term TEXT PRIMARY KEY) WITHOUT ROWID;
        DROP TRIGGER workspaceUserSearch_insert;
        DROP TRIGGER workspaceUserSearch_delete;
        DROP TRIGGER workspaceUserSearch_update;
        DROP TABLE workspaceUserSearchTerms;
        DROP TABLE workspaceUserSearch;
        CREATE VIRTUAL TABLE workspaceUserSearch USING fts5(nameKey, emailKey, tokenize = 'trigram case_sensitive 1');
        INSERT INTO workspaceUserSearch (rowid, nameKey, emailKey)
            SELECT listingRank, searchKey(name) || char(31, 31), searchKey(email) || char(31, 31)
            FROM workspaceUser WHERE listingRank IS NOT NULL ORDER BY listingRank;
        INSERT INTO searchTrigram (term)
            SELECT value FROM json_each((SELECT searchTrigrams(nameKey, emailKey) FROM workspaceUserSearch));
        CREATE TRIGGER workspaceUserSearch_insert AFTER INSERT ON workspaceUser BEGIN
            UPDATE listingRankState SET stale = 1 WHERE stale = 0;
            INSERT INTO workspaceUserSearch (rowid, nameKey, emailKey)
                SELECT new.listingRank, searchKey(new.name) || char(31, 31), searchKey(new.email) || char(31, 31)
                WHERE new.listingRank IS NOT NULL;
            INSERT OR IGNORE INTO searchTrigram (term)
                SELECT value FROM json_each((SELECT searchTrigrams(nameKey, emailKey) FROM workspaceUserSearch
                                             WHERE rowid = new.listingRank));
        END;
        CREATE TRIGGER workspaceUserSearch_delete AFTER DELETE ON workspaceUser WHEN old.listingRank IS NOT NULL BEGIN
            DELETE FROM workspaceUserSearch WHERE rowid = old.listingRank;
        END;
        CREATE TRIGGER workspaceUserSearch_update AFTER UPDATE OF workspaceGid, gid, name, email ON workspaceUser
            WHEN new.workspaceGid IS NOT old.workspaceGid OR new.gid IS NOT old.gid
                OR new.name IS NOT old.name OR new.email IS NOT old.email BEGIN
            UPDATE listingRankState SET stale = 1 WHERE stale = 0
                AND (new.workspaceGid IS NOT old.workspaceGid OR new.gid IS NOT old.gid OR new.name IS NOT old.name);
            UPDATE workspaceUserSearch SET nameKey = searchKey(new.name) || char(31, 31), emailKey = searchKey(new.email) || char(31, 31)
                WHERE rowid = new.listingRank;
            INSERT OR IGNORE INTO searchTrigram (term)
                SELECT value FROM json_each((SELECT searchTrigrams(nameKey, emailKey) FROM workspaceUserSearch
                                             WHERE rowid = new.listingRank));
        END;
        """
}
