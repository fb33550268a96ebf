import AccessMetrics
import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

extension AccessService {

    /// Pulls users, workspace memberships, teams and team memberships of `workspace` from Asana and
    /// commits them as one snapshot, in one transaction.
    ///
    /// What is read (see ``fetch(workspace:client:reporter:)``): the people come from the workspace memberships,
    /// which carry each person's name and email; only a token that may not read memberships (a 403) lists
    /// `GET /users` instead.
    ///
    /// What must be read, and what may be skipped (after the client's retries):
    /// - The people are required: if the membership listing (or, after its 403, the users listing) fails,
    ///   nothing is committed and the run is `failed`. A 403 on workspace memberships (a capability gap, e.g. a
    ///   granular-scope OAuth token) is not a failure: the people come from `/users` and every flag is stored as unknown.
    /// - The team listing failing makes the run `partial`: users and memberships are committed, every
    ///   stored team and team membership is kept as it was, and ``Sync.Result/skipped`` lists `teams`.
    /// - One team's memberships failing (a 403 on that team, a 5xx or 429 that outlasts retries, …)
    ///   makes the run `partial`: the other teams are committed, that team's stored memberships are kept,
    ///   and `skipped` lists `teamMemberships` with the team.
    /// - A 401 is never skipped: the credential is bad, so the sync fails.
    /// - People are marked departed only from a complete listing of the people, which a committed sync always
    ///   has (they are required); a person whose team memberships could not be read keeps them.
    ///
    /// `workspace` is a gid or an exact name (resolved with ``resolveWorkspace(_:field:)``).
    /// Uses the `sync` credential of the workspace, or its `provision` credential when there is none.
    /// - Throws: `credential.missing`, `sync.in_progress`, `upstream.*`, `sync.deadline_exceeded` when reading
    ///   Asana took longer than ``syncDeadline`` (protocol.md, "Errors"). A failed sync records a failed run
    ///   with the reason, leaves the last snapshot untouched and frees the workspace for the next sync.
    ///
    /// Every outcome moves the schedule (``SyncSchedule``): a success sets the next scheduled run one
    /// interval later and lifts a pause; a credential failure (`upstream.unauthorized`,
    /// `credential.unreadable`) pauses scheduled syncs of the workspace.
    public func sync(workspace: String, principal: String?, progress: @escaping @Sendable (Sync.Progress) async -> Void = { _ in }) async throws -> Sync.Result {
        try await sync(workspace: workspace, principal: principal, unlessFinishedWithin: nil, progress: progress)
    }

    /// A sync of the workspace finished (on any server sharing the store) less than the scheduler's interval before
    /// a scheduled turn took the workspace's sync lease: the turn is not run (``SyncScheduler``).
    struct RecentlySynced: Error, Equatable {
        /// When that sync finished.
        let finishedAt: Date
    }

    /// ``sync(workspace:principal:progress:)``, which with `spacing` (seconds) first checks, holding the workspace's
    /// sync lease so no other sync can finish in between, that no sync of the workspace finished within `spacing`.
    /// - Throws: ``RecentlySynced`` when one did (nothing is recorded and the schedule is left as it is), else
    ///   what ``sync(workspace:principal:progress:)`` throws.
    func sync(workspace: String, principal: String?, unlessFinishedWithin spacing: TimeInterval?,
              progress: @escaping @Sendable (Sync.Progress) async -> Void = { _ in }) async throws -> Sync.Result {
        let workspace = try await resolveWorkspace(workspace)
        let fingerprint = try? await syncCredentialFingerprint(workspace: workspace)
        do {
            let result = try await syncResolved(workspace: workspace, principal: principal, unlessFinishedWithin: spacing, progress: progress)
            await schedule.succeeded(workspace: workspace, capabilities: result.capabilities, at: result.finishedAt)
            return result
        } catch let error as RPCError {
            await schedule.failed(workspace: workspace, error: error, fingerprint: fingerprint, at: now())
            throw error
        }
    }

    /// The fingerprint of the credential `sync` uses for `workspace` (sync, else provision), or nil when there is none.
    func syncCredentialFingerprint(workspace: String) async throws -> String? {
        let stored = try await store.credentialSummaries().filter { $0.workspaceGid == workspace }
        return (stored.first { $0.purpose == .sync } ?? stored.first { $0.purpose == .provision })?.fingerprint
    }

    private func syncResolved(workspace: String, principal: String?, unlessFinishedWithin spacing: TimeInterval?,
                              progress: @escaping @Sendable (Sync.Progress) async -> Void) async throws -> Sync.Result {
        let client: AsanaClient
        do {
            client = try await self.client(workspace: workspace, purpose: .sync)
        } catch let error as RPCError where error.kind == .credentialMissing {
            // No sync credential: an admin's provision credential can read too. If there is neither,
            // name the sync credential, the one a read-only job should get.
            do {
                client = try await self.client(workspace: workspace, purpose: .provision)
            } catch let fallback as RPCError where fallback.kind == .credentialMissing {
                throw error
            }
        }
        return try await syncGate.withLease(workspace, busy: { AccessError.syncInProgress(workspace) }) {
            if let spacing, let finished = try await lastFinishedSync(workspace: workspace), now().timeIntervalSince(finished) < spacing {
                throw RecentlySynced(finishedAt: finished)
            }
            return try await runSync(workspace: workspace, client: client, principal: principal, progress: progress)
        }
    }

    private func runSync(workspace: String, client: AsanaClient, principal: String?, progress: @escaping @Sendable (Sync.Progress) async -> Void) async throws -> Sync.Result {
        let started = ContinuousClock.now
        // Holding the workspace's sync lease, no other server runs a sync of it: a run still marked running was
        // left by a server that died (its lease expired).
        let orphans = try await store.failRunningSyncRuns(
            workspaceGid: workspace, reason: Self.interruptedSyncReason, at: now())
        if orphans > 0 { logger.warning("closed sync runs a stopped server left running", metadata: ["workspace": "\(workspace)", "count": "\(orphans)"]) }
        let runID = try await store.startSyncRun(workspaceGid: workspace, trigger: principal ?? "anonymous", at: now())
        do {
            let phases = SyncPhases()
            let reporter = SyncReporter(workspace: workspace, phases: phases, progress: progress)
            let deadline = syncDeadline
            // Every request of the reading (child tasks included) tells its rate-limit waits to this sync's caller.
            let outcome = try await AsanaRateLimitWait.$observer.withValue(.init { await reporter.waiting($0) }) {
                try await Self.withDeadline(deadline) {
                    try await Self.fetch(workspace: workspace, client: client, reporter: reporter)
                }
            }
            guard case .finished(let fetched) = outcome else {
                throw AccessError.syncDeadlineExceeded(workspace, deadline: deadline, phase: phases.value)
            }
            let skipped = fetched.skipped
            var snapshot = SnapshotBuilder.build(workspace: fetched.details, users: fetched.users, memberships: fetched.memberships,
                                                 teams: fetched.teams, teamMemberships: fetched.teamMemberships)
            snapshot.preservedTeamGids = fetched.preservedTeamGids
            snapshot.preservesAllTeams = fetched.details.isOrganization == true && !fetched.teamsRead
            let status: SyncRunStatus = skipped.isEmpty ? .succeeded : .partial
            await progress(Sync.Progress(workspace: workspace, phase: "commit", done: 0, total: 1))
            let finishedAt = now()
            let counts = try await store.applySnapshot(snapshot, at: finishedAt, syncRunId: runID)
            let runError = skipped.isEmpty ? nil : "skipped " + skipped.map(\.line).joined(separator: "; skipped ")
            try await store.finishSyncRun(id: runID, status: status, counts: counts, apiCalls: client.requestCount, rateLimited: client.rateLimitedCount,
                                         error: runError, at: finishedAt)
            SyncMetrics.recordRun(status: status.rawValue, duration: ContinuousClock.now - started)
            let result = Sync.Result(
                workspace: WorkspaceRef(gid: workspace, name: snapshot.workspace.name, isOrganization: snapshot.workspace.isOrganization),
                runId: runID, status: status, skipped: skipped,
                users: counts.users, added: counts.added, updated: counts.updated, departed: counts.departed,
                teams: counts.teams, teamMemberships: counts.teamMemberships,
                apiCalls: client.requestCount, rateLimited: client.rateLimitedCount,
                durationMs: (ContinuousClock.now - started).milliseconds,
                capabilities: Sync.Capabilities(membershipFlags: fetched.memberships != nil, teams: fetched.details.isOrganization == true && fetched.teamsRead),
                finishedAt: finishedAt)
            try await audit(principal: principal, method: "sync", params: ["workspace": workspace], result: result, outcome: status == .partial ? "partial" : "ok")
            return result
        } catch {
            let rpcError = (error as? AsanaAPIError).map(AccessError.upstream) ?? (error as? RPCError) ?? AccessError.storage(error)
            // Cancelled (the server shutting down, a scheduled sync stopped): say so rather than name an internal error.
            let cancelled = rpcError == nil && (error is CancellationError || Task.isCancelled)
            let reason = cancelled ? Self.cancelledSyncReason : "\(rpcError ?? RPCError.internalError("\(error)"))"
            try? await store.finishSyncRun(id: runID, status: .failed, counts: nil, apiCalls: client.requestCount, rateLimited: client.rateLimitedCount, error: reason, at: now())
            SyncMetrics.recordRun(status: SyncRunStatus.failed.rawValue, duration: ContinuousClock.now - started)
            try? await audit(principal: principal, method: "sync", params: ["workspace": workspace], result: ["runId": runID],
                             outcome: cancelled ? "cancelled" : rpcError?.name ?? "rpc.internal_error")
            if let rpcError { throw rpcError }
            throw error
        }
    }

    /// The default of ``AccessService/syncDeadline``: one hour (`serve --sync-deadline`).
    public static let defaultSyncDeadline: Duration = .seconds(3600)

    /// The `error` of a sync run whose server died (or was killed) while it ran: set at that server's restart (SQLite)
    /// or by the workspace's next sync on any server (PostgreSQL).
    /// When the workspace's newest sync run (by any server on the store) finished; nil when it has none, it is
    /// running, or it was interrupted (its server died before doing the work).
    /// - Throws: what the store throws.
    func lastFinishedSync(workspace: String) async throws -> Date? {
        guard let newest = try await store.syncRuns(workspaceGid: workspace, limit: 1).first,
              newest.error != Self.interruptedSyncReason else { return nil }
        return newest.finishedAt
    }

    public static let interruptedSyncReason = "the server running this sync stopped before it finished"

    /// The `error` of a sync run that was cancelled before it finished.
    public static let cancelledSyncReason = "cancelled before it finished (the server shut down, or the scheduled sync was stopped); nothing was committed, the last snapshot stands"

    /// What one sync read from Asana, before anything is committed.
    struct FetchedSync: Sendable {
        var details: AsanaWorkspace
        /// The people of `GET /users`, read only when the memberships could not be (empty otherwise).
        var users: [AsanaUser]
        /// `nil` when Asana refused the listing with 403 (flags unknown).
        var memberships: [AsanaWorkspaceMembership]?
        var teams: [AsanaTeam] = []
        var teamMemberships: [String: [AsanaTeamMembership]] = [:]
        var skipped: [Sync.Skip] = []
        var teamsRead = false
        var preservedTeamGids: Set<String> = []
    }

    /// The people of a workspace as read: the memberships (which carry name and email), or, when the token may not
    /// read them, the users listing.
    struct FetchedPeople: Sendable {
        var users: [AsanaUser] = []
        /// `nil` when Asana refused the membership listing with 403.
        var memberships: [AsanaWorkspaceMembership]?
    }

    /// The teams of an organization and each team's memberships, as read.
    struct FetchedTeams: Sendable {
        var teams: [AsanaTeam] = []
        var teamMemberships: [String: [AsanaTeamMembership]] = [:]
        var skipped: [Sync.Skip] = []
        var teamsRead = false
        var preservedTeamGids: Set<String> = []
    }

    /// Reads everything a sync needs from Asana, reporting each phase, with the listings that do not depend on
    /// each other running at once. Commits nothing.
    ///
    /// The people listing (`workspaceMemberships`, a chain of pages each needing the previous page's offset: the
    /// longest chain of a sync) starts at once, beside `GET /workspaces/{gid}`; in an organization the teams are
    /// listed once the workspace has answered, then every team's memberships, beside the people listing. So a sync
    /// lasts about as long as its longest chain of pages, and makes one call per page (no `GET /users` for a token
    /// that may read the memberships).
    /// - Throws: ``AsanaAPIError`` of a required listing (see ``sync(workspace:principal:progress:)``), cancellation.
    static func fetch(workspace: String, client: AsanaClient, reporter: SyncReporter) async throws -> FetchedSync {
        await reporter.report("workspace", total: 1)
        async let people = readPeople(workspace: workspace, client: client, reporter: reporter)
        let details = try await reporter.reading("workspace") { try await client.workspace(gid: workspace) }
        let teams = details.isOrganization == true ? try await readTeams(workspace: workspace, client: client, reporter: reporter) : FetchedTeams()
        let read = try await people
        return FetchedSync(
            details: details, users: read.users, memberships: read.memberships, teams: teams.teams, teamMemberships: teams.teamMemberships,
            skipped: teams.skipped, teamsRead: teams.teamsRead, preservedTeamGids: teams.preservedTeamGids)
    }

    /// The people of `workspace`: its workspace memberships with `user.name,user.email`
    /// (Asana OpenAPI `getWorkspaceMembershipsForWorkspace`), which carry everyone `GET /users` would list. A 403
    /// there (the endpoint has no granular OAuth scope, https://developers.asana.com/docs/oauth-scopes) falls back to
    /// `GET /users?workspace=` (Asana OpenAPI `getUsers`), and the flags stay unknown, never guessed.
    static func readPeople(workspace: String, client: AsanaClient, reporter: SyncReporter) async throws -> FetchedPeople {
        do {
            return FetchedPeople(memberships: try await reporter.listing("workspaceMemberships") {
                try await client.workspaceMemberships(workspace: workspace)
            })
        } catch AsanaAPIError.forbidden {
            return FetchedPeople(users: try await reporter.listing("users") { try await client.users(workspace: workspace) })
        }
    }

    /// The teams of organization `workspace` and each team's memberships. A failed team listing, or one team's,
    /// is recorded as skipped (see ``mayBeSkipped(_:)``), not thrown.
    /// - Throws: a 401, cancellation.
    static func readTeams(workspace: String, client: AsanaClient, reporter: SyncReporter) async throws -> FetchedTeams {
        var fetched = FetchedTeams()
        do {
            fetched.teams = try await reporter.listing("teams") { try await client.teams(workspace: workspace) }
            fetched.teamsRead = true
        } catch let error as AsanaAPIError where Self.mayBeSkipped(error) {
            fetched.skipped.append(Sync.Skip(what: "teams", team: nil, reason: "\(AccessError.upstream(error))"))
            return fetched
        }
        let teams = fetched.teams
        let lists = try await reporter.reading("teamMemberships") {
            await reporter.report("teamMemberships", total: teams.count)
            let step = max(1, teams.count / 100)
            return try await Self.fetchTeamMemberships(teams, client: client) { done in
                if done % step == 0 || done == teams.count { await reporter.report("teamMemberships", done: done, total: teams.count) }
            }
        }
        for team in teams {
            switch lists[team.gid] {
            case .success(let list)?:
                fetched.teamMemberships[team.gid] = list
            case .failure(let error)?:
                fetched.preservedTeamGids.insert(team.gid)
                fetched.skipped.append(Sync.Skip(
                    what: "teamMemberships", team: Sync.SkippedTeam(gid: team.gid, name: team.name ?? team.gid),
                    reason: "\(AccessError.upstream(error))"))
            case nil:
                break
            }
        }
        return fetched
    }

    /// How ``withDeadline(_:_:)`` ended.
    enum DeadlineOutcome<Value: Sendable>: Sendable {
        /// `body` returned this in time.
        case finished(Value)
        /// The deadline passed first; `body` was cancelled and awaited.
        case expired
    }

    /// Runs `body` in a child task and cancels it when `deadline` passes first (the wait is on the continuous clock).
    /// Returns once `body` has returned or, after the deadline, has stopped (every Asana call honours cancellation).
    /// - Throws: what `body` throws when it ends first; `CancellationError` when the caller is cancelled.
    static func withDeadline<Value: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> Value) async throws
        -> DeadlineOutcome<Value>
    {
        try await withThrowingTaskGroup(of: DeadlineOutcome<Value>.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask {
                try await Task.sleep(for: deadline)
                return .expired
            }
            // The first to end decides; the other is cancelled (an error it then throws is discarded).
            let first = try await group.next() ?? .expired
            group.cancelAll()
            return first
        }
    }

    /// Whether a failure of an optional listing (teams, one team's memberships) may make the run
    /// `partial` instead of failing it: every Asana error except 401, which means the credential is bad.
    static func mayBeSkipped(_ error: AsanaAPIError) -> Bool {
        if case .unauthorized = error { return false }
        return true
    }

    /// Lists the members of every team, one listing fewer at once than the credential's governor lets reads run
    /// (``AsanaGovernorConfiguration/maxConcurrentReads``, 16 by default; Asana allows 50 concurrent GETs,
    /// https://developers.asana.com/docs/rate-limits): the slot left over keeps the people listing, which runs beside
    /// them and is the longest chain of pages, from queueing behind the teams for every page.
    ///
    /// - Returns: per team gid, its memberships or the Asana error that stopped its listing (see
    ///   ``mayBeSkipped(_:)``).
    /// - Throws: a 401 (``AsanaAPIError/unauthorized(message:)``), cancellation, anything not from Asana.
    /// - Parameter listed: called with how many teams are done, after each one.
    private static func fetchTeamMemberships(_ teams: [AsanaTeam], client: AsanaClient, listed: (Int) async -> Void) async throws
        -> [String: Result<[AsanaTeamMembership], AsanaAPIError>]
    {
        try await withThrowingTaskGroup(of: (String, Result<[AsanaTeamMembership], AsanaAPIError>).self) { group in
            var result: [String: Result<[AsanaTeamMembership], AsanaAPIError>] = [:]
            var pending = teams[...]
            func startNext() {
                guard let team = pending.popFirst() else { return }
                group.addTask {
                    do {
                        return (team.gid, .success(try await client.teamMemberships(team: team.gid)))
                    } catch let error as AsanaAPIError where mayBeSkipped(error) {
                        return (team.gid, .failure(error))
                    }
                }
            }
            let concurrency = max(1, (client.governor?.configuration.maxConcurrentReads ?? 8) - 1)
            for _ in 0..<min(concurrency, teams.count) { startNext() }
            while let (gid, memberships) = try await group.next() {
                result[gid] = memberships
                await listed(result.count)
                startNext()
            }
            return result
        }
    }
}
