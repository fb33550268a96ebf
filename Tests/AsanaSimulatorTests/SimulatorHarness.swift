import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import Testing

@testable import AsanaSimulator

/// Tokens of ``TestSeeds/organization(users:)``.
enum TestTokens {
    static let admin = "admin-token"
    static let member = "member-token"
    static let outsider = "outsider-token"
}

/// Small hand-made seeds with known contents.
enum TestSeeds {
    /// Organization `1000` (`acme.example`) with `users` active users: `1001` Ada Admin (admin, token
    /// `admin-token`), `1002` Max Member (token `member-token`), then `Person 3` … ; team `3001` "Engineering"
    /// (members 1001, 1002) and `3002` "Design" (member 1003). Workspace `2000` "Other" holds only `1999`
    /// (token `outsider-token`).
    static func organization(users: Int = 10) -> SimulatorSeed {
        var seed = SimulatorSeed()
        seed.workspaces = [
            .init(gid: "1000", name: "Acme Corp", isOrganization: true, emailDomains: ["acme.example"]),
            .init(gid: "2000", name: "Other", isOrganization: true, emailDomains: ["other.example"]),
        ]
        for index in 1...users {
            let gid = String(1000 + index)
            let name = index == 1 ? "Ada Admin" : index == 2 ? "Max Member" : "Person \(index)"
            let email = index == 1 ? "ada.admin@acme.example" : index == 2 ? "max.member@acme.example" : "person\(index)@acme.example"
            seed.users.append(.init(gid: gid, name: name, email: email))
            seed.workspaceMemberships.append(.init(gid: String(10_000 + index), user: gid, workspace: "1000", isAdmin: index == 1))
        }
        seed.users.append(.init(gid: "1999", name: "Olga Outsider", email: "olga@other.example"))
        seed.workspaceMemberships.append(.init(gid: "19999", user: "1999", workspace: "2000", isAdmin: true))
        seed.teams = [
            .init(gid: "3001", name: "Engineering", organization: "1000"),
            .init(gid: "3002", name: "Design", organization: "1000"),
        ]
        seed.teamMemberships = [
            .init(gid: "30011", user: "1001", team: "3001"),
            .init(gid: "30012", user: "1002", team: "3001"),
            .init(gid: "30023", user: "1003", team: "3002"),
        ]
        seed.tokens = [
            .init(token: TestTokens.admin, user: "1001"), .init(token: TestTokens.member, user: "1002"),
            .init(token: TestTokens.outsider, user: "1999"),
        ]
        return seed
    }
}

/// A settable clock for rate-limit and offset-expiry tests.
final class FakeClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var now: Date { current.withLock { $0 } }

    func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// One HTTP answer, with the body parsed as JSON when possible.
struct Reply {
    let status: Int
    let headers: [(String, String)]
    let text: String
    let json: Any?

    /// Case-insensitive header lookup.
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Top-level object.
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// `data` as an object.
    var dataObject: [String: Any] { object["data"] as? [String: Any] ?? [:] }
    /// `data` as an array of objects.
    var dataArray: [[String: Any]] { object["data"] as? [[String: Any]] ?? [] }
    /// `errors[0].message`.
    var errorMessage: String? { (object["errors"] as? [[String: Any]])?.first?["message"] as? String }
    /// `errors[0]`.
    var firstError: [String: Any] { (object["errors"] as? [[String: Any]])?.first ?? [:] }
}

/// A running simulator plus an HTTP client pointed at it.
struct SimulatorClient {
    let simulator: AsanaSimulator

    /// `GET baseURL + path` with `Authorization: Bearer <token>` (none when nil).
    func get(_ path: String, token: String? = TestTokens.admin, headers: [(String, String)] = []) async throws -> Reply {
        try await send("GET", path, token: token, headers: headers, body: nil)
    }

    /// `POST baseURL + path` with a JSON body.
    func post(_ path: String, json: String, token: String? = TestTokens.admin) async throws -> Reply {
        try await send("POST", path, token: token, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
    }

    /// `POST` of `{"data":{"user":"<user>"}}`.
    func post(_ path: String, user: String, token: String? = TestTokens.admin) async throws -> Reply {
        try await post(path, json: #"{"data":{"user":"\#(user)"}}"#, token: token)
    }

    func send(_ method: String, _ path: String, token: String?, headers: [(String, String)], body: [UInt8]?) async throws -> Reply {
        var request = HTTPClientRequest(url: simulator.baseURL + path)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        let bytes = Array(buffer.readableBytesView)
        let json = try? JSONSerialization.jsonObject(with: Data(bytes))
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            text: String(decoding: bytes, as: UTF8.self), json: json)
    }
}

/// Starts a simulator on 127.0.0.1 port 0, runs `body`, stops it (also when `body` throws).
func withSimulator<T>(
    seed: SimulatorSeed = TestSeeds.organization(), configuration: SimulatorConfiguration = .init(),
    _ body: (SimulatorClient) async throws -> T
) async throws -> T {
    var logger = Logger(label: "asana-sim-test")
    logger.logLevel = .warning
    let simulator = AsanaSimulator(seed: seed, configuration: configuration, logger: logger)
    try await simulator.start()
    do {
        let result = try await body(SimulatorClient(simulator: simulator))
        await simulator.stop()
        return result
    } catch {
        await simulator.stop()
        throw error
    }
}

/// The gids of `data` items.
func gids(_ items: [[String: Any]]) -> [String] { items.compactMap { $0["gid"] as? String } }
