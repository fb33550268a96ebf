import Hummingbird
import NIOCore

/// Hummingbird request context carrying the authenticated caller (set by ``SimulatorMiddleware``).
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// gid of the user whose bearer token made the request; empty before authentication.
    var caller: String = ""
    /// The token's granular scopes; `nil` = full permission (https://developers.asana.com/docs/oauth-scopes).
    var scopes: [String]?
    /// The connection, so a fault can close it without an answer.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
