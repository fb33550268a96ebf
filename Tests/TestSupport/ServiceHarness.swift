import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import AsanaSimulator
import Foundation
import LineRPC
import Logging
import Synchronization

/// A simulator on loopback, an in-memory store and the service wired to both.
public struct ServiceHarness: Sendable {
    /// The simulated Asana the service calls.
    public let simulator: AsanaSimulator
    /// The service's store, in memory.
    public let store: SQLiteAccessStore
    /// The service under test.
    public let service: AccessService
    /// What the simulator was seeded with.
    public let seed: SimulatorSeed
    /// The gid of the seed's first workspace (`Acme Corp`).
    public var workspace: String { seed.workspaces[0].gid }

    /// Starts a simulator seeded with a generated organization and stores its tokens
    /// (admin token for `provision`, member token for `sync`).
    /// `simulatorNow` replaces the simulator's clock (rate-limit windows, offset expiry); `adjustSeed` edits the
    /// generated seed before the simulator starts.
    public static func start(
        users: Int = 120, teams: Int = 4, storeCredentials: Bool = true, requestsPerMinute: Int = 1500,
        simulatorNow: (@Sendable () -> Date)? = nil, adjustSeed: (inout SimulatorSeed) -> Void = { _ in },
        adjustSimulator: (inout SimulatorConfiguration) -> Void = { _ in },
        serviceNow: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> ServiceHarness {
        var seed = SimulatorSeed.generated(users: users, teams: teams, seed: 7)
        adjustSeed(&seed)
        var configuration = SimulatorConfiguration(requestsPerMinute: requestsPerMinute)
        if let simulatorNow { configuration.now = simulatorNow }
        adjustSimulator(&configuration)
        let simulator = AsanaSimulator(seed: seed, configuration: configuration, logger: Logger(label: "test.sim"))
        _ = try await simulator.start()
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        let asana = AsanaClientFactory(
            configuration: AsanaClientConfiguration(baseURL: simulator.baseURL, backoffBase: .milliseconds(1), backoffCap: .milliseconds(5)),
            transport: HTTPClientAsanaTransport(timeout: .seconds(5)),
            logger: Logger(label: "test.asana"),
            // The same per-minute budget as the simulator's, so tests measure results, not the governor's waits.
            governorConfiguration: AsanaGovernorConfiguration(requestsPerMinute: requestsPerMinute))
        let service = AccessService(store: store, asana: asana, logger: Logger(label: "test.service"), now: serviceNow)
        let harness = ServiceHarness(simulator: simulator, store: store, service: service, seed: seed)
        if storeCredentials {
            try await store.putCredential(workspaceGid: harness.workspace, purpose: .provision, kind: .pat, secret: SimulatorSeed.demoAdminToken, at: Date())
            try await store.putCredential(workspaceGid: harness.workspace, purpose: .sync, kind: .pat, secret: SimulatorSeed.demoMemberToken, at: Date())
        }
        return harness
    }

    /// Stops the simulator.
    public func stop() async { await simulator.stop() }

    /// Every person in the snapshot, walking all pages.
    public func allUsers(includeDeparted: Bool = false, pageSize: Int = 37) async throws -> [Person] {
        var users: [Person] = []
        var cursor: String?
        repeat {
            let page = try await service.listUsers(ListUsers.Params(workspace: workspace, includeDeparted: includeDeparted, limit: pageSize, cursor: cursor))
            users += page.users
            cursor = page.nextCursor
        } while cursor != nil
        return users
    }
}

/// A clock that tests move forward: the real time plus an offset.
public final class ShiftedClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    /// A clock starting at no offset.
    public init() {}

    /// The shifted time, as a function to hand to the code under test.
    public var now: @Sendable () -> Date { { [self] in Date().addingTimeInterval(offset.withLock { $0 }) } }

    /// Moves the clock `seconds` forward.
    public func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

extension ListUsers.Params {
    /// `listUsers` params with the members given (what a client would send, decoded as the server decodes it).
    public init(workspace: String, active: Bool? = nil, admin: Bool? = nil, guest: Bool? = nil, team: String? = nil, query: String? = nil,
         includeDeparted: Bool = false, limit: Int? = nil, cursor: String? = nil) {
        self.init(from: [
            "workspace": .string(workspace), "active": active.map(JSONValue.bool), "admin": admin.map(JSONValue.bool),
            "guest": guest.map(JSONValue.bool), "team": team.map(JSONValue.string), "query": query.map(JSONValue.string),
            "includeDeparted": .bool(includeDeparted), "limit": limit.map { .integer(Int64($0)) }, "cursor": cursor.map(JSONValue.string),
        ])
    }

    private init(from members: [String: JSONValue?]) {
        let data = try! JSONEncoder().encode(JSONValue.object(members.compactMapValues { $0 }))
        self = try! JSONDecoder().decode(ListUsers.Params.self, from: data)
    }
}

extension Provision.Params {
    /// `provision` params for one person (decoded as the server decodes them).
    public init(workspace: String, email: String, action: Provision.Action, teams: [String]? = nil, dryRun: Bool = false) {
        var members: [String: JSONValue] = ["workspace": .string(workspace), "email": .string(email), "action": .string(action.rawValue), "dryRun": .bool(dryRun)]
        if let teams { members["teams"] = .array(teams.map(JSONValue.string)) }
        let data = try! JSONEncoder().encode(JSONValue.object(members))
        self = try! JSONDecoder().decode(Provision.Params.self, from: data)
    }

    /// `provision` params with a `users` list (decoded as the server decodes them).
    public init(workspace: String, users: [Provision.Request], dryRun: Bool = false) {
        let usersData = try! JSONEncoder().encode(users)
        let usersValue = try! JSONDecoder().decode(JSONValue.self, from: usersData)
        let data = try! JSONEncoder().encode(JSONValue.object(["workspace": .string(workspace), "users": usersValue, "dryRun": .bool(dryRun)]))
        self = try! JSONDecoder().decode(Provision.Params.self, from: data)
    }
}

extension ServiceHarness {
    /// `provision` for one person.
    public func provisionOne(_ params: Provision.Params, principal: String?) async throws -> Provision.SingleResult {
        guard case .one(let result) = try await service.provision(params, principal: principal) else {
            throw RPCError.internalError("expected a single-person answer")
        }
        return result
    }

    /// `provision` with a `users` list.
    public func provisionMany(_ params: Provision.Params, principal: String?) async throws -> Provision.BulkResult {
        guard case .many(let result) = try await service.provision(params, principal: principal) else {
            throw RPCError.internalError("expected a bulk answer")
        }
        return result
    }
}
