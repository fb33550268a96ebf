import AccessProtocol
import NIOCore
import NIOTLS

/// Closes a connection that is too slow in one of two ways, both of which an idle timeout misses
/// because bytes keep trickling in:
/// - the TLS handshake has not completed within `handshakeTimeout` after the connection opened;
/// - a line has been started but the server has waited `lineTimeout` in all for the rest of it (a
///   client sending one byte a second). That connection first gets a `-32600` /
///   `limit.line_seconds` answer.
///
/// Only time the server spends waiting for the client counts towards `lineTimeout`: from a `read`
/// passing through this handler (the server asks for more bytes) to the bytes arriving. While the
/// server applies back-pressure it does not read, so a line whose rest sits unread in the socket
/// buffer is not blamed on the client.
///
/// Sits after the TLS handler (it sees decrypted bytes, the handshake event and the `read`s that
/// go to the socket) and before the line decoder.
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handshakeTimeout: TimeAmount
    private let lineTimeout: TimeAmount
    private var handshakeDeadline: Scheduled<Void>?
    /// A line has started (bytes after the last LF) and has not ended.
    private var lineStarted = false
    /// Time spent waiting for the client since the current line started.
    private var waitedForLine: TimeAmount = .zero
    /// Set while a `read` is outstanding during a started line.
    private var waitingSince: NIODeadline?
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

    func read(context: ChannelHandlerContext) {
        if lineStarted, waitingSince == nil {
            waitingSince = .now()
            armLineDeadline(context: context, in: lineTimeout - waitedForLine)
        }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        stopWaiting()
        let bytes = unwrapInboundIn(data).readableBytesView
        if let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            // A line ended: whatever follows its LF is a new line, with a fresh allowance.
            waitedForLine = .zero
            lineStarted = lastNewline != bytes.index(before: bytes.endIndex)
        } else if !bytes.isEmpty {
            lineStarted = true
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        lineDeadline?.cancel()
        context.fireChannelInactive()
    }

    private func stopWaiting() {
        guard let since = waitingSince else { return }
        waitedForLine = waitedForLine + (NIODeadline.now() - since)
        waitingSince = nil
        lineDeadline?.cancel()
        lineDeadline = nil
    }

    private func armLineDeadline(context: ChannelHandlerContext, in delay: TimeAmount) {
        let timeout = lineTimeout
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        lineDeadline = context.eventLoop.scheduleTask(in: max(delay, .zero)) {
            let seconds = Int64(timeout.nanoseconds / 1_000_000_000)
            let refusal = RPCResponse(id: .null, outcome: .error(.lineTimedOut(seconds: seconds)))
            guard let line = try? AnswerLine.line(refusal) else {
                loopBound.value.close(promise: nil)
                return
            }
            loopBound.value.writeAndFlush(NIOAny(line)).whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }

    private func armHandshakeDeadline(context: ChannelHandlerContext) {
        guard handshakeDeadline == nil else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        handshakeDeadline = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            loopBound.value.close(promise: nil)
        }
    }
}

extension RPCError {
    /// `-32600 limit.line_seconds`: a started line did not end within `seconds` of the server waiting for it.
    static func lineTimedOut(seconds: Int64) -> RPCError {
        .invalidRequest("A line took longer than \(seconds) s to arrive; closing the connection",
                        name: "limit.line_seconds", details: ["maximumLineSeconds": .integer(seconds)])
    }
}
