import NIOCore
import Synchronization

/// A maximum line length that can change while a decoder uses it (the server raises it once a
/// connection has authenticated). Read on every decode; set from any thread.
public final class LineLengthLimit: Sendable {
    private let bytes: Atomic<Int>

    public init(_ bytes: Int) {
        precondition(bytes > 0, "a line length limit must be positive")
        self.bytes = Atomic(bytes)
    }

    /// The longest line accepted now, in bytes, excluding the LF.
    public var value: Int {
        get { bytes.load(ordering: .relaxed) }
        set { bytes.store(newValue, ordering: .relaxed) }
    }
}

/// Splits a byte stream into lines on the LF byte (0x0A), with a maximum line length enforced while reading.
///
/// - One CR (0x0D) directly before the LF is dropped; any other CR is part of the line.
/// - The limit counts the bytes before the LF (a dropped CR included). As soon as more than
///   `maximumLineBytes` bytes have arrived without an LF, the decoder emits ``LineFrame/tooLong(maximumLineBytes:)``
///   once and discards bytes up to and including the next LF, so memory stays bounded whatever the peer sends.
/// - A final line without LF at end of stream is discarded: it may have been cut off.
///
/// Splits on the byte, never on Swift `Character` (`"\r\n"` is one Character). Create one per channel.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LineFrame

    /// The longest line accepted, in bytes, excluding the LF.
    public var maximumLineBytes: Int { limit.value }
    private let limit: LineLengthLimit
    private var discarding = false
    /// How many readable bytes were already searched for an LF, so each byte is scanned once.
    private var scannedBytes = 0

    /// - Parameter maximumLineBytes: the longest line accepted, in bytes (default 1 MiB).
    public init(maximumLineBytes: Int = 1 << 20) {
        self.init(limit: LineLengthLimit(maximumLineBytes))
    }

    /// - Parameter limit: read at every decode, so a change applies from the next bytes on.
    public init(limit: LineLengthLimit) {
        self.limit = limit
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let maximumLineBytes = self.maximumLineBytes
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: scannedBytes)
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            if discarding {
                buffer.moveReaderIndex(forwardBy: view.count)
                scannedBytes = 0
            } else if view.count > maximumLineBytes {
                buffer.moveReaderIndex(forwardBy: view.count)
                scannedBytes = 0
                discarding = true
                context.fireChannelRead(wrapInboundOut(.tooLong(maximumLineBytes: maximumLineBytes)))
            } else {
                scannedBytes = view.count
            }
            return .needMoreData
        }
        let lineLength = view.distance(from: view.startIndex, to: newline)
        scannedBytes = 0
        if discarding {
            discarding = false
            buffer.moveReaderIndex(forwardBy: lineLength + 1)
            return .continue
        }
        if lineLength > maximumLineBytes {
            buffer.moveReaderIndex(forwardBy: lineLength + 1)
            context.fireChannelRead(wrapInboundOut(.tooLong(maximumLineBytes: maximumLineBytes)))
            return .continue
        }
        var line = buffer.readSlice(length: lineLength)!  // lineLength <= readableBytes: found in the readable view
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // What is left is an unterminated last line: drop it rather than act on a possibly truncated message.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        scannedBytes = 0
        return .needMoreData
    }
}
