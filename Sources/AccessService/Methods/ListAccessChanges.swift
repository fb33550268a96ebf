import AccessProtocol
import AccessStore
import Foundation
import LineRPC

extension AccessService {
    /// One page of the changes of people's access to a workspace observed in a window, oldest first, each
    /// with its values before and after and its provenance (a sync run, or a provision's principal and call).
    ///
    /// The window: `since` a date-time is included, a date starts it at that UTC day's start, a run id starts it
    /// just after that run committed; `until` a date-time is excluded, a date ends it with that UTC day, a run
    /// id ends it with that run's changes; absent, until now.
    /// - Throws: `-32602` for a `limit` outside 1...1000, a bad cursor, a `since`/`until` that is neither an
    ///   ISO 8601 time or date nor a finished run of this workspace, an empty window, empty `kinds`, or a
    ///   `person` this server has never seen in the workspace; `sync_run.not_found`; `workspace.not_synced`;
    ///   `history.pruned` (`since` before the kept history).
    public func listAccessChanges(_ params: ListAccessChanges.Params) async throws -> ListAccessChanges.Result {
        try Self.checkGid(params.workspace)
        let limit = params.limit ?? ListAccessChanges.defaultLimit
        guard (1...ListAccessChanges.maximumLimit).contains(limit) else {
            throw RPCError.invalidParams("Invalid params: \"limit\" must be between 1 and \(ListAccessChanges.maximumLimit)", field: "limit")
        }
        let workspace = try await syncedWorkspace(params.workspace)
        let oneMillisecond: TimeInterval = 0.001
        let from = switch try await resolveMoment(params.since, param: "since", workspace: params.workspace, dayMeans: "from its start, UTC") {
        case .time(let time): time
        case .day(let start): start
        case .run(_, let finishedAt): finishedAt.addingTimeInterval(oneMillisecond)
        }
        try Self.checkKept(from, workspace: workspace)
        var before: Date?
        if let until = params.until {
            before = switch try await resolveMoment(until, param: "until", workspace: params.workspace, dayMeans: "to its end, UTC") {
            case .time(let time): time
            case .day(let start): start.addingTimeInterval(Self.secondsPerDay)
            case .run(_, let finishedAt): finishedAt.addingTimeInterval(oneMillisecond)
            }
            guard before! > from else {
                throw RPCError.invalidParams("Invalid params: \"until\" must be after \"since\"", field: "until")
            }
        }
        if params.kinds?.isEmpty == true {
            throw RPCError.invalidParams("Invalid params: \"kinds\" is empty (leave it out for every kind)", field: "kinds")
        }
        var userGid: String?
        if let person = params.person {
            guard let user = try await store.user(workspaceGid: params.workspace, gidOrEmail: person) else {
                throw RPCError.invalidParams(
                    "Invalid params: \"person\" names no one this server has seen in workspace \(params.workspace) (a user gid or an email)",
                    field: "person")
            }
            userGid = user.gid
        }
        let page: AccessChangePage
        do {
            page = try await store.listAccessChanges(AccessChangeQuery(
                workspaceGid: params.workspace, from: from, before: before, userGid: userGid, kinds: params.kinds.map(Set.init),
                limit: limit, cursor: params.cursor))
        } catch AccessStoreError.invalidCursor {
            throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued for this query", field: "cursor")
        }
        return ListAccessChanges.Result(
            workspace: WorkspaceRef(gid: workspace.gid, name: workspace.name, isOrganization: workspace.isOrganization),
            from: from, before: before, changes: page.changes, nextCursor: page.nextCursor)
    }
}
