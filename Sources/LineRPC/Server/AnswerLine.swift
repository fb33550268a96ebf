import AccessProtocol
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// The lines the server writes: compact JSON, keys sorted, no CR, one LF; dates as ISO 8601 strings
/// in UTC with milliseconds (`2026-11-29T09:30:00.123Z`). Answers are written straight into the
/// buffer that goes to the socket, with one encoder for the whole process.
enum AnswerLine {
    /// The wire format's encoder, shared: `JSONEncoder` is thread-safe, and making one per answer
    /// cost more than encoding a small answer.
    static let encoder = JSONEncoder.protocolEncoder()

    /// Appends `response` as a line, LF included, to `buffer`: when that line would be longer than
    /// `room` bytes, a `limit.answer_bytes` error for its id naming `cap` instead (the request ran).
    /// A result that cannot be encoded is answered with an internal error.
    /// - Returns: the bytes appended.
    @discardableResult
    static func append(_ response: RPCResponse, to buffer: inout ByteBuffer, room: Int, cap: Int, logger: Logger) -> Int {
        let start = buffer.writerIndex
        if (try? response.write(to: &buffer, encoder: encoder)) == nil {
            buffer.moveWriterIndex(to: start)
            logger.error("a result could not be encoded as JSON", metadata: ["id": "\(response.id)"])
            try? RPCResponse(id: response.id, outcome: .error(.internalError("The result could not be encoded as JSON")))
                .write(to: &buffer, encoder: encoder)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
        let length = buffer.writerIndex - start
        guard length > room else { return length }
        buffer.moveWriterIndex(to: start)
        logger.info("answer over the answer limit replaced by an error", metadata: ["bytes": "\(length)", "room": "\(room)"])
        try? RPCResponse(id: response.id, outcome: .error(.answerTooLarge(limit: cap, queuedLimit: nil, ran: true)))
            .write(to: &buffer, encoder: encoder)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer.writerIndex - start
    }

    /// One response as a line, LF included.
    static func line(_ response: RPCResponse) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try response.write(to: &buffer, encoder: encoder)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    /// A notification as a line, LF included.
    static func line(_ notification: RPCNotification) throws -> ByteBuffer {
        var buffer = try encoder.encodeAsByteBuffer(notification, allocator: ByteBufferAllocator())
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }
}
