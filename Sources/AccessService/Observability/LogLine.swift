import AccessProtocol
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One log line being written, as UTF-8 bytes: what ``LineLogHandler`` builds its
/// lines in. Everything a client can put in a line (a method name, a certificate's common name, an error's
/// text) goes through an escaping append, so no line holds a raw control character: nothing can forge a
/// second line or move a terminal's cursor.
///
/// Built by hand rather than through `String` interpolation, `localtime_r` and `JSONSerialization`: the access
/// log writes a line per answered call, and those cost about 30 µs of CPU per line (Benchmarks/RESULTS.md,
/// session 7).
struct LogLine {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends ASCII text known to hold no control character (a level, a fixed key).
    mutating func appendRaw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `date` as `2026-01-02T03:04:05.678Z` (UTC, milliseconds), the timestamp of both formats.
    mutating func appendTimestamp(_ date: Date) {
        JSONEncoder.writeProtocolTimestamp(date, to: &bytes)
    }

    /// Appends `text` with its control characters escaped for a text line: `\n`, `\r`, `\t` as `\\n`, `\\r`,
    /// `\\t`, every other C0 control (U+0000–U+001F), DEL (U+007F) and C1 control (U+0080–U+009F) as
    /// `\u{1B}` (the scalar's value in hexadecimal). Text without one is copied as it is.
    mutating func appendEscapingControls<S: StringProtocol>(_ text: S) {
        var text = String(text)
        text.withUTF8 { utf8 in
            guard Self.firstControl(in: utf8) != nil else {
                bytes.append(contentsOf: utf8)
                return
            }
            for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
                switch scalar {
                case "\n": appendRaw("\\n")
                case "\r": appendRaw("\\r")
                case "\t": appendRaw("\\t")
                case _ where Self.isControl(scalar):
                    appendRaw("\\u{")
                    bytes.append(contentsOf: String(scalar.value, radix: 16, uppercase: true).utf8)
                    append(UInt8(ascii: "}"))
                default: bytes.append(contentsOf: String(scalar).utf8)
                }
            }
        }
    }

    /// Appends `text` as a JSON string, quotes included (RFC 8259 §7): `"` and `\` escaped, C0 controls as
    /// `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`, and DEL and the C1 controls, which JSON allows raw but a
    /// terminal may act on, as `\u007f`…`\u009f` too.
    mutating func appendJSONString<S: StringProtocol>(_ text: S) {
        var text = String(text)
        append(UInt8(ascii: "\""))
        text.withUTF8 { utf8 in
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                switch byte {
                case UInt8(ascii: "\""): appendRaw("\\\"")
                case UInt8(ascii: "\\"): appendRaw("\\\\")
                case UInt8(ascii: "\n"): appendRaw("\\n")
                case UInt8(ascii: "\r"): appendRaw("\\r")
                case UInt8(ascii: "\t"): appendRaw("\\t")
                case 0x08: appendRaw("\\b")
                case 0x0C: appendRaw("\\f")
                case 0x00..<0x20, 0x7F: appendUnicodeEscape(byte)
                case 0xC2 where index + 1 < utf8.count && (0x80...0x9F).contains(utf8[index + 1]):
                    index += 1
                    appendUnicodeEscape(utf8[index])
                default: append(byte)
                }
                index += 1
            }
        }
        append(UInt8(ascii: "\""))
    }

    private mutating func appendUnicodeEscape(_ value: UInt8) {
        let digits: StaticString = "0123456789abcdef"
        appendRaw("\\u00")
        digits.withUTF8Buffer { digits in
            append(digits[Int(value >> 4)])
            append(digits[Int(value & 0xF)])
        }
    }

    /// The offset of the first byte of a control character (C0, DEL, or a C1's lead byte `C2 80`…`C2 9F`), or nil.
    static func firstControl(in utf8: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x20 || byte == 0x7F { return index }
            if byte == 0xC2, index + 1 < utf8.count, (0x80...0x9F).contains(utf8[index + 1]) { return index }
            index += 1
        }
        return nil
    }

    /// C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Writes `line` to standard error with `write(2)`, all of it (a short write goes on from where it stopped;
    /// an interrupted one is retried), so concurrent lines of up to `PIPE_BUF` (4,096) bytes do not interleave.
    /// A failed write (standard error closed) drops the line: a log must not stop the server.
    static func writeToStandardError(_ line: [UInt8]) {
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// The metadata of a line: the handler's own (kept sorted, so a line that adds nothing sorts nothing), then
/// the metadata provider's, then the call's, a later value replacing an earlier one under the same key; and
/// an error passed to the call as `error.message` and `error.type`, as swift-log's `StreamLogHandler` does.
struct LogMetadata: Sendable {
    var stored: Logger.Metadata = [:] {
        didSet { sorted = stored.sorted { $0.key < $1.key } }
    }
    private(set) var sorted: [(key: String, value: Logger.MetadataValue)] = []

    /// The metadata of `event`'s line, sorted by key.
    func merged(with event: LogEvent, provider: Logger.MetadataProvider?) -> [(key: String, value: Logger.MetadataValue)] {
        let provided = provider?.get() ?? [:]
        let own = event.metadata ?? [:]
        if provided.isEmpty && event.error == nil {
            // The common case (an access-log line: two keys of the connection's logger, five of the call): no
            // dictionary is built, the call's few keys are put into a copy of the sorted array.
            guard !own.isEmpty else { return sorted }
            var entries = sorted
            for (key, value) in own {
                if let index = entries.firstIndex(where: { $0.key == key }) {
                    entries[index].value = value
                } else {
                    entries.append((key, value))
                }
            }
            entries.sort { $0.key < $1.key }
            return entries
        }
        var merged = stored
        merged.merge(provided) { _, new in new }
        merged.merge(own) { _, new in new }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged.sorted { $0.key < $1.key }
    }
}
