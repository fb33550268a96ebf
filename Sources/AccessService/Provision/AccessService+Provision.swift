import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

extension AccessService {
    /// People provisioned at once in one `users` call. Each person's steps run one after another,
    /// so at most this many Asana writes are in flight, within Asana's 15 concurrent writes (https://developers.asana.com/docs/rate-limits).
    static let provisionConcurrency = 8

    /// Adds people to, or removes them from, a workspace and its teams, with the workspace's
    /// `provision` credential (whose user must be a workspace admin: Asana OpenAPI operation `removeUserForWorkspace`).
    ///
    /// Current membership is read first, so a repeated call changes nothing and says so
    /// (`alreadyMember`, `notMember`). Adds go workspace first, then teams. A failed step is reported
    /// in its target and stops that person's later steps; other people go on. Teams are resolved
    /// (by gid or exact name) before anything changes. With `dryRun`, nothing is written: the
    /// answer says what would happen and which calls would be made.
    ///
    /// Guests: in an organization, adding an email outside its `email_domains` (Asana makes that person a guest)
    /// is refused in the person's workspace target with `provision.outside_domain` (1044), nothing sent, unless
    /// `allowGuest` is true; `user.guest` says which side of the domains the email is on (dry runs too).
    /// Every Asana write is journaled ahead (``ProvisionJournal``): its intent is committed before it is sent
    /// (`provision.intent` audit event), its outcome after (`provision.outcome`); intents a crash left open are
    /// settled by ``reconcileProvisionIntents(upTo:)`` on the next start.
    /// - Throws: `-32602`, `credential.missing`, `team.not_found`, `team.ambiguous`, `upstream.*` when nothing was changed.
    public func provision(_ params: Provision.Params, principal: String?) async throws -> Provision.Result {
        var params = params
        params.workspace = try await resolveWorkspace(params.workspace)  // a name becomes its gid before anything else
        guard let key = params.idempotencyKey else { return try await provisionOnce(params, principal: principal) }
        guard (1...128).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw RPCError.invalidParams("Invalid params: \"idempotencyKey\" must be 1 to 128 printable ASCII characters without spaces", field: "idempotencyKey")
        }
        return try await idempotencyGate.withLease(key, busy: { AccessError.idempotencyInProgress(key) }) {
            try await provisionIdempotently(params, key: key, principal: principal)
        }
    }

    /// How long an idempotency key's answer is kept and replayed: 24 hours.
    public static let idempotencyLifetime: TimeInterval = 24 * 3600

    private func provisionIdempotently(_ params: Provision.Params, key: String, principal: String?) async throws -> Provision.Result {
        var unkeyed = params
        unkeyed.idempotencyKey = nil
        let encoder = JSONEncoder.protocolEncoder()
        let paramsHash = IdempotencyRecord.paramsHash(of: String(decoding: try encoder.encode(unkeyed), as: UTF8.self))
        if let record = try await store.idempotencyRecord(key: key, at: now()) {
            guard record.method == "provision", record.paramsHash == paramsHash else { throw AccessError.idempotencyConflict(key) }
            logger.info("replayed an idempotent provision", metadata: ["idempotencyKey": "\(key)"])
            return try Self.storedProvisionAnswer(record.result)
        }
        let answer = try await provisionOnce(unkeyed, principal: principal, idempotencyKey: key)
        let at = now()
        try await store.saveIdempotencyRecord(IdempotencyRecord(
            key: key, method: "provision", paramsHash: paramsHash,
            result: String(decoding: try encoder.encode(answer), as: UTF8.self),
            createdAt: at, expiresAt: at.addingTimeInterval(Self.idempotencyLifetime)))
        return answer
    }

    /// A stored answer as it was sent. One stored before answers carried `ok` and `outcomes` gets them
    /// here: they follow from its targets.
    /// - Throws: `DecodingError` when the text is not a provision answer.
    static func storedProvisionAnswer(_ text: String) throws -> Provision.Result {
        let decoder = JSONDecoder.protocolDecoder()
        if let answer = try? decoder.decode(Provision.Result.self, from: Data(text.utf8)) { return answer }
        guard case .object(var members) = try decoder.decode(JSONValue.self, from: Data(text.utf8)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a stored provision answer is not an object"))
        }
        let targets = try (members["results"].map { try $0.decoded(as: [Provision.PersonResult].self).flatMap(\.targets) }
            ?? members["targets"]?.decoded(as: [Provision.Target].self) ?? [])
        let outcomes = Provision.Outcomes(counting: targets)
        members["outcomes"] = try JSONValue(encoding: outcomes)
        members["ok"] = .bool(outcomes.failed == 0)
        return try JSONValue.object(members).decoded(as: Provision.Result.self)
    }

    private func provisionOnce(_ params: Provision.Params, principal: String?, idempotencyKey: String? = nil) async throws -> Provision.Result {
        try Self.checkGid(params.workspace)
        let requests = try params.requests()
        for (index, request) in requests.enumerated() where !Self.looksLikeEmail(request.email) {
            throw RPCError.invalidParams("Invalid params: \"\(request.email)\" is not an email address",
                                         field: params.users == nil ? "email" : "users[\(index)].email")
        }
        let dryRun = params.dryRun ?? false
        if !dryRun { try await provisionGate.wait() }
        guard !dryRun else { return try await provisionWriting(params, requests: requests, principal: principal, journal: nil) }
        let journal = ProvisionJournal(service: self, callId: UUID().uuidString.lowercased(),
                                       principal: principal ?? "anonymous", idempotencyKey: idempotencyKey)
        // The call's lease (`provision:<call id>`) tells every server that its intents have a live writer: they are
        // reconciled only once it is gone (see reconcileProvisionIntents).
        return try await provisionCallGate.withLease(journal.callId, busy: { RPCError.internalError("a provision call id was drawn twice") }) {
            try await provisionWriting(params, requests: requests, principal: principal, journal: journal)
        }
    }

    /// The Asana reads and writes of one provision call (`journal` nil for a dry run), its history and its audit event.
    private func provisionWriting(_ params: Provision.Params, requests: [Provision.Request], principal: String?,
                                  journal: ProvisionJournal?) async throws -> Provision.Result {
        let dryRun = journal == nil
        let client = try await self.client(workspace: params.workspace, purpose: .provision)
        do {
            let details = try await client.workspace(gid: params.workspace)
            let workspace = WorkspaceRef(gid: details.gid, name: details.name ?? details.gid, isOrganization: details.isOrganization ?? false)
            let teams = try await resolveTeamsLive(Set(requests.flatMap { $0.teams ?? [] }), workspace: params.workspace, client: client)
            let provisioner = requests.contains { $0.action == .remove && ($0.teams ?? []).isEmpty } ? try await client.me().gid : nil
            let results = await withTaskGroup(of: (Int, Provision.PersonResult).self) { group in
                var pending = requests.enumerated().makeIterator()
                func startNext() {
                    guard let (index, request) = pending.next() else { return }
                    group.addTask {
                        let run = ProvisionRun(client: client, workspace: workspace, emailDomains: details.emailDomains ?? [],
                                               email: request.email.trimmingCharacters(in: .whitespaces), dryRun: dryRun, provisionerGid: provisioner,
                                               allowGuest: params.allowGuest ?? false, journal: journal)
                        let personTeams = (request.teams ?? []).compactMap { teams[$0] }
                        switch request.action {
                        case .add: await run.add(teams: personTeams)
                        case .remove: await run.remove(teams: personTeams)
                        }
                        return (index, Provision.PersonResult(action: request.action, user: run.user, targets: run.targets))
                    }
                }
                for _ in 0..<min(Self.provisionConcurrency, requests.count) { startNext() }
                var ordered = [Provision.PersonResult?](repeating: nil, count: requests.count)
                for await (index, result) in group {
                    ordered[index] = result
                    startNext()
                }
                return ordered.compactMap { $0 }
            }
            if !dryRun {
                for result in results {
                    try await recordProvision(result, workspace: params.workspace, principal: principal ?? "anonymous", callId: journal?.callId ?? "")
                }
            }
            let answer: Provision.Result = params.users == nil
                ? .one(Provision.SingleResult(workspace: workspace, dryRun: dryRun, action: results[0].action, user: results[0].user, targets: results[0].targets))
                : .many(Provision.BulkResult(workspace: workspace, dryRun: dryRun, results: results))
            let failed = results.contains { $0.targets.contains { $0.outcome == .failed } }
            try await audit(principal: principal, method: dryRun ? "provision.dryRun" : "provision", params: params, result: answer,
                            outcome: failed ? "partial" : "ok")
            return answer
        } catch let error as AsanaAPIError {
            let rpcError = AccessError.upstream(error)
            try? await audit(principal: principal, method: "provision", params: params, result: ["error": rpcError], outcome: rpcError.name ?? "upstream")
            throw rpcError
        }
    }

    private static func looksLikeEmail(_ text: String) -> Bool {
        let email = text.trimmingCharacters(in: .whitespaces)
        guard let at = email.firstIndex(of: "@"), email.filter({ $0 == "@" }).count == 1 else { return false }
        return at != email.startIndex && email.index(after: at) != email.endIndex && !email.contains(where: \.isWhitespace)
    }

    /// Resolves teams by gid or exact name against Asana's live list (the snapshot may be older).
    private func resolveTeamsLive(_ names: Set<String>, workspace: String, client: AsanaClient) async throws -> [String: AsanaTeam] {
        guard !names.isEmpty else { return [:] }
        let all = try await client.teams(workspace: workspace)
        var resolved: [String: AsanaTeam] = [:]
        for wanted in names.sorted() {
            if let byGid = all.first(where: { $0.gid == wanted }) {
                resolved[wanted] = byGid
                continue
            }
            let named = all.filter { $0.name == wanted }
            switch named.count {
            case 1: resolved[wanted] = named[0]
            case 0:
                let close = CloseNames.close(to: wanted, among: all) { $0.name ?? "" }.map { (gid: $0.gid, name: $0.name ?? $0.gid) }
                throw AccessError.teamNotFound(wanted, workspace: workspace, closeNames: close)
            default: throw AccessError.teamAmbiguous(wanted, gids: named.map(\.gid))
            }
        }
        return resolved
    }

    /// Writes what a provision changed into the snapshot, so `listUsers` shows it before the next sync.
    /// History records each change with `principal` and the call's `callId` (its journal's).
    private func recordProvision(_ result: Provision.PersonResult, workspace: String, principal: String, callId: String) async throws {
        guard let gid = result.user.gid, try await store.workspace(gid: workspace) != nil else { return }
        let workspaceTarget = result.targets.first { $0.type == .workspace }
        let workspaceAction: ProvisionChange.WorkspaceAction =
            switch (result.action, workspaceTarget?.outcome) {
            case (.add, .added?), (.add, .invited?), (.add, .alreadyMember?): .added
            case (.remove, .removed?): .removed
            default: .none
            }
        let teamTargets = result.targets.filter { $0.type == .team }
        let teamsAdded = result.action == .add
            ? teamTargets.filter { $0.outcome == .added || $0.outcome == .alreadyMember }.map { SnapshotTeam(gid: $0.gid, name: $0.name ?? $0.gid) }
            : []
        let teamsRemoved = result.action == .remove
            ? teamTargets.filter { $0.outcome == .removed || $0.outcome == .notMember }.map(\.gid)
            : []
        try await store.applyProvisionChange(ProvisionChange(
            workspaceGid: workspace,
            user: SnapshotUser(gid: gid, name: result.user.name, email: result.user.email,
                               isActive: workspaceAction == .added ? true : (workspaceAction == .removed ? false : nil),
                               // Guest: known for an add (outside the email domains, or Asana's own flag); admin and view-only are not.
                               isAdmin: nil, isGuest: result.action == .add ? result.user.guest : nil, isViewOnly: nil),
            workspaceAction: workspaceAction, teamsAdded: teamsAdded, teamsRemoved: teamsRemoved,
            principal: principal, callId: callId), at: now())
    }
}
