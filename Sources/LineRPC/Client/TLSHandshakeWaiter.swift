import NIOCore
import NIOSSL
import NIOTLS

/// Completes `handshake` when the client's TLS handshake finishes, or fails it with the first error (or the
/// close) that comes before: a host-name or certificate failure is then reported as the TLS failure it is,
/// not as the closed channel a first write would meet.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let handshake: EventLoopPromise<Void>
    private var done = false

    init(handshake: EventLoopPromise<Void>) {
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ChannelError.ioOnClosedChannel))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(ChannelError.ioOnClosedChannel))
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !done else { return }
        done = true
        handshake.completeWith(result)
    }
}
