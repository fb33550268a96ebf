import Hummingbird

/// Hummingbird request context carrying the authenticated caller (set by ``SimulatorMiddleware``).
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// gid of the user whose bearer token made the request; empty before authentication.
    var caller: String = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
