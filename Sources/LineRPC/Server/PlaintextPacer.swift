import NIOCore

/// Hands answer bytes to TLS only as fast as the socket takes them: at most `sliceBytes` at a time,
/// and none while the channel is not writable.
///
/// Why: NIOSSL turns every flushed byte into TLS records at once, so an answer written whole to a client
/// that does not read would be held twice (its plaintext, charged to the connection's room, and its
/// records waiting for the socket). Placed just above the TLS handler, this keeps the plaintext here, in
/// write order, and lets through one slice each time the socket drains. Promises complete in order, when
/// the last slice of their write has been handed on and written.
final class PlaintextPacer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Writes not yet handed on, in order. Small at first: an idle connection has none, a busy one grows it.
    private var pending = CircularBuffer<(buffer: ByteBuffer, promise: EventLoopPromise<Void>?)>(initialCapacity: 2)
    private var flushed = 0  // how many of `pending` (from the front) were flushed
    private let sliceBytes: Int

    init(sliceBytes: Int = 64 << 10) {
        precondition(sliceBytes > 0, "a slice must hold at least one byte")
        self.sliceBytes = sliceBytes
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        pending.append((unwrapOutboundIn(data), promise))
    }

    func flush(context: ChannelHandlerContext) {
        flushed = pending.count
        forward(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { forward(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(ChannelError.ioOnClosedChannel)
    }

    /// Hands on flushed bytes, a slice at a time, while the channel is writable.
    private func forward(context: ChannelHandlerContext) {
        while flushed > 0, context.channel.isWritable {
            var first = pending.removeFirst()
            if first.buffer.readableBytes <= sliceBytes {
                flushed -= 1
                context.write(wrapOutboundOut(first.buffer), promise: first.promise)
            } else {
                let slice = first.buffer.readSlice(length: sliceBytes)!
                pending.prepend(first)
                context.write(wrapOutboundOut(slice), promise: nil)
            }
            // Flushed slice by slice: the channel's writability then reflects what the socket holds.
            context.flush()
        }
    }

    private func failAll(_ error: any Error) {
        let failed = pending
        pending.removeAll()
        flushed = 0
        for entry in failed { entry.promise?.fail(error) }
    }
}
