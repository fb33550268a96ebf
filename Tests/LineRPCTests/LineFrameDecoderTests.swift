import NIOCore
import NIOEmbedded
import Testing

@testable import LineRPC

/// Feeds `chunks` through a real `ByteToMessageHandler(LineFrameDecoder)` and returns what came out.
private func frames(_ chunks: [[UInt8]], maximumLineBytes: Int = 1 << 20, close: Bool = false) throws -> [LineFrame] {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maximumLineBytes: maximumLineBytes)))
    for chunk in chunks {
        try channel.writeInbound(ByteBuffer(bytes: chunk))
    }
    if close { _ = try channel.finish() }
    var out: [LineFrame] = []
    while let frame = try channel.readInbound(as: LineFrame.self) { out.append(frame) }
    return out
}

private func line(_ text: String) -> LineFrame { .line(ByteBuffer(string: text)) }

@Suite("Line framing")
struct LineFrameDecoderTests {
    @Test("splits on LF and drops one CR before it")
    func splitsLines() throws {
        #expect(try frames([Array("a\nbb\r\nccc\n".utf8)]) == [line("a"), line("bb"), line("ccc")])
    }

    @Test("a CR that is not directly before the LF stays in the line")
    func keepsInnerCR() throws {
        #expect(try frames([Array("a\rb\n\r\r\n".utf8)]) == [line("a\rb"), line("\r")])
    }

    @Test("an empty line is delivered as an empty line")
    func emptyLines() throws {
        #expect(try frames([Array("\n\r\nx\n".utf8)]) == [line(""), line(""), line("x")])
    }

    @Test("the same frames come out whatever the split point, including inside a multi-byte UTF-8 character")
    func everySplitOffset() throws {
        let input = Array("{\"a\":\"é€😀\"}\r\n[1,2]\n\n{\"z\":0}\n".utf8)
        let expected = try frames([input])
        #expect(expected == [line("{\"a\":\"é€😀\"}"), line("[1,2]"), line(""), line("{\"z\":0}")])
        for offset in 0...input.count {
            #expect(try frames([Array(input[..<offset]), Array(input[offset...])]) == expected, "split at \(offset)")
        }
        #expect(try frames(input.map { [$0] }) == expected, "one byte at a time")
    }

    @Test("a line exactly at the limit passes; one byte more is refused")
    func limitBoundary() throws {
        let atLimit = String(repeating: "x", count: 8)
        #expect(try frames([Array("\(atLimit)\n".utf8)], maximumLineBytes: 8) == [line(atLimit)])
        #expect(try frames([Array("\(atLimit)y\nok\n".utf8)], maximumLineBytes: 8) == [.tooLong(maximumLineBytes: 8), line("ok")])
    }

    @Test("an oversize line without LF is refused as soon as it crosses the limit, once, and reading resumes after its LF")
    func oversizeWithoutNewline() throws {
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 5)
        var chunks = Array(repeating: chunk, count: 10)  // 50 bytes, limit 16
        chunks.append(Array("tail\nnext\n".utf8))
        #expect(try frames(chunks, maximumLineBytes: 16) == [.tooLong(maximumLineBytes: 16), line("next")])
    }

    @Test("an oversize line is refused before its end arrives")
    func refusedEarly() throws {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 20)
        #expect(try frames([big], maximumLineBytes: 16) == [.tooLong(maximumLineBytes: 16)])
    }

    @Test("an unterminated last line is dropped at end of stream")
    func unterminatedTail() throws {
        #expect(try frames([Array("a\npartial".utf8)], close: true) == [line("a")])
    }
}
