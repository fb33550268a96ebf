/// What `GET /readyz` answers: ready (200), or not ready with the reason (503).
public enum Readiness: Sendable, Equatable {
    case ready
    /// Not ready; the reason is the answer's body, e.g. `draining` or `RPC listener not bound yet`.
    case notReady(String)
}
