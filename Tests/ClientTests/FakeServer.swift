import AccessProtocol
import Foundation
import LineRPC
import Logging

/// A small `LineRPC` server on 127.0.0.1 (any free port) answering the methods of asana-accessd with
/// fixed data, so the client can be run against real TLS and real JSON-RPC lines.
///
/// - `ping` → ``AccessProtocol/Ping/Result`` (identity `cert:<client cert CN>`, role admin)
/// - `listUsers` → pages of 2 people (3 in all, one with unknown flags) keyed by `cursor` "p2";
///   workspace "404" → error 1001 `workspace.not_synced`; a cursor "loop" → nextCursor "loop" for ever
/// - `sync` → counts, with three `sync.progress` notifications (one with done and total) when `progress` is true
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
        static let memberNames: Set<String> = ["workspace", "active", "admin", "guest", "team", "query", "includeDeparted", "changedSince", "fields", "limit", "cursor"]
        var workspace: String
        var changedSince: JSONValue?
        var fields: [String]?
        var active: Bool?
        var limit: Int?
        var cursor: String?
        var team: String?
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
                identity: context.session.certificateCommonName.map { Identity(principal: "cert:\($0)", role: "admin") })
        }
        table.register("listUsers", summary: "listUsers", access: .anyone, params: ListUsers.self) { _, params in
            guard params.workspace == "1000" else {
                throw RPCError(code: 1001, name: "workspace.not_synced", message: "Workspace \(params.workspace) has not been synced yet; run sync first")
            }
            var result: [String: JSONValue] = ["workspace": workspace, "syncedAt": .string("2025-01-02T00:00:00Z")]
            // Echoed so tests see what the client sent.
            if let changedSince = params.changedSince { result["changedSince"] = changedSince }
            if let fields = params.fields { result["fieldsAsked"] = .array(fields.map { .string($0) }) }
            if params.team == "Nobody" {  // a query that matches no one
                result["users"] = .array([])
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
        table.register("sync", summary: "sync", access: .anyone, params: Sync.self) { context, params in
            // Built from the protocol's own types, as the server builds them.
            if params.progress == true {
                for step in [AccessProtocol.Sync.Progress(workspace: params.workspace, phase: "users"),
                             .init(workspace: params.workspace, phase: "teamMemberships", done: 3, total: 20),
                             .init(workspace: params.workspace, phase: "commit", done: 0, total: 1)] {
                    await context.notify(AccessProtocol.Sync.progressNotification, params: step)
                }
            }
            return AccessProtocol.Sync.Result(
                workspace: WorkspaceRef(gid: "1000", name: "Acme Corp", isOrganization: true), runId: 7, status: .succeeded, skipped: [],
                users: 3, added: 1, updated: 0, departed: 1, teams: 2, teamMemberships: 2, apiCalls: 12, rateLimited: 0, durationMs: 1234,
                capabilities: .init(membershipFlags: true, teams: true), finishedAt: JSONDecoder.parseProtocolTimestamp("2025-01-02T00:00:01Z")!)
        }
        table.register("getWorkspaceStatus", summary: "getWorkspaceStatus", access: .anyone, params: WorkspaceStatus.self) { _, _ in
            JSONValue.object([
                "workspace": .object(["gid": .string("1000"), "name": .string("Acme Corp")]),
                "credentials": .array([.object(["purpose": .string("sync"), "kind": .string("pat"), "fingerprint": .string("sha256:51687ed908a8"),
                                                "updatedAt": .string("2025-01-01T00:00:00Z")])]),
                "lastRun": .object(["id": .integer(9), "workspaceGid": .string("1000"), "trigger": .string("schedule"), "status": .string("failed"),
                                    "startedAt": .string("2025-01-02T00:00:00Z"), "finishedAt": .string("2025-01-02T00:00:01Z"), "counts": .null,
                                    "apiCalls": .integer(1), "error": .string("Asana refused the credential (1100 upstream.unauthorized)")]),
                "nextScheduledRunAt": .null, "schedule": .string("paused"),
                "pausedReason": .string("Asana refused the credential (1100 upstream.unauthorized); scheduled syncs of this workspace are paused"),
                "capabilities": .null,
            ])
        }
        table.register("provision", summary: "provision", access: .anyone, params: Provision.self) { _, params in
            var targets: [JSONValue] = [.object(["type": .string("workspace"), "gid": .string("1000"), "name": .string("Acme Corp"), "outcome": .string("added")])]
            for team in params.teams ?? [] {
                if team == "Design" {
                    targets.append(.object(["type": .string("team"), "gid": .string("201"), "name": .string("Design"), "outcome": .string("failed"),
                                            "error": .object(["code": .integer(2003), "message": .string("Asana refused: not allowed"),
                                                              "data": .object(["name": .string("upstream.forbidden")])])]))
                } else {
                    targets.append(.object(["type": .string("team"), "gid": .string("200"), "name": .string(team), "outcome": .string("alreadyMember")]))
                }
            }
            return JSONValue.object([
                "workspace": workspace, "action": .string(params.action),
                "user": .object(["gid": .string("42"), "name": .string("new"), "email": .string(params.email)]),
                "targets": .array(targets),
            ])
        }
        return table
    }
}
