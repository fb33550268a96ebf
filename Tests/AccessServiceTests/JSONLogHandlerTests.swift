import AccessProtocol
import AccessService
import Foundation
import Logging
import Synchronization
import Testing

/// `serve --log-format json`: one object per line, the metadata of the logger and of the call merged.
@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("one JSON object per line with timestamp, level, label, message and metadata; quotes and newlines escaped")
    func oneObjectPerLine() throws {
        let written = Mutex<[Data]>([])
        var logger = Logger(label: "asana-accessd") { label in
            JSONLogHandler(label: label, write: { line in written.withLock { $0.append(line) } })
        }
        logger[metadataKey: "connection"] = "7"
        logger.info("rpc call", metadata: ["rpc.method": "ping", "note": "a \"quoted\"\nvalue", "list": ["a", "b"]])
        logger.debug("not at info")
        let lines = written.withLock { $0 }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try JSONDecoder().decode(JSONValue.self, from: line)
        #expect(object["level"] == .string("info"))
        #expect(object["label"] == .string("asana-accessd"))
        #expect(object["message"] == .string("rpc call"))
        #expect(object["metadata"] == .object([
            "connection": .string("7"), "rpc.method": .string("ping"), "note": .string("a \"quoted\"\nvalue"),
            "list": .array([.string("a"), .string("b")]),
        ]))
        let timestamp = try #require(object["timestamp"]?.stringValue)
        #expect(ISO8601Time.parseDateTime(timestamp) != nil, "\(timestamp)")
        #expect(timestamp.hasSuffix("Z") && timestamp.contains("."), "\(timestamp)")
    }
}

/// `serve --log-format text`: the stream under swift-log's `StreamLogHandler` escapes control characters.
@Suite("Text log lines")
struct ControlEscapingStreamTests {
    @Test("newlines, C0, DEL and C1 controls are escaped; the line's own newline stays; plain text is untouched")
    func escapes() {
        let written = Mutex<[String]>([])
        var stream = ControlEscapingStream(write: { data in written.withLock { $0.append(String(decoding: data, as: UTF8.self)) } })
        stream.write("rpc.method=x\n2026 info forged\r\t\u{1B}[2K\u{0}\u{7F}\u{85}\u{9F} é ü\n")
        stream.write("plain line, no newline")
        #expect(written.withLock { $0 } == [
            "rpc.method=x\\n2026 info forged\\r\\t\\u{1B}[2K\\u{0}\\u{7F}\\u{85}\\u{9F} é ü\n",
            "plain line, no newline",
        ])
        #expect(ControlEscapingStream.escaped("a\u{A0}b") == "a\u{A0}b")  // U+00A0 is not a control
    }

    @Test("through StreamLogHandler: one line per event, whatever the message and metadata hold")
    func throughStreamLogHandler() {
        let written = Mutex<[String]>([])
        let logger = Logger(label: "asana-accessd") { label in
            StreamLogHandler(label: label, stream: ControlEscapingStream(write: { data in written.withLock { $0.append(String(decoding: data, as: UTF8.self)) } }))
        }
        logger.info("rpc call", metadata: ["rpc.method": "x\nforged line"])
        let lines = written.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.filter { $0 == "\n" }.count == 1)
        #expect(lines.first?.contains("rpc.method=x\\nforged line") == true)
    }
}

/// `serve --log-format json` leaves no raw control character either: DEL and C1 are escaped like C0.
@Suite("JSON log lines: control characters")
struct JSONLogControlCharacterTests {
    @Test("DEL and C1 controls are written \\u00XX and decode back to the same text")
    func delAndC1Escaped() throws {
        let written = Mutex<[Data]>([])
        let logger = Logger(label: "asana-accessd") { label in
            JSONLogHandler(label: label, write: { line in written.withLock { $0.append(line) } })
        }
        let method = "x\n\u{1B}[2K\u{7F}\u{85}\u{9B}é"
        logger.info("rpc call", metadata: ["rpc.method": "\(method)"])
        let line = try #require(written.withLock { $0 }.first)
        let text = String(decoding: line, as: UTF8.self)
        #expect(!text.dropLast().unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(text)")
        #expect(text.contains("\\u007f\\u0085\\u009b"), "\(text)")
        let object = try JSONDecoder().decode(JSONValue.self, from: line)
        #expect(object["metadata"]?["rpc.method"] == .string(method))
    }
}
