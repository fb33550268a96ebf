import AccessProtocol
import Foundation
import LineRPC
import Logging
import TestSupport

/// A small `LineRPC` server on 127.0.0.1 (any free port) answering the methods of asana-accessd with
/// fixed data, so the client can be run against real TLS and real JSON-RPC lines.
///
/// - `ping` → ``AccessProtocol/Ping/Result`` (identity `cert:<client cert CN>`, role admin)
/// - `listUsers` → pages of 2 people (3 in all, one with unknown flags) keyed by `cursor` "p2";
///   workspace "404" → error 1001 `workspace.not_synced`; a cursor "loop" → nextCursor "loop" for ever
/// - `sync` → counts, with three `sync.progress` notifications (one with done and total) when `progress` is true;
///   workspace "2000" first a `waiting` one (30 s, `rateLimited`)
/// - `provision` → the workspace added, a team "Design" failed with 403 `upstream.forbidden`
enum FakeServer {
    /// Starts the server, runs `body` with its port, then stops it.
    /// - Parameters:
    ///   - mutualTLS: require a client certificate signed by the test CA.
    ///   - dnsOnly: serve the certificate that names only `localhost` (no IP address).
    static func with<Result>(certificates: TestCertificates, mutualTLS: Bool = false, dnsOnly: Bool = false,
                             _ body: (Int) async throws -> Result) async throws -> Result {
        let tls = try TLSSettings.server(
            certificateChain: dnsOnly ? certificates.dnsOnlyServerCertificate : certificates.serverCertificate,
            privateKey: dnsOnly ? certificates.dnsOnlyServerKey : certificates.serverKey,
                                         clientTrustRoots: mutualTLS ? certificates.caCertificate : nil)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = RPCServer(
            configuration: RPCServerConfiguration(host: "127.0.0.1", port: 0, tls: tls),
            methods: methods,
            logger: Logger(label: "fake-asana-accessd", factory: { _ in SwiftLogNoOpLogHandler() }),
            onListening: { address in
                continuation.yield(address.port ?? 0)
                continuation.finish()
            })
        let task = Task {
            defer { continuation.finish() }
            try await server.run()
        }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            _ = try await task.value
            throw FakeServerError.didNotListen
        }
        return try await body(port)
    }

    enum FakeServerError: Error { case didNotListen }

    struct Ping: RPCParams { static let memberNames: Set<String> = [] }

    struct ListUsers: RPCParams {
        static let memberNames: Set<String> = ["workspace", "active", "admin", "guest", "team", "query", "includeDeparted", "changedSince", "asOf", "fields", "limit", "cursor"]
        var workspace: String
        var changedSince: JSONValue?
        var asOf: JSONValue?
        var fields: [String]?
        var active: Bool?
        var limit: Int?
        var cursor: String?
        var team: String?
    }

    struct AccessChanges: RPCParams {
        static let memberNames: Set<String> = ["workspace", "since", "until", "person", "kinds", "limit", "cursor"]
        var workspace: String
        var since: JSONValue
    }

    struct Sync: RPCParams {
        static let memberNames: Set<String> = ["workspace", "progress"]
        var workspace: String
        var progress: Bool?
    }

    struct WorkspaceStatus: RPCParams {
        static let memberNames: Set<String> = ["workspace"]
        var workspace: String
    }

    struct Provision: RPCParams {
        static let memberNames: Set<String> = ["workspace", "email", "action", "teams"]
        var workspace: String
        var email: String
        var action: String
        var teams: [String]?
    }

    static let workspace: JSONValue = .object(["gid": .string("1000"), "name": .string("Acme Corp"), "isOrganization": .bool(true)])

    /// A person as the server answers one: built from the protocol's own type.
    static func user(_ gid: String, _ name: String, active: Bool?, admin: Bool?, teams: [String], departedAt: String? = nil) -> JSONValue {
        let day = JSONDecoder.parseProtocolTimestamp("2025-01-01T00:00:00Z")!
        let person = Person(
            gid: gid, name: name, email: name.lowercased().replacingOccurrences(of: " ", with: ".") + "@acme.example",
            isActive: active, isAdmin: admin, isGuest: false, isViewOnly: nil,
            teams: teams.enumerated().map { .init(gid: "20\($0.offset)", name: $0.element, isAdmin: nil, isGuest: nil, isLimitedAccess: nil) },
            firstSeenAt: day, lastSeenAt: day.addingTimeInterval(86_400), departedAt: departedAt.flatMap(JSONDecoder.parseProtocolTimestamp),
            changedAt: day, change: nil)
        return (try? JSONValue(encoding: person)) ?? .null
    }

    static var methods: RPCMethodTable {
        var table = RPCMethodTable()
        table.register("ping", summary: "ping", access: .anyone, params: Ping.self) { context, _ in
            // Built from the protocol's own type, as the server builds it.
            AccessProtocol.Ping.Result(
                server: "fake-asana-accessd", version: "9.9.9", protocolVersion: "1.0", time: Date(timeIntervalSince1970: 1_735_787_045),
                identity: context.session.certificateCommonName.map { Identity(principal: "cert:\($0)", role: "admin") }, limits: context.limits)
        }
        table.register("listUsers", summary: "listUsers", access: .anyone, params: ListUsers.self) { _, params in
            guard params.workspace == "1000" else {
                throw RPCError(code: 1001, name: "workspace.not_synced", message: "Workspace \(params.workspace) has not been synced yet; run sync first")
            }
            var result: [String: JSONValue] = ["workspace": workspace, "syncedAt": .string("2025-01-02T00:00:00Z")]
            // Echoed so tests see what the client sent.
            if let changedSince = params.changedSince { result["changedSince"] = changedSince }
            if let asOf = params.asOf { result["asOfAsked"] = asOf }
            if let fields = params.fields { result["fieldsAsked"] = .array(fields.map { .string($0) }) }
            if params.team == "Nobody" {  // a query that matches no one
                result["users"] = .array([])
                return JSONValue.object(result)
            }
            if params.team == "Escapes" {  // a name with terminal escape sequences and a newline
                result["users"] = .array([user("9", "Eve\u{1B}[31mRED\u{1B}[0m\u{1B}]0;pwned\u{07}\nX", active: true, admin: false, teams: [])])
                return JSONValue.object(result)
            }
            switch params.cursor {
            case nil:
                result["users"] = .array([
                    user("1", "Ada Admin", active: true, admin: true, teams: ["Engineering", "Design"]),
                    user("2", "Bob Builder", active: nil, admin: nil, teams: []),
                ])
                result["nextCursor"] = .string("p2")
            case "p2":
                result["users"] = .array([user("3", "Cy Gone", active: false, admin: false, teams: [], departedAt: "2025-01-02T00:00:00Z")])
            case "loop":
                result["users"] = .array([])
                result["nextCursor"] = .string("loop")
            default:
                throw RPCError.invalidParams("Invalid params: \"cursor\" is not a cursor this server issued for this query", field: "cursor")
            }
            // `fields`: gid and the named members only, as the server answers.
            if let fields = params.fields, case .array(let users)? = result["users"] {
                result["users"] = .array(users.map { user in
                    guard case .object(let members) = user else { return user }
                    return .object(members.filter { $0.key == "gid" || fields.contains($0.key) })
                })
            }
            return JSONValue.object(result)
        }
        table.register("listAccessChanges", summary: "listAccessChanges", access: .anyone, params: AccessChanges.self) { _, _ in
            // One change a sync saw and one a provision made, built from the protocol's own type.
            let seen = JSONDecoder.parseProtocolTimestamp("2025-01-02T00:00:00Z")!
            let changes = [
                AccessChange(id: 7, kind: .adminGranted, person: .init(gid: "1", name: "Ada Admin", email: "ada.admin@acme.example"), team: nil,
                             before: ["isAdmin": false], after: ["isAdmin": true], observedAt: seen, notBefore: seen.addingTimeInterval(-3600),
                             syncRunId: 12, provision: nil),
                AccessChange(id: 8, kind: .teamJoined, person: .init(gid: "2", name: "Bob Builder", email: nil), team: .init(gid: "200", name: "Design"),
                             before: nil, after: ["isAdmin": .null, "isGuest": .null, "isLimitedAccess": .null], observedAt: seen.addingTimeInterval(60),
                             notBefore: seen.addingTimeInterval(60), syncRunId: nil, provision: .init(principal: "token:okta", callId: "c-1")),
            ]
            return try JSONValue(encoding: ListAccessChanges.Result(
                workspace: .init(gid: "1000", name: "Acme Corp", isOrganization: true), from: seen.addingTimeInterval(-86_400), before: nil,
                changes: changes, nextCursor: nil))
        }
        table.register("sync", summary: "sync", access: .anyone, params: Sync.self) { context, params in
            // Built from the protocol's own types, as the server builds them.
            // Workspace 2000 is held by Asana's rate limit: a `waiting` notification first.
            if params.progress == true, params.workspace == "2000" {
                await context.notify(AccessProtocol.Sync.progressNotification,
                                     params: AccessProtocol.Sync.Progress.waiting(workspace: "2000", seconds: 30, reason: .rateLimited))
            }
            if params.progress == true {
                for step in [AccessProtocol.Sync.Progress(workspace: params.workspace, phase: "users", requestId: context.requestID),
                             .init(workspace: params.workspace, phase: "teamMemberships", done: 3, total: 20, requestId: context.requestID),
                             .init(workspace: params.workspace, phase: "commit", done: 0, total: 1, requestId: context.requestID)] {
                    await context.notify(AccessProtocol.Sync.progressNotification, params: step)
                }
            }
            return AccessProtocol.Sync.Result(
                workspace: WorkspaceRef(gid: "1000", name: "Acme Corp", isOrganization: true), runId: 7, status: .succeeded, skipped: [],
                users: 3, added: 1, updated: 0, departed: 1, teams: 2, teamMemberships: 2, apiCalls: 12, rateLimited: 0, durationMs: 1234,
                capabilities: .init(membershipFlags: true, teams: true), finishedAt: JSONDecoder.parseProtocolTimestamp("2025-01-02T00:00:01Z")!)
        }
        table.register("getWorkspaceStatus", summary: "getWorkspaceStatus", access: .anyone, params: WorkspaceStatus.self) { _, _ in
            // Built from the protocol's own types, as the server builds them.
            let day = JSONDecoder.parseProtocolTimestamp("2025-01-01T00:00:00Z")!
            let reason = "Asana refused the credential (1100 upstream.unauthorized)"
            return GetWorkspaceStatus.Result(
                workspace: WorkspaceName(gid: "1000", name: "Acme Corp"),
                credentials: [.init(purpose: .sync, kind: .pat, fingerprint: "sha256:51687ed908a8", updatedAt: day,
                                    state: .active, stateReason: nil, oauth: nil)],
                lastRun: SyncRun(id: 9, workspaceGid: "1000", trigger: "schedule", status: .failed, startedAt: day.addingTimeInterval(86_400),
                                 finishedAt: day.addingTimeInterval(86_401), counts: nil, apiCalls: 1, error: reason),
                nextScheduledRunAt: nil, schedule: .paused,
                pausedReason: "\(reason); scheduled syncs of this workspace are paused", capabilities: nil)
        }
        table.register("provision", summary: "provision", access: .anyone, params: Provision.self) { _, params in
            // Built from the protocol's own types, as the server builds them.
            var targets = [AccessProtocol.Provision.Target(type: .workspace, gid: "1000", name: "Acme Corp", outcome: .added, calls: [])]
            for team in params.teams ?? [] {
                if team == "Design" {
                    targets.append(.init(type: .team, gid: "201", name: "Design", outcome: .failed, calls: [],
                                         error: RPCError(code: 2003, name: "upstream.forbidden", message: "Asana refused: not allowed")))
                } else {
                    targets.append(.init(type: .team, gid: "200", name: team, outcome: .alreadyMember, calls: []))
                }
            }
            return AccessProtocol.Provision.Result.one(.init(
                workspace: WorkspaceRef(gid: "1000", name: "Acme Corp", isOrganization: true), dryRun: false,
                action: AccessProtocol.Provision.Action(rawValue: params.action) ?? .add,
                user: .init(gid: "42", name: "new", email: params.email), targets: targets))
        }
        registerAdministration(in: &table)
        return table
    }
}

extension FakeServer {
    static let day = JSONDecoder.parseProtocolTimestamp("2025-01-01T00:00:00Z")!

    /// The admin methods the client's `sync-runs`, `audit`, `tokens` and `credentials` call, answered from the
    /// protocol's own types (registered by type, open to any connection):
    /// - `listSyncRuns`/`getSyncRun`: runs 8 (succeeded) and 9 (failed); another id → `1030 sync_run.not_found`
    /// - `listAuditEvents`: two events and `nextCursor` "c2" on the first page, none after
    /// - `listTokens`, `createToken` (echoes name and role), `revokeToken` (`done` only for "ci")
    /// - `listCredentials`, `putCredential` (echoes), `testCredential` (the `admin` check fails for purpose
    ///   provision), `deleteCredential` (`done` only for workspace 1000)
    static func registerAdministration(in table: inout RPCMethodTable) {
        let runs = [
            SyncRun(id: 9, workspaceGid: "1000", trigger: "schedule", status: .failed, startedAt: day.addingTimeInterval(7200),
                    finishedAt: day.addingTimeInterval(7201), counts: nil, apiCalls: 1, error: "Asana refused the credential (1100 upstream.unauthorized)"),
            SyncRun(id: 8, workspaceGid: "1000", trigger: "rpc:cert:dev-admin", status: .succeeded, startedAt: day.addingTimeInterval(3600),
                    finishedAt: day.addingTimeInterval(3602), counts: SnapshotCounts(users: 3, added: 1, updated: 0, departed: 1, teams: 2, teamMemberships: 2),
                    apiCalls: 12, error: nil),
        ]
        table.register(ListSyncRuns.self, access: .anyone) { _, params in
            ItemList(items: Array(runs.prefix(params.limit ?? 50)))
        }
        table.register(GetSyncRun.self, access: .anyone) { _, params in
            guard let run = runs.first(where: { $0.id == params.id }) else {
                throw RPCError(code: 1030, name: "sync_run.not_found", message: "No sync run \(params.id)")
            }
            return run
        }
        table.register(ListAuditEvents.self, access: .anyone) { _, params in
            guard params.cursor == nil else { return ListAuditEvents.Result(items: [], nextCursor: nil) }
            return ListAuditEvents.Result(items: [
                AuditEvent(id: 2, at: day.addingTimeInterval(60), principal: "token:ci", method: "provision", params: "{}", result: "{}", outcome: "partial"),
                AuditEvent(id: 1, at: day, principal: "cert:dev-admin", method: "createToken", params: "{}", result: "{}", outcome: "ok"),
            ], nextCursor: "c2")
        }
        table.register(ListTokens.self, access: .anyone) { _, _ in
            ItemList(items: [APITokenSummary(id: "0123456789abcdef", name: "ci", role: .operator, createdAt: day, lastUsedAt: nil, revokedAt: nil,
                                             expiresAt: day.addingTimeInterval(90 * 86_400))])
        }
        table.register(CreateToken.self, access: .anyone) { _, params in
            CreateToken.Result(token: "aat_0123456789abcdef_secret",
                               summary: APITokenSummary(id: "0123456789abcdef", name: params.name, role: params.role, createdAt: day,
                                                        lastUsedAt: nil, revokedAt: nil, expiresAt: nil))
        }
        table.register(RevokeToken.self, access: .anyone) { _, params in Done(done: params.name == "ci") }
        let credential = CredentialSummary(workspaceGid: "1000", purpose: .sync, kind: .pat, fingerprint: "sha256:51687ed908a8",
                                           createdAt: day, updatedAt: day)
        table.register(ListCredentials.self, access: .anyone) { _, _ in ItemList(items: [credential]) }
        table.register(PutCredential.self, access: .anyone) { _, params in
            CredentialSummary(workspaceGid: params.workspace, purpose: params.purpose, kind: params.kind,
                              fingerprint: "sha256:" + String(params.secret.count) + (params.force == true ? "+force" : "") + (params.check == false ? "+nocheck" : ""),
                              createdAt: day, updatedAt: day)
        }
        table.register(TestCredential.self, access: .anyone) { _, params in
            var checks: [TestCredential.Check] = [.init(name: "token", ok: true, detail: "the token is Ada Admin's"),
                                                  .init(name: "workspace", ok: true, detail: "Acme Corp is visible")]
            if params.purpose == .provision {
                checks.append(.init(name: "admin", ok: false, detail: "Ada Admin is not a workspace admin", fix: "store an admin's token"))
            }
            return TestCredential.Result(workspace: WorkspaceName(gid: params.workspace, name: "Acme Corp"), purpose: params.purpose,
                                         ok: checks.allSatisfy(\.ok), checks: checks, capabilities: .init(membershipFlags: true, teams: true))
        }
        table.register(DeleteCredential.self, access: .anyone) { _, params in
            DeleteCredential.Result(done: params.workspace == "1000", revokedAtAsana: nil)
        }
    }
}
