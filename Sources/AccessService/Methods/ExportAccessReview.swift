import AccessProtocol
import AccessStore
import Foundation
import LineRPC

extension AccessService {
    /// People read per store page while a chunk is built (``exportChunkBytes``).
    static let exportPageSize = 10

    /// The next chunk of an access review file of a workspace as of a moment: every present person with
    /// their workspace membership flags and, in CSV, one row per team with its rights.
    ///
    /// The moment is fixed by the first chunk (an absent `asOf` means the time of that call) and carried in the
    /// cursor, and the people come from history, so the chunks of one file are one consistent picture even
    /// while syncs commit. The first chunk is audited (`exportAccessReview`, who exported what as of when).
    /// - Throws: `-32602` for a bad `asOf` or cursor, or a cursor of another format or workspace;
    ///   `workspace.not_synced`; `history.before_first_sync`; `history.pruned`; `sync_run.not_found`.
    public func exportAccessReview(_ params: ExportAccessReview.Params, principal: String?) async throws -> ExportAccessReview.Result {
        try Self.checkGid(params.workspace)
        let workspace = try await syncedWorkspace(params.workspace)
        let asOf: Date
        var userCursor: String?
        if let text = params.cursor {
            guard let cursor = ExportCursor.decode(text), cursor.f == params.format.rawValue, cursor.w == params.workspace else {
                throw RPCError.invalidParams(
                    "Invalid params: \"cursor\" is not a cursor this server issued for this workspace and format", field: "cursor")
            }
            asOf = Date(timeIntervalSince1970: Double(cursor.t) / 1000)
            userCursor = cursor.c
        } else if let value = params.asOf {
            asOf = try await asOfMoment(value, workspace: workspace)
        } else {
            asOf = Self.wholeMilliseconds(now())
        }
        try Self.checkKept(asOf, workspace: workspace)
        if params.since != nil, params.format != .html {
            throw RPCError.invalidParams("Invalid params: \"since\" applies to the html format only", field: "since")
        }
        let ref = WorkspaceRef(gid: workspace.gid, name: workspace.name, isOrganization: workspace.isOrganization)
        let encoder = JSONEncoder.protocolEncoder()
        var chunk = ""
        if params.cursor == nil {
            switch params.format {
            case .csv: chunk = AccessReviewFile.csvHeader
            case .jsonl: break
            case .html:
                chunk = AccessReviewHTML.head(try await reviewFacts(params, workspace: workspace, ref: ref, asOf: asOf, principal: principal))
            }
        }
        var rows = 0
        var standing: StandingRun?
        repeat {
            let page: UserPage
            do {
                page = try await store.listUsers(UserQuery(workspaceGid: params.workspace, asOf: asOf, limit: Self.exportPageSize, cursor: userCursor))
            } catch AccessStoreError.invalidCursor {
                throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued", field: "cursor")
            }
            guard let run = page.standingRun else {
                throw AccessError.historyBeforeFirstSync(params.workspace, asOf: asOf)
            }
            standing = run
            for user in page.users {
                let person = Person(user, members: nil)
                switch params.format {
                case .csv:
                    let lines = AccessReviewFile.csvRows(person, workspace: ref, asOf: asOf)
                    chunk += lines.joined()
                    rows += lines.count
                case .jsonl:
                    chunk += try AccessReviewFile.jsonLine(person, encoder: encoder)
                    rows += 1
                case .html:
                    let lines = AccessReviewHTML.rows(person)
                    chunk += lines.joined()
                    rows += lines.count
                }
            }
            userCursor = page.nextCursor
        } while userCursor != nil && chunk.utf8.count < exportChunkBytes
        guard let standing else { throw RPCError.internalError("no page was read") }
        if userCursor == nil, params.format == .html { chunk += AccessReviewHTML.tail }
        let stands = ListUsers.AsOf(time: asOf, syncRunId: standing.id, historyFrom: workspace.historyFrom ?? standing.finishedAt)
        if params.cursor == nil {
            try await audit(principal: principal, method: ExportAccessReview.name,
                            params: ["workspace": params.workspace, "format": params.format.rawValue, "asOf": JSONEncoder.protocolTimestamp(asOf)],
                            result: ["syncRunId": standing.id], outcome: "ok")
        }
        let next = userCursor.map {
            ExportCursor(w: params.workspace, f: params.format.rawValue, t: Int64((asOf.timeIntervalSince1970 * 1000).rounded()), c: $0).encoded()
        }
        return ExportAccessReview.Result(workspace: ref, format: params.format, asOf: stands, chunk: chunk, rows: rows, nextCursor: next)
    }
}

extension AccessService {
    /// What an HTML review says above its table: counts now and over time, the period's changes, provenance.
    /// - Throws: `-32602` for a bad `since` or one after `asOf`; `history.before_first_sync`; storage errors.
    func reviewFacts(_ params: ExportAccessReview.Params, workspace: StoredWorkspace, ref: WorkspaceRef, asOf: Date,
                     principal: String?) async throws -> AccessReviewHTML.Facts {
        let oneMillisecond: TimeInterval = 0.001
        var since = asOf.addingTimeInterval(-ExportAccessReview.defaultPeriod)
        if let value = params.since {
            since = switch try await resolveMoment(value, param: "since", workspace: params.workspace, dayMeans: "from its start, UTC") {
            case .time(let time): time
            case .day(let start): start
            case .run(_, let finishedAt): finishedAt.addingTimeInterval(oneMillisecond)
            }
            guard since <= asOf else { throw RPCError.invalidParams("Invalid params: \"since\" must not be after \"asOf\"", field: "since") }
            try Self.checkKept(since, workspace: workspace)
        } else if let kept = workspace.historyPrunedBefore {
            since = max(since, kept)  // the default period starts no earlier than the kept history
        }
        let probe = try await store.listUsers(UserQuery(workspaceGid: params.workspace, asOf: asOf, includeTeams: false, limit: 1))
        guard let run = probe.standingRun else {
            throw AccessError.historyBeforeFirstSync(params.workspace, asOf: asOf)
        }
        let historyFrom = workspace.historyFrom ?? run.finishedAt
        // The chart: evenly spaced moments from the start of history to asOf.
        let start = min(historyFrom, asOf)
        let points = ExportAccessReview.chartPoints
        let step = asOf.timeIntervalSince(start) / Double(points - 1)
        let moments = step <= 0 ? [asOf] : (0..<points).map { start.addingTimeInterval(Double($0) * step) }
        let series = try await store.accessCounts(workspaceGid: params.workspace, at: moments)
        let end = asOf.addingTimeInterval(oneMillisecond)
        let changeCounts = try await store.accessChangeCounts(workspaceGid: params.workspace, from: since, before: end)
        let changes = try await store.listAccessChanges(AccessChangeQuery(
            workspaceGid: params.workspace, from: since, before: end, limit: ExportAccessReview.maximumListedChanges)).changes
        let (anchor, report) = try await store.auditChainHead()
        return AccessReviewHTML.Facts(
            workspace: ref, asOf: ListUsers.AsOf(time: asOf, syncRunId: run.id, historyFrom: historyFrom), syncedAt: run.finishedAt,
            since: since, now: series.last ?? AccessCounts(at: asOf, people: 0, admins: 0, guests: 0, viewOnly: 0), series: series,
            changeCounts: changeCounts, changes: changes, moreChanges: max(0, changeCounts.values.reduce(0, +) - changes.count),
            provenance: AccessReviewHTML.Provenance(
                serverVersion: Self.serverVersion, generatedAt: now(), principal: principal ?? "anonymous",
                auditHeadId: anchor.seq, auditHeadMAC: anchor.mac.map { String(format: "%02x", $0) }.joined(), auditChainIntact: report.isIntact))
    }
}

/// The opaque cursor of `exportAccessReview`: base64url (no padding) of JSON `{w, f, t, c}`: the workspace,
/// the format, the moment (Unix milliseconds) and the listing cursor of the next person.
struct ExportCursor: Codable, Equatable {
    var w: String
    var f: String
    var t: Int64
    var c: String

    /// The longest cursor text accepted, in characters.
    static let maximumLength = 8192

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return ((try? encoder.encode(self)) ?? Data()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Nil unless `text` is a cursor `encoded()` could have made.
    static func decode(_ text: String) -> ExportCursor? {
        guard !text.isEmpty, text.count <= maximumLength,
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let cursor = try? JSONDecoder().decode(ExportCursor.self, from: data),
              !cursor.c.isEmpty, cursor.t >= 0 else { return nil }
        return cursor
    }
}
