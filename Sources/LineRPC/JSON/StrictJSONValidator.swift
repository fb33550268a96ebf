import Foundation

/// Checks that bytes are exactly one JSON text as RFC 8259 defines it, before any decoder sees them.
///
/// Foundation's `JSONDecoder` is lenient: it accepts trailing commas, a byte-order mark and
/// duplicate member names (the last one wins). A request whose meaning depends on which duplicate
/// a parser keeps is ambiguous, so this validator refuses all three, and it bounds nesting depth
/// without recursion, so 10,000 `[` cannot exhaust a small task stack. It checks grammar only;
/// UTF-8 validity is left to the decoder that runs next.
enum StrictJSONValidator {
    /// Why a text was refused.
    enum Failure: Error, Equatable {
        /// Not JSON; `offset` is the byte where it went wrong.
        case syntax(offset: Int, reason: String)
        /// Arrays/objects nest deeper than allowed.
        case tooDeep(maximumDepth: Int)
        /// More values (scalars, arrays and objects, member names not counted) than allowed.
        case tooManyValues(maximumValues: Int)
    }

    private enum Container {
        case array
        case object(keys: ObjectKeys)
    }

    /// The member names of one object read so far: a short list compared byte by byte (an envelope has
    /// four), a set once there are many, so that hashing is paid only by large objects.
    struct ObjectKeys {
        private var few: [[UInt8]] = []
        private var many: Set<[UInt8]>?

        /// Adds `key`; `false` when it was there already.
        mutating func insert(_ key: [UInt8]) -> Bool {
            if many != nil { return many!.insert(key).inserted }
            if few.contains(key) { return false }
            few.append(key)
            if few.count > 16 {
                many = Set(few)
                few = []
            }
            return true
        }
    }

    /// Where the envelope members of one request object sit in the text: the byte ranges of their
    /// values, so the envelope is read straight from the bytes and `params` handed on as bytes,
    /// decoded once, into the method's params type.
    struct RequestLayout: Equatable {
        /// Offset of the value's first byte (it tells the value's type).
        var start: Int
        var id: Range<Int>?
        var jsonrpc: Range<Int>?
        var method: Range<Int>?
        var params: Range<Int>?
    }

    /// What a valid text holds, found while validating it.
    struct Layout: Equatable {
        /// One entry for a single value, one per element for a top-level array (a batch).
        var requests: [RequestLayout] = []
        /// The number of elements of a top-level array (a batch); `nil` for any other value.
        var batchLength: Int?
        /// A number too large for a 64-bit float (`1e400`): no decoder could read it.
        var hasNumberOutOfRange = false
    }

    /// The envelope member a request-level key names.
    private enum EnvelopeMember { case id, jsonrpc, method, params }

    private enum Expect: Equatable {
        case value, valueOrArrayEnd, keyOrObjectEnd, key, colon, commaOrEnd, end
    }

    /// Returns `nil` when `bytes` hold one valid JSON text nested at most `maximumDepth` levels.
    ///
    /// - Parameter layout: receives, for each request object (a single top-level value, or each element
    ///   of a top-level array), the byte ranges of its `id`, `jsonrpc`, `method` and `params` values, and
    ///   the length of a top-level array, so that a batch over the limit is refused before anything
    ///   decodes it. Ids are echoed from their text, so `1.0`, `1e3` and `18446744073709551616` come
    ///   back byte for byte.
    /// - Parameter maximumValues: the most values the text may hold: what decoding it costs grows with
    ///   them far more than with its bytes (a 64 KiB array of `0` is 30,000 values, a 64 KiB string one).
    static func validate(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int, maximumValues: Int = .max, layout: inout Layout) -> Failure? {
        var stack: [Container] = []
        var expect = Expect.value
        var index = 0
        let count = bytes.count
        var batchElement = -1        // index of the current element of a top-level array
        var member: EnvelopeMember?  // the value about to be read is this member of a request object
        var open: (member: EnvelopeMember, start: Int, depth: Int)?  // a member value being read
        var firstContainer: Container? // the top-level array or object, if the text is one
        var values = 0
        layout = Layout()

        /// Records the end of the member value being read when it ends at `end` at depth `depth`.
        func closeMember(at end: Int, depth: Int) {
            guard let current = open, current.depth == depth, !layout.requests.isEmpty else { return }
            let range = current.start..<end
            switch current.member {
            case .id: layout.requests[layout.requests.count - 1].id = range
            case .jsonrpc: layout.requests[layout.requests.count - 1].jsonrpc = range
            case .method: layout.requests[layout.requests.count - 1].method = range
            case .params: layout.requests[layout.requests.count - 1].params = range
            }
            open = nil
        }

        func fail(_ reason: String) -> Failure { .syntax(offset: index, reason: reason) }

        while index < count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
                continue
            }
            switch expect {
            case .end:
                return fail("unexpected data after the JSON value")
            case .colon:
                guard byte == UInt8(ascii: ":") else { return fail("expected ':'") }
                index += 1
                expect = .value
            case .commaOrEnd:
                switch (byte, stack.last) {
                case (UInt8(ascii: ","), .array?):
                    index += 1
                    expect = .value
                case (UInt8(ascii: ","), .object?):
                    index += 1
                    expect = .key
                case (UInt8(ascii: "]"), .array?), (UInt8(ascii: "}"), .object?):
                    index += 1
                    stack.removeLast()
                    closeMember(at: index, depth: stack.count)
                    expect = stack.isEmpty ? .end : .commaOrEnd
                default:
                    return fail("expected ',' or the end of the \(stack.last.map { if case .array = $0 { "array" } else { "object" } } ?? "value")")
                }
            case .key, .keyOrObjectEnd:
                if byte == UInt8(ascii: "}"), case .keyOrObjectEnd = expect {
                    index += 1
                    stack.removeLast()
                    closeMember(at: index, depth: stack.count)
                    expect = stack.isEmpty ? .end : .commaOrEnd
                    continue
                }
                guard byte == UInt8(ascii: "\"") else { return fail("expected a member name in double quotes") }
                let start = index
                guard let end = scanString(bytes, from: index) else { return fail("invalid string") }
                // Compared as the text they stand for: `"\u006dethod"` is a second `"method"`.
                let key = canonicalKey(Array(bytes[(start + 1)..<(end - 1)]))
                guard case .object(var keys)? = stack.popLast() else { return fail("internal: key outside object") }
                guard keys.insert(key) else { return fail("duplicate member name \"\(String(decoding: key, as: UTF8.self))\"") }
                stack.append(.object(keys: keys))
                let isRequestLevel = stack.count == 1 || (stack.count == 2 && { if case .array = stack[0] { true } else { false } }())
                member = isRequestLevel ? envelopeMember(key) : nil
                index = end
                expect = .colon
            case .value, .valueOrArrayEnd:
                if stack.count == 1, case .array = stack[0], !(byte == UInt8(ascii: "]") && expect == .valueOrArrayEnd) {
                    batchElement += 1
                }
                if byte == UInt8(ascii: "]"), case .valueOrArrayEnd = expect {
                    index += 1
                    stack.removeLast()
                    closeMember(at: index, depth: stack.count)
                    expect = stack.isEmpty ? .end : .commaOrEnd
                    continue
                }
                // A value at the level of requests: the whole text, or an element of a top-level array.
                if (stack.isEmpty && byte != UInt8(ascii: "[")) || (stack.count == 1 && batchElement >= 0) {
                    layout.requests.append(RequestLayout(start: index))
                }
                if let current = member {
                    open = (current, index, stack.count)
                    member = nil
                }
                values += 1
                guard values <= maximumValues else { return .tooManyValues(maximumValues: maximumValues) }
                switch byte {
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    guard stack.count < maximumDepth else { return .tooDeep(maximumDepth: maximumDepth) }
                    let isArray = byte == UInt8(ascii: "[")
                    stack.append(isArray ? .array : .object(keys: ObjectKeys()))
                    if stack.count == 1 { firstContainer = stack[0] }
                    expect = isArray ? .valueOrArrayEnd : .keyOrObjectEnd
                    index += 1
                    continue
                case UInt8(ascii: "\""):
                    guard let end = scanString(bytes, from: index) else { return fail("invalid string") }
                    index = end
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard let end = scanNumber(bytes, from: index) else { return fail("invalid number") }
                    if !layout.hasNumberOutOfRange, !isWithinDoubleRange(bytes, index..<end) { layout.hasNumberOutOfRange = true }
                    index = end
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    guard let end = scanLiteral(bytes, from: index) else { return fail("invalid literal") }
                    index = end
                default:
                    return fail("expected a value")
                }
                closeMember(at: index, depth: stack.count)
                expect = stack.isEmpty ? .end : .commaOrEnd
            }
        }
        if case .end = expect {
            if case .array? = firstContainer {
                layout.batchLength = batchElement + 1
            } else {
                layout.batchLength = nil
            }
            return nil
        }
        return .syntax(offset: index, reason: "unexpected end of the line")
    }

    private static func envelopeMember(_ key: [UInt8]) -> EnvelopeMember? {
        switch key.count {
        case 2 where key == Array("id".utf8): .id
        case 6 where key == Array("method".utf8): .method
        case 6 where key == Array("params".utf8): .params
        case 7 where key == Array("jsonrpc".utf8): .jsonrpc
        default: nil
        }
    }

    /// `false` for a number a 64-bit float cannot hold (`1e400`, 400 digits); checked only for texts
    /// long enough or with an exponent, the rest always fit.
    private static func isWithinDoubleRange(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard range.count > 15 || bytes[range].contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return true }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        return Double(text)?.isFinite ?? false
    }

    /// A member name's bytes (between its quotes, already checked by ``scanString(_:from:)``) with its
    /// escapes resolved by Foundation's decoder, as UTF-8: the text a decoder sees. Only names holding a
    /// backslash are decoded.
    static func canonicalKey(_ raw: [UInt8]) -> [UInt8] {
        guard raw.contains(UInt8(ascii: "\\")),
              let text = try? JSONDecoder().decode(String.self, from: Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")]))
        else { return raw }
        return Array(text.utf8)
    }

    /// Index just past the closing quote of the string starting at `start`, or `nil`.
    private static func scanString(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                return index + 1
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard let unit = hexUnit(bytes, at: index + 2) else { return nil }
                    index += 6
                    switch unit {
                    case 0xD800...0xDBFF:
                        // A high surrogate must be followed by an escaped low one (RFC 8259 §7).
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                              let low = hexUnit(bytes, at: index + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
                        index += 6
                    case 0xDC00...0xDFFF:
                        return nil  // a low surrogate alone
                    default:
                        break
                    }
                default:
                    return nil
                }
            case 0x00..<0x20:
                return nil  // control characters must be escaped
            default:
                index += 1
            }
        }
        return nil
    }

    /// Index just past the number starting at `start` (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`), or `nil`.
    private static func scanNumber(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        func digits() -> Int {
            let first = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - first
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return nil
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        return index
    }

    private static func scanLiteral(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        for literal in ["true", "false", "null"] {
            let utf8 = Array(literal.utf8)
            if start + utf8.count <= bytes.count, bytes[start..<(start + utf8.count)].elementsEqual(utf8) {
                return start + utf8.count
            }
        }
        return nil
    }

    /// The UTF-16 code unit of the 4 hex digits at `start`, or `nil`.
    private static func hexUnit(_ bytes: UnsafeRawBufferPointer, at start: Int) -> UInt16? {
        guard start + 3 < bytes.count else { return nil }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[start + offset]
            guard isHexDigit(byte) else { return nil }
            let digit: UInt8 = isDigit(byte) ? byte - UInt8(ascii: "0") : (byte | 0x20) - UInt8(ascii: "a") + 10
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
