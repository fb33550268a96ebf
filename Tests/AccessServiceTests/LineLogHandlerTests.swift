import AccessProtocol
import AccessService
import Foundation
import Logging
import Synchronization
import Testing

/// The lines a handler wrote, collected in memory.
private final class WrittenLines: Sendable {
    private let lines = Mutex<[[UInt8]]>([])
    var write: @Sendable ([UInt8]) -> Void { { line in self.lines.withLock { $0.append(line) } } }
    var all: [[UInt8]] { lines.withLock { $0 } }
    var texts: [String] { all.map { String(decoding: $0, as: UTF8.self) } }
}

private struct Failure: Error, CustomStringConvertible {
    var description: String { "it broke\nbadly" }
}

/// `serve --log-format json`: one object per line, the metadata of the logger and of the call merged.
@Suite("JSON log lines")
struct JSONLogLineTests {
    @Test("one JSON object per line with timestamp, level, label, message and metadata; quotes and newlines escaped")
    func oneObjectPerLine() throws {
        let written = WrittenLines()
        var logger = Logger(label: "asana-accessd") { LineLogHandler(label: $0, format: .json, write: written.write) }
        logger[metadataKey: "connection"] = "7"
        logger[metadataKey: "principal"] = "-"
        logger.info("rpc call", metadata: ["rpc.method": "ping", "note": "a \"quoted\"\nvalue\\", "list": ["a", "b"],
                                           "principal": "token:ci", "nested": ["z": "1", "a": ["x"]]])
        logger.debug("not at info")
        let lines = written.all
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        #expect(object["level"] == .string("info"))
        #expect(object["label"] == .string("asana-accessd"))
        #expect(object["message"] == .string("rpc call"))
        #expect(object["metadata"] == .object([
            "connection": .string("7"), "rpc.method": .string("ping"), "note": .string("a \"quoted\"\nvalue\\"),
            "list": .array([.string("a"), .string("b")]), "principal": .string("token:ci"),
            "nested": .object(["z": .string("1"), "a": .array([.string("x")])]),
        ]))
        let timestamp = try #require(object["timestamp"]?.stringValue)
        #expect(ISO8601Time.parseDateTime(timestamp).map { abs($0.timeIntervalSinceNow) < 600 } == true, "\(timestamp)")
        #expect(timestamp.hasSuffix("Z") && timestamp.count == 24, "\(timestamp)")
        // Keys sorted at every level, as the README shows the line.
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("{\"label\":\"asana-accessd\",\"level\":\"info\",\"message\":\"rpc call\",\"metadata\":{\"connection\":\"7\",\"list\":[\"a\",\"b\"],\"nested\":{\"a\":[\"x\"],\"z\":\"1\"},"), "\(text)")
    }

    @Test("an error passed to the call is written as error.message and error.type")
    func errorMetadata() throws {
        let written = WrittenLines()
        let logger = Logger(label: "asana-accessd") { LineLogHandler(label: $0, format: .json, write: written.write) }
        logger.error("failed", error: Failure())
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(written.all.first)))
        #expect(object["metadata"]?["error.message"] == .string("it broke\nbadly"))
        #expect(object["metadata"]?["error.type"]?.stringValue?.hasSuffix("Failure") == true)
    }

    @Test("every C0 control, DEL and C1 control is escaped and decodes back to the same text; other text is untouched")
    func controlsEscaped() throws {
        let written = WrittenLines()
        let logger = Logger(label: "asana-accessd") { LineLogHandler(label: $0, format: .json, write: written.write) }
        let method = String(String.UnicodeScalarView((0...0xA0).compactMap(Unicode.Scalar.init))) + "é ü 😀"
        logger.info("rpc call", metadata: ["rpc.method": "\(method)"])
        let line = try #require(written.all.first)
        let text = String(decoding: line, as: UTF8.self)
        #expect(!text.dropLast().unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(text)")
        #expect(text.contains("\\u007f\\u0080") && text.contains("\\u009f\u{A0}é ü 😀"), "\(text)")
        #expect(text.contains("\\u0000\\u0001") && text.contains("\\b\\t\\n\\u000b\\f\\r"), "\(text)")
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        #expect(object["metadata"]?["rpc.method"] == .string(method))
    }
}

/// `serve --log-format text`: swift-log's line layout, a UTC timestamp, every control character escaped.
@Suite("Text log lines")
struct TextLogLineTests {
    @Test("timestamp, level, label, sorted metadata, source and message, the call's metadata over the logger's")
    func layout() throws {
        let written = WrittenLines()
        var logger = Logger(label: "asana-accessd") { LineLogHandler(label: $0, format: .text, write: written.write) }
        logger[metadataKey: "remote"] = "127.0.0.1:5000"
        logger[metadataKey: "connection"] = "7"
        logger.info("rpc call", metadata: ["rpc.method": "ping", "connection": "8"], source: "LineRPC")
        logger.debug("not at info")
        logger.notice("no metadata of the call")
        let lines = written.texts
        #expect(lines.count == 2)
        let first = try #require(lines.first)
        let timestamp = String(first.prefix(24))
        #expect(ISO8601Time.parseDateTime(timestamp).map { abs($0.timeIntervalSinceNow) < 600 } == true, "\(first)")
        #expect(first.dropFirst(24) == " info asana-accessd: connection=8 remote=127.0.0.1:5000 rpc.method=ping [LineRPC] rpc call\n")
        #expect(lines.last?.dropFirst(24) == " notice asana-accessd: connection=7 remote=127.0.0.1:5000 [AccessServiceTests] no metadata of the call\n")
    }

    @Test("newlines, C0, DEL and C1 controls are escaped wherever they stand; the line's own newline stays")
    func escapes() throws {
        let written = WrittenLines()
        var logger = Logger(label: "asana-accessd") { LineLogHandler(label: $0, format: .text, write: written.write) }
        logger[metadataKey: "principal"] = "cert:evil\n2026 info forged"
        logger.info("rpc call\r", metadata: ["rpc.method": "x\n2026 info forged\r\t\u{1B}[2K\u{0}\u{7F}\u{85}\u{9F}\u{A0}é ü"])
        logger.error("failed", error: Failure())
        let lines = written.texts
        #expect(lines.count == 2)
        for line in lines {
            #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"), "\(line)")
            #expect(!line.dropLast().unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(line)")
        }
        #expect(lines[0].contains(" principal=cert:evil\\n2026 info forged "), "\(lines[0])")
        #expect(lines[0].contains(" rpc.method=x\\n2026 info forged\\r\\t\\u{1B}[2K\\u{0}\\u{7F}\\u{85}\\u{9F}\u{A0}é ü "), "\(lines[0])")
        #expect(lines[0].hasSuffix("] rpc call\\r\n"), "\(lines[0])")
        #expect(lines[1].contains(" error.message=it broke\\nbadly error.type="), "\(lines[1])")
    }
}
