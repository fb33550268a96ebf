import Synchronization

/// The simulator's mutable world behind one lock: the seed's objects (indexed), the request log and the
/// base URL. Route handlers run their whole read or write inside one ``read(_:)``/``write(_:)`` call, so every
/// answer sees one consistent state.
final class SimulatorState: Sendable {
    private let storage: Mutex<Storage>

    /// Indexes `seed`; later duplicates of a gid, email or token replace earlier ones (run
    /// ``SimulatorSeed/validate()`` first to reject such seeds).
    init(seed: SimulatorSeed) {
        storage = Mutex(Storage(seed: seed))
    }

    /// Runs `body` with read access to the storage.
    func read<R: Sendable, E: Error>(_ body: (Storage) throws(E) -> R) throws(E) -> R {
        try storage.withLock { storage throws(E) -> R in try body(storage) }
    }

    /// Runs `body` with write access to the storage.
    func write<R: Sendable, E: Error>(_ body: (inout Storage) throws(E) -> R) throws(E) -> R {
        try storage.withLock { storage throws(E) -> R in try body(&storage) }
    }

    /// Appends one line to the request log.
    func log(_ line: String) { storage.withLock { $0.requestLog.append(line) } }

    /// The user gid a bearer token acts as, or nil for an unknown token.
    func userGid(forToken token: String) -> String? { storage.withLock { $0.tokens[token] } }

    /// The seeded token's user and granular scopes (`nil` scopes = full permission), or nil for an unknown token.
    func seededToken(_ token: String) -> (user: String, scopes: [String]?)? {
        storage.withLock { storage in storage.tokens[token].map { ($0, storage.tokenScopes[token]) } }
    }

    /// A fresh serial number for a 500 `phrase`.
    func nextErrorSerial() -> UInt64 {
        storage.withLock { storage in
            storage.errorSerial += 1
            return storage.errorSerial
        }
    }
}

/// The objects of the simulated Asana, indexed by gid. Domain rules (who may see or change what) live in
/// `Storage+Access.swift` and `Storage+Writes.swift`.
struct Storage: Sendable {
    var workspaces: [String: SimulatorSeed.Workspace] = [:]
    var users: [String: SimulatorSeed.User] = [:]
    /// Lower-cased email → user gid.
    var userGidByEmail: [String: String] = [:]
    var workspaceMemberships: [String: SimulatorSeed.WorkspaceMembership] = [:]
    var teams: [String: SimulatorSeed.Team] = [:]
    var teamMemberships: [String: SimulatorSeed.TeamMembership] = [:]
    /// Token → user gid.
    var tokens: [String: String] = [:]
    /// Token order, to return tokens as seeded.
    var tokenOrder: [String] = []
    /// Token → granular scopes, for seeded tokens that have them.
    var tokenScopes: [String: [String]] = [:]
    /// The seed's OAuth apps, as seeded (they do not change).
    var oauthApps: [SimulatorSeed.OAuthApp] = []
    /// The next gid to hand out (above every seeded numeric gid).
    var nextGid: UInt64 = 1
    /// `"GET /users?workspace=1000"` per request, in arrival order.
    var requestLog: [String] = []
    /// Membership writes that reached a write route, in order (``SimulatedWrite``).
    var writeLog: [SimulatedWrite] = []
    /// `http://host:port/api/1.0` once bound.
    var baseURL: String = ""
    var errorSerial: UInt64 = 0

    init(seed: SimulatorSeed) {
        var maxGid: UInt64 = 1000
        func note(_ gid: String) {
            if let value = UInt64(gid), value > maxGid { maxGid = value }
        }
        for w in seed.workspaces {
            workspaces[w.gid] = w
            note(w.gid)
        }
        for u in seed.users {
            users[u.gid] = u
            if let email = u.email { userGidByEmail[email.lowercased()] = u.gid }
            note(u.gid)
        }
        for m in seed.workspaceMemberships {
            workspaceMemberships[m.gid] = m
            note(m.gid)
        }
        for t in seed.teams {
            teams[t.gid] = t
            note(t.gid)
        }
        for m in seed.teamMemberships {
            teamMemberships[m.gid] = m
            note(m.gid)
        }
        for t in seed.tokens {
            if tokens[t.token] == nil { tokenOrder.append(t.token) }
            tokens[t.token] = t.user
            tokenScopes[t.token] = t.scopes
        }
        oauthApps = seed.oauthApps
        nextGid = maxGid + 1
    }

    /// The current state in seed form, every array sorted by gid.
    var snapshot: SimulatorSeed {
        func sorted<T>(_ values: Dictionary<String, T>.Values, _ gid: (T) -> String) -> [T] {
            values.sorted { gidLess(gid($0), gid($1)) }
        }
        return SimulatorSeed(
            workspaces: sorted(workspaces.values, \.gid), users: sorted(users.values, \.gid),
            workspaceMemberships: sorted(workspaceMemberships.values, \.gid), teams: sorted(teams.values, \.gid),
            teamMemberships: sorted(teamMemberships.values, \.gid),
            tokens: tokenOrder.compactMap { token in
                tokens[token].map { SimulatorSeed.Token(token: token, user: $0, scopes: tokenScopes[token]) }
            },
            oauthApps: oauthApps)
    }

    /// A new unique gid (digits).
    mutating func allocateGid() -> String {
        defer { nextGid += 1 }
        return String(nextGid)
    }
}
