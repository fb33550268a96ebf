import AccessProtocol
import AccessStore
import Foundation
import LineRPC

extension AccessService {
    /// Largest `limit` of `listUsers`.
    public static let maximumPageSize = ListUsers.maximumLimit
    /// A UTC day, in seconds (a date as a moment spans one).
    static let secondsPerDay: TimeInterval = 86_400

    /// Reads one page of people from the last snapshot of a workspace, sorted by name then gid.
    ///
    /// The page (people, their teams, `syncedAt`) is one read transaction: one consistent snapshot,
    /// even while a sync commits. Pages of one listing are separate reads (protocol.md, `listUsers`).
    /// With `asOf`, the page is the picture at that moment, from history (``AccessStore/HistoryStore``).
    /// - Throws: `-32602` for a `limit` outside 1...1000, a bad cursor, a `query` longer than 256 characters or holding
    ///   U+0000, a `changedSince` or `asOf` that is neither an ISO 8601 time or date nor a finished run of this
    ///   workspace, both of them, or an unknown name in `fields`; `sync_run.not_found`; `workspace.not_synced`;
    ///   `history.before_first_sync`; `team.not_found`, `team.ambiguous`.
    public func listUsers(_ params: ListUsers.Params) async throws -> ListUsers.Result {
        try Self.checkGid(params.workspace)
        let limit = params.limit ?? 100
        guard (1...Self.maximumPageSize).contains(limit) else {
            throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and \(Self.maximumPageSize)", field: "limit")
        }
        let fields = try params.fields.map(Self.checkFields)
        // A plain page reads the workspace in its own transaction (and says `workspace.not_synced` when it has none):
        // the workspace is read first only where what follows needs it or must not be reached without it.
        let needsWorkspace = params.asOf != nil || params.changedSince != nil
        let stored = needsWorkspace ? try await syncedWorkspace(params.workspace) : nil
        var changedSince: Date?
        if let value = params.changedSince { changedSince = try await changedSinceTime(value, workspace: params.workspace) }
        var asOf: Date?
        if let value = params.asOf, let stored {
            guard params.changedSince == nil else {
                throw RPCError.invalidParams(
                    "Invalid params: \"asOf\" cannot be combined with \"changedSince\" (listAccessChanges lists what changed between two moments)",
                    field: "asOf")
            }
            asOf = try await asOfMoment(value, workspace: stored)
        }
        var teamGid: String?
        if let team = params.team {
            // A past picture may name a team deleted since: by gid.
            do {
                teamGid = asOf != nil && !team.isEmpty && team.allSatisfy { $0.isASCII && $0.isNumber }
                    ? team : try await resolveTeam(team, workspace: params.workspace)
            } catch {
                // A workspace never synced has no teams: say that rather than "no such team". Read only then: a
                // found team's page is one read fewer (each read is a hop to the database's queue and back).
                if stored == nil { _ = try await syncedWorkspace(params.workspace) }
                throw error
            }
        }
        let page: UserPage
        do {
            page = try await store.listUsers(UserQuery(
                workspaceGid: params.workspace, active: params.active, admin: params.admin, guest: params.guest, flagsUnknown: params.flagsUnknown,
                teamGid: teamGid, query: params.query, includeDeparted: params.includeDeparted ?? false,
                changedSince: changedSince, asOf: asOf, includeTeams: fields?.contains(.teams) ?? true,
                limit: limit, cursor: params.cursor))
        } catch AccessStoreError.invalidCursor {
            throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued for this query", field: "cursor")
        } catch AccessStoreError.invalidQuery(let reason) {
            // The limit, the workspace and asOf with changedSince are checked above: what is left is the text.
            throw RPCError.invalidParams("Invalid params: \"query\": \(reason)", field: "query")
        }
        guard let workspace = page.workspace else {
            _ = try await syncedWorkspace(params.workspace)  // throws workspace.not_synced, with whether a credential is stored
            throw AccessError.workspaceNotSynced(params.workspace)
        }
        var standing: ListUsers.AsOf?
        if let asOf {
            guard let run = page.standingRun else {
                throw AccessError.historyBeforeFirstSync(params.workspace, asOf: asOf)
            }
            standing = ListUsers.AsOf(time: asOf, syncRunId: run.id, historyFrom: workspace.historyFrom ?? run.finishedAt)
        }
        return ListUsers.Result(
            workspace: WorkspaceRef(gid: workspace.gid, name: workspace.name, isOrganization: workspace.isOrganization),
            syncedAt: page.standingRun?.finishedAt ?? workspace.lastSyncedAt, changedSince: changedSince, asOf: standing,
            users: page.users.map { Person($0, members: fields) }, nextCursor: page.nextCursor)
    }

    /// The stored workspace `gid`.
    /// - Throws: `1001 workspace.not_synced` (with `data.credentialStored`) when no snapshot of it was applied.
    func syncedWorkspace(_ gid: String) async throws -> StoredWorkspace {
        if let workspace = try await store.workspace(gid: gid) { return workspace }
        let credentialStored = try await store.credentialSummaries().contains { $0.workspaceGid == gid }
        throw AccessError.workspaceNotSynced(gid, credentialStored: credentialStored)
    }

    /// The moment an `asOf` param stands for: a date-time, a date's end (UTC), or when a run that committed finished;
    /// a moment after now is now (the future is not known yet; the answer's `asOf.time` says which).
    /// - Throws: as ``resolveMoment(_:param:workspace:dayMeans:committedRun:)``; `1032 history.pruned`.
    func asOfMoment(_ value: PointInTime, workspace: StoredWorkspace) async throws -> Date {
        let moment = switch try await resolveMoment(value, param: "asOf", workspace: workspace.gid, dayMeans: "its end, UTC", committedRun: true) {
        case .time(let time): time
        case .day(let start): start.addingTimeInterval(Self.secondsPerDay - 0.001)
        case .run(_, let finishedAt): finishedAt
        }
        let asOf = min(moment, Self.wholeMilliseconds(now()))
        try Self.checkKept(asOf, workspace: workspace)
        return asOf
    }

    /// `date` cut to whole milliseconds (what the store keeps and the wire shows).
    static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// - Throws: `1032 history.pruned` when `moment` is before the history kept of `workspace` (`serve --history-retention`).
    static func checkKept(_ moment: Date, workspace: StoredWorkspace) throws {
        guard let kept = workspace.historyPrunedBefore, moment < kept else { return }
        let keptFrom = JSONEncoder.protocolTimestamp(kept)
        throw RPCError(.historyPruned,
                       message: "History of workspace \(workspace.gid) before \(keptFrom) is not kept (serve --history-retention)",
                       details: ["workspace": .string(workspace.gid), "keptFrom": .string(keptFrom)])
    }

    /// `fields` as a set of ``Person/Member``.
    /// - Throws: `-32602` naming the first unknown member.
    static func checkFields(_ fields: [String]) throws -> Set<Person.Member> {
        try Set(fields.enumerated().map { index, name in
            guard let member = Person.Member(stringValue: name) else {
                throw RPCError.invalidParams(
                    "Invalid params: \"fields\" names \"\(name.prefix(64))\", which is not a member of a user (members: \(Person.Member.allCases.map(\.rawValue).joined(separator: ", ")))",
                    field: "fields[\(index)]")
            }
            return member
        })
    }

    /// The time `changedSince` stands for: the ISO 8601 time given, the start of the date given (UTC), or the
    /// `finishedAt` of the sync run given.
    /// - Throws: as ``resolveMoment(_:param:workspace:dayMeans:)``.
    func changedSinceTime(_ value: ListUsers.ChangedSince, workspace: String) async throws -> Date {
        switch try await resolveMoment(value, param: "changedSince", workspace: workspace, dayMeans: "its start, UTC") {
        case .time(let time): time
        case .day(let start): start
        case .run(_, let finishedAt): finishedAt
        }
    }

    /// A moment a param gave, resolved: which edge of a day or a run it means is the caller's.
    enum Moment {
        /// An ISO 8601 date-time.
        case time(Date)
        /// A date: the start of that UTC day.
        case day(start: Date)
        /// A finished sync run of the workspace and when it finished.
        case run(id: Int64, finishedAt: Date)
    }

    /// `value` as a ``Moment``.
    /// - Parameters:
    ///   - dayMeans: what a date means for this param, for the error message ("its start, UTC").
    ///   - committedRun: a run id must name a run that committed a snapshot (`asOf`: "the picture that run left").
    /// - Throws: `-32602` naming `param` for a string that is neither an ISO 8601 date-time nor a date, a run of
    ///   another workspace, a run still running, or with `committedRun` a failed one; `1030 sync_run.not_found`.
    func resolveMoment(_ value: PointInTime, param: String, workspace: String, dayMeans: String, committedRun: Bool = false) async throws -> Moment {
        switch value {
        case .time(let text):
            if let time = Self.parseISO8601(text) { return .time(time) }
            if let start = ISO8601Time.parseDate(text) { return .day(start: start) }
            throw RPCError.invalidParams(
                "Invalid params: \"\(param)\" must be an ISO 8601 date-time such as 2025-01-31T09:00:00Z, a date such as 2025-01-31 (\(dayMeans)), or a sync run id (an integer)",
                field: param)
        case .run(let id):
            guard let run = try await store.syncRun(id: id) else {
                throw RPCError(.syncRunNotFound, message: "No sync run \(id)", details: ["id": .integer(id)])
            }
            guard run.workspaceGid == workspace else {
                throw RPCError.invalidParams(
                    "Invalid params: \"\(param)\" names sync run \(id) of workspace \(run.workspaceGid), not of \(workspace)",
                    field: param)
            }
            guard let finishedAt = run.finishedAt else {
                throw RPCError.invalidParams("Invalid params: \"\(param)\" names sync run \(id), which has not finished", field: param)
            }
            if committedRun, run.status == .failed {
                throw RPCError.invalidParams("Invalid params: \"\(param)\" names sync run \(id), which failed: it left no picture (name a run that succeeded, or a time)", field: param)
            }
            return .run(id: id, finishedAt: finishedAt)
        }
    }

    /// The gid of a team of the snapshot given by gid or exact name.
    func resolveTeam(_ team: String, workspace: String) async throws -> String {
        let matching = try await store.teams(workspaceGid: workspace, gidOrName: team)
        if matching.contains(where: { $0.gid == team }) { return team }
        let named = matching.filter { $0.name == team }
        switch named.count {
        case 1: return named[0].gid
        case 0:
            // Only a name that matches nothing reads every team, for the close names the error offers.
            let teams = try await store.teams(workspaceGid: workspace)
            let close = CloseNames.close(to: team, among: teams) { $0.name }.map { (gid: $0.gid, name: $0.name) }
            throw AccessError.teamNotFound(team, workspace: workspace, closeNames: close)
        default: throw AccessError.teamAmbiguous(team, gids: named.map(\.gid))
        }
    }
}

extension Person {
    /// `stored` as `listUsers` answers it, with the `members` a call's `fields` chose (all when nil).
    init(_ stored: StoredUser, members: Set<Member>?) {
        self.init(
            gid: stored.gid, name: stored.name, email: stored.email, isActive: stored.isActive, isAdmin: stored.isAdmin,
            isGuest: stored.isGuest, isViewOnly: stored.isViewOnly,
            teams: stored.teams.map { Team(gid: $0.gid, name: $0.name, isAdmin: $0.isAdmin, isGuest: $0.isGuest, isLimitedAccess: $0.isLimitedAccess) },
            firstSeenAt: stored.firstSeenAt, lastSeenAt: stored.lastSeenAt, departedAt: stored.departedAt, changedAt: stored.changedAt,
            change: stored.change.map { Change(rawValue: $0.rawValue) ?? .updated }, members: members)
    }
}
