/// Why an ``AsanaSimulator`` could not start.
public enum AsanaSimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ``AsanaSimulator/start()`` was called while it was already running.
    case alreadyStarted
    /// The server stopped before it was listening (for example the address was in use); carries the reason.
    case notListening(String)

    public var description: String {
        switch self {
        case .alreadyStarted: return "the Asana simulator is already running; call stop() first"
        case .notListening(let reason): return "the Asana simulator could not start listening: \(reason)"
        }
    }
}
