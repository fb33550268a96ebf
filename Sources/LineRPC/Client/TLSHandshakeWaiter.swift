import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// Completes `handshake` when the client's TLS handshake finishes, or fails it with the first error (or the
/// close) that comes before: a host-name or certificate failure is then reported as the TLS failure it is,
/// not as the closed channel a first write would meet.
///
/// After the handshake it keeps the first TLS error in `laterFailure`: under TLS 1.3 the server checks the
/// client certificate only after the client's side has finished, so its refusal (a `certificate_required`
/// alert) arrives as the client writes; the client then reports that error, not the closed channel.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let handshake: EventLoopPromise<Void>
    private let laterFailure: TLSFailureBox
    private var done = false

    init(handshake: EventLoopPromise<Void>, laterFailure: TLSFailureBox) {
        self.handshake = handshake
        self.laterFailure = laterFailure
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if done { laterFailure.record(error) }
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

/// The first TLS error seen after the handshake, if any (see ``TLSHandshakeWaiter``).
final class TLSFailureBox: Sendable {
    private let error = Mutex<(any Error)?>(nil)

    func record(_ failure: any Error) {
        // A peer that closes without close_notify is a closed connection, not a TLS refusal.
        if let sslError = failure as? NIOSSLError, case .uncleanShutdown = sslError { return }
        guard failure is NIOSSLError || failure is BoringSSLError || failure is NIOSSLExtraError else { return }
        error.withLock { if $0 == nil { $0 = failure } }
    }

    var value: (any Error)? { error.withLock { $0 } }
}
