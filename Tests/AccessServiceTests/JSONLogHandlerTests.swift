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
