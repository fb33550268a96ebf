import NIOCore
import Synchronization

/// Closes a connection when `IdleStateHandler` reports that nothing was read or written for its timeout,
/// unless a request of its server-side `session` is still being answered (a long call is not idleness;
/// `IdleStateHandler` reports again one timeout later). The client's read timeout uses it without a session.
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    let session: RPCSession?

    init(session: RPCSession? = nil) {
        self.session = session
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if (session?.callsInProgress.load(ordering: .relaxed) ?? 0) == 0 { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
