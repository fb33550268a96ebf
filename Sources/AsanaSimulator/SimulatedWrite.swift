/// One membership write that reached a write route (`POST …/addUser`, `…/removeUser`), as the simulator handled
/// it: a test hook (``AsanaSimulator/writeLog()``, `GET /-/sim/writes`) so a test can check that every write Asana
/// received is accounted for. Requests stopped before the route (fault, 401, 429) are not in it.
public struct SimulatedWrite: Sendable, Equatable, Hashable, Codable {
    /// `POST`.
    public var method: String
    /// The path relative to `/api/1.0`, e.g. `/workspaces/1000/addUser`, `/teams/3001/removeUser`.
    public var path: String
    /// The `user` value sent (gid, email or `me`), trimmed.
    public var user: String
    /// The answer's HTTP status: 200 when applied (or already so), else Asana's refusal.
    public var status: Int

    /// Creates a value from all of its fields.
    public init(method: String, path: String, user: String, status: Int) {
        self.method = method
        self.path = path
        self.user = user
        self.status = status
    }

    /// `{"method", "path", "user", "status"}`.
    var json: JSONValue {
        .object([("method", .string(method)), ("path", .string(path)), ("user", .string(user)), ("status", .number(Double(status)))])
    }
}

extension Storage {
    /// Runs a membership write and appends it to ``writeLog`` with its status (200, or the thrown error's).
    mutating func logWrite<R>(path: String, user: String, _ body: (inout Storage) throws(AsanaErrorBody) -> R) throws(AsanaErrorBody) -> R {
        do {
            let result = try body(&self)
            writeLog.append(SimulatedWrite(method: "POST", path: path, user: user, status: 200))
            return result
        } catch {
            writeLog.append(SimulatedWrite(method: "POST", path: path, user: user, status: Int(error.status.code)))
            throw error
        }
    }
}
