import Foundation
import NIOCore
import NIOFoundationCompat

/// Writes one JSON value per line to a connection: compact JSON, keys sorted, no CR, one LF.
/// Dates are ISO 8601 strings in UTC with milliseconds (`2026-11-29T09:30:00.123Z`).
///
/// Safe to use from several tasks at once: each value goes out as a single write, so lines never interleave.
struct RPCLineWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    func write(_ value: some Encodable) async throws {
        try await outbound.write(try Self.encodeLine(value))
    }

    /// The bytes of `value` as one line, LF included.
    static func encodeLine(_ value: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)))
        }
        var buffer = try encoder.encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }
}
