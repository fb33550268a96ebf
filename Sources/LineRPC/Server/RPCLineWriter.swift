import AccessProtocol
import Foundation
import NIOCore
import NIOFoundationCompat

/// Writes one JSON value per line to a connection: compact JSON, keys sorted, no CR, one LF.
/// Dates are ISO 8601 strings in UTC with milliseconds (`2026-11-29T09:30:00.123Z`).
///
/// Safe to use from several tasks at once: each value goes out as a single write, so lines never interleave.
///
/// Each line is charged to the connection's and the server's ``ByteBudget`` until the write has
/// completed (the bytes went to the socket) or failed. A write the peer does not take within
/// `timeout` (it stopped reading, and the socket buffers are full) closes the connection, so a
/// client that never reads cannot hold requests and memory for longer than that.
struct RPCLineWriter: Sendable {
    let channel: any Channel
    let timeout: TimeAmount
    let connectionBudget: ByteBudget
    let serverBudget: ByteBudget

    func write(_ notification: RPCNotification) async throws {
        try await write(line: try Self.line(notification))
    }

    /// Writes `line` (LF included) and returns once the bytes were handed to the socket.
    /// - Throws: the channel's error when the connection closed first (or was closed by the deadline).
    func write(line: ByteBuffer) async throws {
        let bytes = line.readableBytes
        connectionBudget.charge(bytes)
        serverBudget.charge(bytes)
        defer {
            connectionBudget.release(bytes)
            serverBudget.release(bytes)
        }
        let channel = self.channel
        let written = channel.eventLoop.makePromise(of: Void.self)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        written.futureResult.whenComplete { _ in deadline.cancel() }
        channel.writeAndFlush(line, promise: written)
        try await written.futureResult.get()
    }

    /// One response as a line, LF included.
    static func line(_ response: RPCResponse) throws -> ByteBuffer {
        ByteBuffer(string: try response.jsonText(encoder: makeEncoder()) + "\n")
    }

    /// A notification as a line, LF included.
    static func line(_ notification: RPCNotification) throws -> ByteBuffer {
        var buffer = try makeEncoder().encodeAsByteBuffer(notification, allocator: ByteBufferAllocator())
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    static func makeEncoder() -> JSONEncoder { .protocolEncoder() }
}
