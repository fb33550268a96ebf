import NIOCore
import NIOEmbedded
import Testing

@testable import LineRPC

@Suite("Plaintext pacer")
struct PlaintextPacerTests {
    @Test("while the channel is not writable nothing goes on; then slices go on in order, promises complete in order")
    func pacesByWritability() throws {
        let channel = EmbeddedChannel(handler: PlaintextPacer(sliceBytes: 4))
        channel.isWritable = false
        let first = channel.eventLoop.makePromise(of: Void.self)
        let second = channel.eventLoop.makePromise(of: Void.self)
        var order: [String] = []
        first.futureResult.whenSuccess { order.append("first") }
        second.futureResult.whenSuccess { order.append("second") }
        channel.write(ByteBuffer(string: "0123456789"), promise: first)
        channel.writeAndFlush(ByteBuffer(string: "ab"), promise: second)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing is handed on while the socket is full")
        #expect(order.isEmpty)

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        var handedOn: [String] = []
        while let slice = try channel.readOutbound(as: ByteBuffer.self) { handedOn.append(String(buffer: slice)) }
        #expect(handedOn == ["0123", "4567", "89", "ab"])
        #expect(order == ["first", "second"])
        _ = try channel.finish()
    }

    @Test("unflushed writes wait for a flush; writes pending at close fail")
    func flushAndClose() throws {
        let channel = EmbeddedChannel(handler: PlaintextPacer(sliceBytes: 4))
        channel.write(ByteBuffer(string: "abc"), promise: nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.flush()
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "abc")

        channel.isWritable = false
        let stuck = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(ByteBuffer(string: "never"), promise: stuck)
        _ = try? channel.finish()
        #expect(throws: (any Error).self) { try stuck.futureResult.wait() }
    }
}
