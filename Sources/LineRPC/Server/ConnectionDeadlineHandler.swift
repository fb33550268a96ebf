import NIOCore
import NIOTLS

/// Closes a connection that is too slow in one of two ways, both of which an idle timeout misses
/// because bytes keep trickling in:
/// - the TLS handshake has not completed within `handshakeTimeout` after the connection opened;
/// - a line has been started but its LF has not arrived within `lineTimeout` (a client sending
///   one byte a second). That connection first gets a `-32600` / `limit.line_seconds` answer.
///
/// Sits after the TLS handler (it sees decrypted bytes and the handshake event) and before the line decoder.
final class ConnectionDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handshakeTimeout: TimeAmount
    private let lineTimeout: TimeAmount
    private var handshakeDeadline: Scheduled<Void>?
    private var lineDeadline: Scheduled<Void>?

    init(handshakeTimeout: TimeAmount, lineTimeout: TimeAmount) {
        self.handshakeTimeout = handshakeTimeout
        self.lineTimeout = lineTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armHandshakeDeadline(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armHandshakeDeadline(context: context)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            handshakeDeadline?.cancel()
            handshakeDeadline = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if bytes.readableBytesView.last == UInt8(ascii: "\n") {
            lineDeadline?.cancel()
            lineDeadline = nil
        } else if lineDeadline == nil, bytes.readableBytes > 0 {
            let timeout = lineTimeout
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            lineDeadline = context.eventLoop.scheduleTask(in: timeout) {
                let seconds = Int64(timeout.nanoseconds / 1_000_000_000)
                let refusal = RPCResponse(id: .null, outcome: .error(.invalidRequest(
                    "A line took longer than \(seconds) s to arrive; closing the connection",
                    name: "limit.line_seconds", details: ["maximumLineSeconds": .integer(seconds)])))
                guard let line = try? RPCLineWriter.line(refusal) else {
                    loopBound.value.close(promise: nil)
                    return
                }
                loopBound.value.writeAndFlush(NIOAny(line)).whenComplete { _ in loopBound.value.close(promise: nil) }
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        lineDeadline?.cancel()
        context.fireChannelInactive()
    }

    private func armHandshakeDeadline(context: ChannelHandlerContext) {
        guard handshakeDeadline == nil else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        handshakeDeadline = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            loopBound.value.close(promise: nil)
        }
    }
}
