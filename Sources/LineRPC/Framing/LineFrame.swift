import NIOCore

/// One unit read off the wire by ``LineFrameDecoder``.
public enum LineFrame: Sendable, Equatable {
    /// The bytes of one line, without its LF and without one CR before the LF.
    case line(ByteBuffer)
    /// A line grew past the maximum; its bytes were dropped up to and including the next LF.
    /// Sent once per oversize line, as soon as the limit is crossed.
    case tooLong(maximumLineBytes: Int)
}
