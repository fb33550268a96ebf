import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A faithful in-process Asana REST API over HTTP on loopback, seeded from a ``SimulatorSeed``.
///
/// Serves, below `/api/1.0` (the full table with upstream sources is in
/// `Sources/AsanaSimulator/README.md`):
/// `GET /users/me`, `GET /users/{gid|email|me}`, `GET /users?workspace=&team=`, `GET /workspaces/{gid}/users`,
/// `GET /teams/{gid}/users` (both capped at 2,000), `GET /workspaces`,
/// `GET /workspaces/{gid}`, `GET /workspaces/{gid}/workspace_memberships[?user=]`, `GET /workspaces/{gid}/teams`,
/// `GET /teams/{gid}`, `GET /teams/{gid}/team_memberships`, `POST /workspaces/{gid}/addUser`,
/// `POST /workspaces/{gid}/removeUser`, `POST /teams/{gid}/addUser`, `POST /teams/{gid}/removeUser`;
/// and, at the server root (https://developers.asana.com/docs/oauth), `GET /-/oauth_authorize`, `POST /-/oauth_token`, `POST /-/oauth_revoke`
/// for the seed's ``SimulatorSeed/oauthApps``.
///
/// ```swift
/// let sim = AsanaSimulator(seed: .generated(users: 250), configuration: .init(), logger: logger)
/// let port = try await sim.start()          // binds 127.0.0.1:<free port>
/// // … point a client at sim.baseURL with "Authorization: Bearer demo-admin-token" …
/// await sim.stop()
/// ```
public final class AsanaSimulator: Sendable {
    private let configuration: SimulatorConfiguration
    private let logger: Logger
    private let store: SimulatorState
    private let faults = FaultQueue()
    private let limiter: RateLimiter
    private let concurrency: ConcurrencyLimiter
    private let paginator: Paginator
    private let oauth: OAuthRegistry
    private let writeGate = WriteGate()
    private let running = Mutex<Running>(Running())

    private struct Running: Sendable {
        var group: ServiceGroup?
        var task: Task<Void, Never>?
        var port: Int?
    }

    /// - Parameters:
    ///   - seed: the initial data; not validated here (see ``SimulatorSeed/validate()``).
    ///   - configuration: address, rate and concurrency limits, offset, code and access-token lifetimes, refresh-token
    ///     rotation, clock.
    ///   - logger: Hummingbird's and the simulator's logger (tokens are never logged).
    public init(seed: SimulatorSeed, configuration: SimulatorConfiguration = .init(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        store = SimulatorState(seed: seed)
        oauth = OAuthRegistry(apps: seed.oauthApps, configuration: configuration)
        limiter = RateLimiter(requestsPerMinute: configuration.requestsPerMinute, retryAfterSeconds: configuration.retryAfterSeconds)
        concurrency = ConcurrencyLimiter(maxReads: configuration.maxConcurrentReads, maxWrites: configuration.maxConcurrentWrites)
        paginator = Paginator(secret: UInt64.random(in: .min ... .max), lifetime: configuration.offsetLifetime, now: configuration.now)
    }

    /// Binds `configuration.host:port` and serves in a background task (a `ServiceGroup`) until ``stop()``.
    /// - Returns: the bound TCP port (useful with port 0).
    /// - Throws: ``AsanaSimulatorError/alreadyStarted``, or ``AsanaSimulatorError/notListening(_:)`` when binding fails.
    @discardableResult
    public func start() async throws -> Int {
        let (events, continuation) = AsyncStream<Result<Int, AsanaSimulatorError>>.makeStream()
        let app = makeApplication { port in continuation.yield(.success(port)) }
        var groupConfiguration = ServiceGroupConfiguration(services: [app], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        let alreadyRunning = running.withLock { running -> Bool in
            if running.task != nil { return true }
            running.group = group
            running.task = Task {
                do {
                    try await group.run()
                    continuation.yield(.failure(.notListening("the server stopped")))
                } catch {
                    continuation.yield(.failure(.notListening("\(error)")))
                }
                continuation.finish()
            }
            return false
        }
        if alreadyRunning {
            continuation.finish()
            throw AsanaSimulatorError.alreadyStarted
        }
        for await event in events {
            switch event {
            case .success(let port):
                let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
                store.write { $0.baseURL = "http://\(host):\(port)\(RouteEnvironment.basePath)" }
                running.withLock { $0.port = port }
                logger.info("asana simulator listening", metadata: ["port": "\(port)"])
                return port
            case .failure(let error):
                await stop()
                throw error
            }
        }
        throw AsanaSimulatorError.notListening("the server stopped")
    }

    /// Stops serving: graceful shutdown (open requests finish, idle connections close; forced after 5 s),
    /// then waits for the server task. Safe to call when not running.
    public func stop() async {
        let (group, task) = running.withLock { running -> (ServiceGroup?, Task<Void, Never>?) in
            defer { running = Running() }
            return (running.group, running.task)
        }
        await group?.triggerGracefulShutdown()
        await task?.value
    }

    /// `http://<host>:<port>/api/1.0` once ``start()`` returned; empty before.
    public var baseURL: String { store.read { $0.baseURL } }

    /// Every request received, in order, as `"GET /users?workspace=1000&limit=100"` (path relative to
    /// `/api/1.0`, raw query), including rejected ones (401, 429, faults). OAuth requests appear without secrets,
    /// codes or tokens: `"GET /-/oauth_authorize client_id=demo-client"`, `"POST /-/oauth_token grant_type=refresh_token"`,
    /// `"POST /-/oauth_revoke"`.
    public func requestLog() -> [String] { store.read { $0.requestLog } }

    /// Empties the request log.
    public func clearRequestLog() { store.write { $0.requestLog.removeAll() } }

    /// Every membership write that reached a write route (`POST /workspaces/{gid}/addUser|removeUser`,
    /// `POST /teams/{gid}/addUser|removeUser`), in order, with its answer's status; requests stopped before the route
    /// (faults, 401, 429) are not in it. Also served as `GET /-/sim/writes` (see ``SimulatedWrite``).
    public func writeLog() -> [SimulatedWrite] { store.read { $0.writeLog } }

    /// Lets `after` more membership writes through, then holds the next ones (received, not yet applied: the
    /// caller waits for its answer) until ``releaseWrites()`` or another call lets them pass, oldest first; also
    /// `POST /-/sim/write-gate?allow=N`. A held write is applied once released even if its client has gone.
    public func holdWrites(after: Int) { writeGate.set(allowance: max(0, after)) }

    /// Opens the gate of ``holdWrites(after:)``: held writes are applied, later ones pass; also `POST /-/sim/write-gate`.
    public func releaseWrites() { writeGate.set(allowance: nil) }

    /// Membership writes held by ``holdWrites(after:)`` right now.
    public var heldWriteCount: Int { writeGate.held }

    /// The current data after all writes (arrays sorted by gid), in seed form.
    public func state() -> SimulatorSeed { store.read { $0.snapshot } }

    /// Queues faults; each matching request uses one (see ``SimulatedFault``).
    public func injectFaults(_ faults: [SimulatedFault]) { self.faults.add(faults) }

    /// Requests of `token` holding a slot of the concurrent-request limiter now: for tests that must
    /// act while some are in flight, instead of sleeping and hoping.
    func requestsInFlight(token: String) -> (reads: Int, writes: Int) { concurrency.inFlight(token: token) }

    /// Drops every pending fault and the random fault plan (``injectedFaultCount`` keeps counting).
    public func clearFaults() { faults.clear() }

    /// Makes matching requests fail at random, deterministically for `plan.seed` and the order of requests (see
    /// ``RandomFaultPlan``); replaces an earlier plan. Queued faults (``injectFaults(_:)``) are used first.
    public func injectRandomFaults(_ plan: RandomFaultPlan) { faults.setRandomPlan(plan) }

    /// How many requests were answered with an injected status fault or had their connection closed by one, queued
    /// or random, since the simulator was created (latency faults are not counted).
    public var injectedFaultCount: Int { faults.appliedCount }

    /// Marks `userGid`'s memberships in `workspaceGid` as not re-addable (seed field `readdable: false`): once all of
    /// them are inactive (after `removeUser`, or already), `POST /workspaces/{gid}/addUser` of that person → 403
    /// `This user was deprovisioned and cannot be re-added to the organization` (chosen: a modelling choice of this simulator, not documented by Asana).
    /// - Returns: false when the person has no membership in that workspace (nothing changes).
    @discardableResult
    public func markNotReaddable(userGid: String, workspaceGid: String) -> Bool {
        store.write { $0.markNotReaddable(user: userGid, workspace: workspaceGid) }
    }

    /// As if `userGid` de-authorized every OAuth app: their refresh tokens and access tokens stop working at once
    /// (refresh → 400 `invalid_grant`, API calls → 401 `Not Authorized`), and their unused codes are dropped.
    /// Seeded tokens are not affected.
    public func revokeOAuthGrants(userGid: String) { oauth.revokeGrants(user: userGid) }

    /// Makes every OAuth access token issued so far expire now: API calls with them get 401
    /// `The bearer token has expired. Please refresh it to get a new one.`; refresh tokens keep working.
    public func expireAccessTokens() { oauth.expireAccessTokens() }

    private func makeApplication(onPort: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let router = Router(context: SimulatorRequestContext.self)
        router.add(
            middleware: SimulatorMiddleware(
                state: store, faults: faults, limiter: limiter, concurrency: concurrency,
                concurrencyRetryAfter: configuration.concurrencyRetryAfterSeconds, oauth: oauth, latency: configuration.latency,
                now: configuration.now))
        OAuthRoutes(state: store, registry: oauth).register(on: router)
        // Test hooks: the membership writes received so far, `{"data": [{"method", "path", "user", "status"}], "held": N}`,
        // and the write gate (`allow=N`: N more writes pass, then they are held; no `allow`: open).
        router.get("-/sim/writes") { [store, writeGate] _, _ in
            OAuthRoutes.json(.object([("data", .array(store.read { $0.writeLog }.map(\.json))), ("held", .number(Double(writeGate.held)))]))
        }
        router.post("-/sim/write-gate") { [writeGate] request, _ in
            let allow = QueryItems(rawQuery: request.uri.query)["allow"]
            guard let allow else {
                writeGate.set(allowance: nil)
                return OAuthRoutes.json(.object([]))
            }
            guard let count = Int(allow), count >= 0 else { return OAuthRoutes.plain(.badRequest, "allow must be a non-negative integer") }
            writeGate.set(allowance: count)
            return OAuthRoutes.json(.object([]))
        }
        // Benchmark hooks: API requests received and the most GETs one token had in flight at once, since the start or
        // the last reset: `{"requests": N, "peak_reads_in_flight": M}`; `POST /-/sim/stats/reset` starts both again.
        router.get("-/sim/stats") { [store, concurrency] _, _ in
            OAuthRoutes.json(.object([
                ("requests", .number(Double(store.read { $0.apiRequestCount }))),
                ("peak_reads_in_flight", .number(Double(concurrency.peakReads))),
            ]))
        }
        router.post("-/sim/stats/reset") { [store, concurrency] _, _ in
            store.write { $0.apiRequestCount = 0 }
            concurrency.resetPeak()
            return OAuthRoutes.json(.object([]))
        }
        let api = router.group(RouterPath(stringLiteral: String(RouteEnvironment.basePath.dropFirst())))
        let env = RouteEnvironment(state: store, paginator: paginator, writeGate: writeGate)
        UserRoutes(env: env).register(on: api)
        WorkspaceRoutes(env: env).register(on: api)
        TeamRoutes(env: env).register(on: api)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "asana-sim"),
            onServerRunning: { channel in onPort(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
