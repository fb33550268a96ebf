import AccessProtocol
import AsyncHTTPClient
import Foundation
import LineRPC
import TestSupport
import Testing

/// Issue 10, item 6, through the real binaries: `kill -9` of `asana-accessd` during a bulk `provision`, then a
/// restart; every membership write the simulator received has an audit record saying what became of it.
@Suite("End to end: provision writes survive kill -9 in the audit log", .serialized)
struct CrashAuditEndToEndTests {
    /// GETs `url` (with the simulator's admin token) and parses the JSON answer.
    static func getJSON(_ url: String) async throws -> JSONValue {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(SimulatorSecret.admin)")
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 16 << 20)
            try await client.shutdown()
            guard response.status.code == 200 else { throw HarnessError("GET \(url): HTTP \(response.status.code)") }
            return try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// POSTs to a simulator test hook (no body).
    static func post(_ url: String) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            try await client.shutdown()
            guard response.status.code == 200 else { throw HarnessError("POST \(url): HTTP \(response.status.code)") }
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// How many membership writes the simulator holds at its gate now.
    static func heldWrites(_ env: EndToEndTests.Environment) async throws -> Int64 {
        guard case .integer(let held)? = try await getJSON(root(env) + "/-/sim/writes")["held"] else { throw HarnessError("no held count") }
        return held
    }

    /// The simulator's root (its base URL without `/api/1.0`).
    static func root(_ env: EndToEndTests.Environment) -> String {
        String(env.simulatorURL.dropLast("/api/1.0".count))
    }

    /// The membership writes the simulator received so far (`GET /-/sim/writes`): `POST <path> {"user":…}` with status.
    static func simulatorWrites(_ env: EndToEndTests.Environment) async throws -> [(call: String, status: Int64)] {
        guard case .array(let items)? = try await getJSON(root(env) + "/-/sim/writes")["data"] else { throw HarnessError("no write log") }
        return items.compactMap { item in
            guard let path = item["path"]?.stringValue, let user = item["user"]?.stringValue, case .integer(let status)? = item["status"] else { return nil }
            return (#"POST \#(path) {"user":\#(JSONValue.string(user).jsonText)}"#, status)
        }
    }

    /// Every audit event of `method`, oldest first, through `listAuditEvents` (all pages).
    static func auditEvents(_ env: EndToEndTests.Environment, method: String) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        var cursor: String?
        repeat {
            var params: [String: JSONValue] = ["method": .string(method), "limit": .integer(1000)]
            if let cursor { params["cursor"] = .string(cursor) }
            let text = String(decoding: try JSONEncoder().encode(JSONValue.object(params)), as: UTF8.self)
            let page = try await env.client(["call", "listAuditEvents", "--params", text])
            guard page.status == 0, case .array(let items)? = page.json?["items"] else { throw HarnessError("listAuditEvents failed: \(page.stderr)") }
            events += items
            cursor = page.json?["nextCursor"]?.stringValue
        } while cursor != nil
        return events.reversed()
    }

    /// The intent id an event's params name.
    static func intentId(_ event: JSONValue) -> Int64? {
        guard let text = event["params"]?.stringValue, let params = try? JSONValue(strictJSON: text), case .integer(let id)? = params["intent"] else { return nil }
        return id
    }

    static func param(_ event: JSONValue, _ name: String) -> String? {
        guard let text = event["params"]?.stringValue, let params = try? JSONValue(strictJSON: text) else { return nil }
        return params[name]?.stringValue
    }

    /// Starts the bulk `provision` with the real client, without waiting for it.
    static func startBulk(_ env: EndToEndTests.Environment, params: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("asana-access"))
        process.arguments = ["call", "provision", "--params", params] + env.connection + ["--json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `condition` holds, checking again as soon as the last check returned; fails after `limit`
    /// (a bound far above what the condition needs, never a pause that makes it hold).
    static func waitUntil(_ what: String, limit: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
        guard try await eventually(within: limit, every: .milliseconds(10), condition) else { throw HarnessError("gave up waiting for \(what)") }
    }

    @Test("kill -9 three times during a 50-person bulk provision (150 writes), each while Asana holds a write: after restarts, every write the simulator received has an intent settled as done or applied in the audit log")
    func killDuringBulkProvision() async throws {
        let env = try await EndToEndTests.Environment(users: 60, teams: 3)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", "provision",
                                            "--asana-base-url", env.simulatorURL], input: env.secret + "\n")
        #expect(put.status == 0, "\(put.stderr)")
        guard case .array(let teamList)? = try await Self.getJSON(env.simulatorURL + "/workspaces/\(env.workspace)/teams")["data"] else {
            Issue.record("no teams")
            return
        }
        let teams = teamList.prefix(2).compactMap { $0["gid"]?.stringValue }
        #expect(teams.count == 2)
        let people = (0..<50).map { "crash.\($0)@acme.example" }
        let users = JSONValue.array(people.map { .object(["email": .string($0), "action": .string("add"), "teams": .array(teams.map(JSONValue.string))]) })
        let params = String(decoding: try JSONEncoder().encode(JSONValue.object(["workspace": .string(env.workspace), "users": users])), as: UTF8.self)

        // One Asana write at a time, so that when the simulator holds one, no other is on its way.
        let serial = ["--asana-max-concurrent-writes", "1"]
        try await env.startServer(extraArguments: serial)
        var killed = 0
        for _ in 0..<3 {
            let before = try await Self.simulatorWrites(env).count
            // 20 more writes are applied, the 21st is held at the simulator: the server waits for its answer.
            try await Self.post(Self.root(env) + "/-/sim/write-gate?allow=20")
            let bulk = try Self.startBulk(env, params: params)
            try await Self.waitUntil("a write held at the simulator") { try await Self.heldWrites(env) == 1 }
            #expect(try await Self.simulatorWrites(env).count == before + 20)
            #expect(bulk.isRunning, "the bulk call is still running when the server is killed")
            #expect(await env.server?.stop(signal: SIGKILL) == SIGKILL)
            killed += 1
            try await onOwnThread { bulk.waitUntilExit() }
            #expect(bulk.terminationStatus != 0, "the client saw its server die")
            // The held write reaches Asana after its sender died: no outcome can be recorded for it.
            try await Self.post(Self.root(env) + "/-/sim/write-gate")
            try await Self.waitUntil("the held write applied") { try await Self.simulatorWrites(env).count == before + 21 }
            try await env.startServer(extraArguments: serial)
        }
        #expect(killed == 3)
        #expect(try await Self.simulatorWrites(env).count == 63, "each kill interrupted the bulk call after 21 writes")

        // The same call once more, to the end: people already done are skipped.
        let final = try await env.client(["call", "provision", "--params", params])
        #expect(final.status == 0, "\(final.stderr)")

        // The restarts reconcile in the background: wait until every intent has its outcome or reconciliation.
        var intents: [JSONValue] = []
        var settled: [Int64: JSONValue] = [:]
        try await Self.waitUntil("every intent settled") {
            intents = try await Self.auditEvents(env, method: "provision.intent")
            settled = [:]
            for event in try await Self.auditEvents(env, method: "provision.outcome") + Self.auditEvents(env, method: "provision.reconciled")
            where event["outcome"]?.stringValue != "undetermined" {
                if let id = Self.intentId(event) { settled[id] = event }
            }
            return intents.allSatisfy { Self.intentId($0).map { settled[$0] != nil } ?? false }
        }
        let reconciled = settled.values.filter { $0["method"]?.stringValue == "provision.reconciled" }
        #expect(reconciled.filter { $0["outcome"]?.stringValue == "applied" }.count == 3,
                "each kill left the held write without an outcome; the restart found it applied")

        // Every write that reached Asana is named by an intent that says it happened (done, or applied after restart).
        let received = try await Self.simulatorWrites(env)
        #expect(received.allSatisfy { $0.status == 200 })
        var happened: [String: Int] = [:]
        for intent in intents {
            guard let id = Self.intentId(intent), let end = settled[id], let call = Self.param(intent, "call") else { continue }
            if ["done", "applied"].contains(end["outcome"]?.stringValue) { happened[call, default: 0] += 1 }
        }
        var sent: [String: Int] = [:]
        for write in received { sent[write.call, default: 0] += 1 }
        for (call, count) in sent {
            #expect((happened[call] ?? 0) >= count, "\(call): received \(count) times, audited as happened \(happened[call] ?? 0) times")
        }
        // And nothing is audited as happened that Asana never received.
        for (call, count) in happened {
            #expect((sent[call] ?? 0) >= count, "\(call) is audited as happened but Asana did not receive it")
        }
        // Asana ends with all 50 people in the workspace and both teams: 150 distinct writes.
        #expect(Set(received.map(\.call)).count == 150)

        #expect(await env.server?.stop(signal: SIGTERM) == 0)
        let offline = try await run("asana-accessd", ["audit", "verify", "--data-dir", env.data])
        #expect(offline.status == 0, "\(offline.stderr)")
    }
}
