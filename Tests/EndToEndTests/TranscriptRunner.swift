import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

// The interpreter of the conformance transcripts in `clients/conformance/` (format: that folder's
// README.md). Parsing and matching are pure and unit-tested (TranscriptParserTests.swift); running
// talks to a server over a raw TLS connection (`TranscriptConnection`).

// MARK: - JSON values that keep number text

/// A JSON value for transcripts: numbers keep their text, so `1` and `1.0` stay different.
enum TranscriptJSON: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([TranscriptJSON])
    case object([String: TranscriptJSON])

    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Compact JSON text (object members sorted), for messages.
    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let value): return Self.quote(value)
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.sorted { $0.key < $1.key }.map { Self.quote($0.key) + ":" + $0.value.description }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Parses exactly one strict RFC 8259 JSON text (no duplicate member names, no NaN, no BOM).
    static func parse(_ text: String) throws -> TranscriptJSON { try parse(Array(text.utf8)) }

    static func parse(_ bytes: [UInt8]) throws -> TranscriptJSON {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw TranscriptJSONError(offset: 0, reason: "not UTF-8") }
        var reader = TranscriptJSONReader(bytes: bytes)
        return try reader.readDocument()
    }
}

struct TranscriptJSONError: Error, CustomStringConvertible {
    let offset: Int
    let reason: String
    var description: String { "byte \(offset): \(reason)" }
}

/// A small strict recursive-descent JSON reader (depth-limited; transcripts and answers are shallow).
struct TranscriptJSONReader {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    static let maximumDepth = 256

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readDocument() throws -> TranscriptJSON {
        let value = try readValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the value") }
        return value
    }

    private func fail(_ reason: String) -> TranscriptJSONError { TranscriptJSONError(offset: index, reason: reason) }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func readValue() throws -> TranscriptJSON {
        skipWhitespace()
        guard index < bytes.count else { throw fail("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw fail("expected a value")
        }
    }

    private mutating func readLiteral(_ word: String) throws {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw fail("expected \(word)")
        }
        index += expected.count
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maximumDepth { throw fail("nested deeper than \(Self.maximumDepth)") }
    }

    private mutating func readObject() throws -> TranscriptJSON {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [String: TranscriptJSON] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let keyOffset = index
            let key = try readString()
            guard members[key] == nil else { throw TranscriptJSONError(offset: keyOffset, reason: "duplicate member name \(TranscriptJSON.quote(key))") }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            members[key] = try readValue()
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func readArray() throws -> TranscriptJSON {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [TranscriptJSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try readValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func readNumber() throws -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw fail("expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw fail("expected a digit")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail("expected a digit after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("expected a digit in the exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw fail("expected four hex digits")
        }
        index += 4
        return value
    }

    private mutating func readString() throws -> String {
        index += 1  // the opening quote
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []  // raw UTF-8 bytes since the last escape
        func flush() {
            scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
            run.removeAll()
        }
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush()
                index += 1
                guard index < bytes.count else { throw fail("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    let unit = try readHex4()
                    if (0xD800...0xDBFF).contains(unit) {
                        guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("lone high surrogate")
                        }
                        index += 2
                        let low = try readHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("expected a low surrogate") }
                        scalars.append(Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!)
                    } else if (0xDC00...0xDFFF).contains(unit) {
                        throw fail("lone low surrogate")
                    } else {
                        scalars.append(Unicode.Scalar(unit)!)
                    }
                default:
                    throw fail("invalid escape")
                }
            case 0x00..<0x20:
                throw fail("unescaped control character in a string")
            default:
                run.append(byte)
                index += 1
            }
        }
    }
}

// MARK: - Transcripts

/// One directive of a transcript, with its 1-based line number.
struct TranscriptStep: Equatable, Sendable {
    enum Action: Equatable, Sendable {
        /// `> TEXT`: the text (variables substituted) and an LF.
        case sendLine(String)
        /// `>bytes "…"`: the UTF-8 of the decoded string (variables substituted), no LF added.
        case sendString(String)
        /// `>hex …`: exactly these bytes.
        case sendBytes([UInt8])
        /// `>fill COUNT "…"`: COUNT copies of the UTF-8 of the string.
        case fill(count: TranscriptCount, unit: String)
        /// `< PATTERN`.
        case expect(TranscriptJSON)
        /// `<unordered N` and its N patterns.
        case expectUnordered([TranscriptJSON])
        /// `<none MS`.
        case expectNone(milliseconds: Int)
        /// `!half-close`.
        case halfClose
        /// `!expect-close`.
        case expectClose
        /// `!sleep MS`.
        case sleep(milliseconds: Int)
    }

    let line: Int
    let action: Action
}

/// A `>fill` count: a number, or a variable with an optional offset (`$MAX_LINE_BYTES-40`).
struct TranscriptCount: Equatable, Sendable {
    var variable: String?
    var value: Int

    func resolve(_ variables: [String: String]) throws -> Int {
        guard let variable else { return value }
        guard let text = variables[variable], let base = Int(text) else {
            throw TranscriptSyntaxError(line: 0, reason: "unknown numeric variable $\(variable)")
        }
        return base + value
    }
}

struct TranscriptSyntaxError: Error, Equatable, CustomStringConvertible {
    let line: Int
    let reason: String
    var description: String { "line \(line): \(reason)" }
}

enum Transcript {
    /// The string patterns that match by kind.
    static let kinds: Set<String> = ["$any", "$string", "$number", "$null-or-string", "$absent"]

    /// Parses transcript text into steps.
    static func parse(_ text: String) throws -> [TranscriptStep] {
        var steps: [TranscriptStep] = []
        var pending: (line: Int, count: Int, patterns: [TranscriptJSON])?
        // Split on the LF byte: Swift's Character view would keep "\r\n" together as one Character.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            var line = Substring(rawLine)
            if line.unicodeScalars.last == "\r" { line = Substring(line.unicodeScalars.dropLast()) }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.hasPrefix("#") { continue }
            let word: Substring
            let rest: Substring
            if let space = line.firstIndex(of: " ") {
                word = line[..<space]
                rest = line[line.index(after: space)...]
            } else {
                word = line
                rest = ""
            }
            if let open = pending, word != "<" {
                throw TranscriptSyntaxError(line: number, reason: "<unordered \(open.count) needs \(open.count - open.patterns.count) more < lines before \(word)")
            }
            switch word {
            case ">":
                steps.append(TranscriptStep(line: number, action: .sendLine(String(rest))))
            case ">bytes":
                steps.append(TranscriptStep(line: number, action: .sendString(try stringLiteral(rest, line: number))))
            case ">hex":
                let pairs = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
                let bytes = pairs.compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
                guard !pairs.isEmpty, bytes.count == pairs.count else {
                    throw TranscriptSyntaxError(line: number, reason: "expected hex byte pairs separated by spaces")
                }
                steps.append(TranscriptStep(line: number, action: .sendBytes(bytes)))
            case ">fill":
                let trimmed = rest.drop(while: { $0 == " " })
                let countText = trimmed.prefix { $0 != " " }
                guard let count = fillCount(countText) else {
                    throw TranscriptSyntaxError(line: number, reason: "expected >fill COUNT \"text\" (COUNT: digits or $VARIABLE, optionally +N or -N)")
                }
                let unit = try stringLiteral(trimmed.dropFirst(countText.count), line: number)
                guard !unit.isEmpty else { throw TranscriptSyntaxError(line: number, reason: ">fill needs a non-empty string") }
                steps.append(TranscriptStep(line: number, action: .fill(count: count, unit: unit)))
            case "<":
                let pattern = try self.pattern(rest, line: number)
                if var open = pending {
                    open.patterns.append(pattern)
                    if open.patterns.count == open.count {
                        steps.append(TranscriptStep(line: open.line, action: .expectUnordered(open.patterns)))
                        pending = nil
                    } else {
                        pending = open
                    }
                } else {
                    steps.append(TranscriptStep(line: number, action: .expect(pattern)))
                }
            case "<unordered":
                guard let count = Int(rest.trimmingCharacters(in: .whitespaces)), count >= 1 else {
                    throw TranscriptSyntaxError(line: number, reason: "expected <unordered N with N >= 1")
                }
                pending = (number, count, [])
            case "<none":
                steps.append(TranscriptStep(line: number, action: .expectNone(milliseconds: try milliseconds(rest, line: number))))
            case "!sleep":
                steps.append(TranscriptStep(line: number, action: .sleep(milliseconds: try milliseconds(rest, line: number))))
            case "!half-close", "!expect-close":
                guard rest.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                    throw TranscriptSyntaxError(line: number, reason: "\(word) takes no argument")
                }
                steps.append(TranscriptStep(line: number, action: word == "!half-close" ? .halfClose : .expectClose))
            default:
                throw TranscriptSyntaxError(line: number, reason: "unknown directive \(TranscriptJSON.quote(String(word)))")
            }
        }
        if let open = pending {
            throw TranscriptSyntaxError(line: open.line, reason: "<unordered \(open.count) is missing \(open.count - open.patterns.count) < lines at the end")
        }
        return steps
    }

    private static func stringLiteral(_ text: Substring, line: Int) throws -> String {
        let value: TranscriptJSON
        do {
            value = try TranscriptJSON.parse(text.trimmingCharacters(in: .whitespaces))
        } catch {
            throw TranscriptSyntaxError(line: line, reason: "expected a JSON string literal: \(error)")
        }
        guard case .string(let string) = value else { throw TranscriptSyntaxError(line: line, reason: "expected a JSON string literal") }
        return string
    }

    private static func pattern(_ text: Substring, line: Int) throws -> TranscriptJSON {
        let value: TranscriptJSON
        do {
            value = try TranscriptJSON.parse(String(text))
        } catch {
            throw TranscriptSyntaxError(line: line, reason: "pattern is not JSON: \(error)")
        }
        try checkPattern(value, line: line, isMember: false)
        return value
    }

    private static func checkPattern(_ value: TranscriptJSON, line: Int, isMember: Bool) throws {
        switch value {
        case .string(let text) where text.hasPrefix("$") && !text.hasPrefix("$$"):
            guard kinds.contains(text) else {
                throw TranscriptSyntaxError(line: line, reason: "unknown pattern kind \(TranscriptJSON.quote(text)) (a literal string starting with $ is written $$…)")
            }
            if text == "$absent", !isMember {
                throw TranscriptSyntaxError(line: line, reason: "\"$absent\" is only allowed as the value of an object member")
            }
        case .array(let elements):
            for element in elements { try checkPattern(element, line: line, isMember: false) }
        case .object(let members):
            for element in members.values { try checkPattern(element, line: line, isMember: true) }
        default:
            break
        }
    }

    private static func milliseconds(_ text: Substring, line: Int) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber), let value = Int(trimmed) else {
            throw TranscriptSyntaxError(line: line, reason: "expected a number of milliseconds")
        }
        return value
    }

    private static func fillCount(_ text: Substring) -> TranscriptCount? {
        if let value = Int(text), value >= 0, text.allSatisfy(\.isNumber) { return TranscriptCount(variable: nil, value: value) }
        guard text.hasPrefix("$") else { return nil }
        let body = text.dropFirst()
        let name = body.prefix { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
        guard let first = name.first, first.isUppercase else { return nil }
        let offsetText = body.dropFirst(name.count)
        if offsetText.isEmpty { return TranscriptCount(variable: String(name), value: 0) }
        guard let sign = offsetText.first, sign == "+" || sign == "-", offsetText.count > 1,
              offsetText.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), let magnitude = Int(offsetText.dropFirst()) else { return nil }
        return TranscriptCount(variable: String(name), value: sign == "+" ? magnitude : -magnitude)
    }

    /// Replaces `$NAME` for each known variable; other `$` text stays as it is.
    static func substitute(_ text: String, _ variables: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let afterDollar = rest.index(after: dollar)
            let name = rest[afterDollar...].prefix { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
            if let first = name.first, first.isUppercase, let value = variables[String(name)] {
                out += value
                rest = rest[name.endIndex...]
            } else {
                out += "$"
                rest = rest[afterDollar...]
            }
        }
        return out + rest
    }

    // MARK: Matching

    /// `nil` when `actual` matches `pattern`, else where and how they differ.
    static func match(_ pattern: TranscriptJSON, _ actual: TranscriptJSON, path: String = "$") -> String? {
        if case .string(let text) = pattern, text.hasPrefix("$") {
            switch text {
            case "$any": return nil
            case "$string":
                if case .string = actual { return nil }
                return "\(path): expected a string, got \(actual)"
            case "$number":
                if case .number = actual { return nil }
                return "\(path): expected a number, got \(actual)"
            case "$null-or-string":
                switch actual {
                case .null, .string: return nil
                default: return "\(path): expected null or a string, got \(actual)"
                }
            default:
                if text.hasPrefix("$$") {
                    let literal = TranscriptJSON.string(String(text.dropFirst()))
                    return actual == literal ? nil : "\(path): expected \(literal), got \(actual)"
                }
            }
        }
        switch (pattern, actual) {
        case (.object(let expected), .object(let got)):
            for key in expected.keys.sorted() {
                let want = expected[key]!
                let here = "\(path).\(key)"
                if want == .string("$absent") {
                    if let present = got[key] { return "\(here): expected no such member, got \(present)" }
                    continue
                }
                guard let value = got[key] else { return "\(here): missing (expected \(want))" }
                if let problem = match(want, value, path: here) { return problem }
            }
            return nil
        case (.array(let expected), .array(let got)):
            guard expected.count == got.count else {
                return "\(path): expected an array of \(expected.count) elements, got \(got.count)"
            }
            for (index, (want, value)) in zip(expected, got).enumerated() {
                if let problem = match(want, value, path: "\(path)[\(index)]") { return problem }
            }
            return nil
        case (.number(let want), .number(let got)):
            return numbersMatch(want, got) ? nil : "\(path): expected \(want), got \(got)"
        default:
            return pattern == actual ? nil : "\(path): expected \(pattern), got \(actual)"
        }
    }

    /// An integer pattern (no fraction, no exponent) matches only the same integer written the same
    /// way (`1` is not `1.0`); any other pattern number matches a number of equal value.
    static func numbersMatch(_ pattern: String, _ actual: String) -> Bool {
        func isInteger(_ text: String) -> Bool { !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }
        if isInteger(pattern) {
            guard isInteger(actual) else { return false }
            if pattern == actual { return true }
            let zeros: Set<String> = ["0", "-0"]
            return zeros.contains(pattern) && zeros.contains(actual)
        }
        guard let want = Double(pattern), let got = Double(actual) else { return false }
        return want == got
    }

    /// For each pattern, the index of the message it takes (a perfect matching), or `nil`.
    /// Bipartite matching by augmenting paths, so overlapping patterns cannot hide a valid order.
    static func assignUnordered(_ patterns: [TranscriptJSON], _ messages: [TranscriptJSON]) -> [Int]? {
        guard patterns.count == messages.count else { return nil }
        let fits = messages.map { message in patterns.map { match($0, message) == nil } }
        var owner = [Int?](repeating: nil, count: patterns.count)
        func augment(_ message: Int, _ seen: inout Set<Int>) -> Bool {
            for pattern in patterns.indices where fits[message][pattern] && !seen.contains(pattern) {
                seen.insert(pattern)
                if owner[pattern] == nil || augment(owner[pattern]!, &seen) {
                    owner[pattern] = message
                    return true
                }
            }
            return false
        }
        for message in messages.indices {
            var seen = Set<Int>()
            if !augment(message, &seen) { return nil }
        }
        return owner.map { $0! }
    }
}

// MARK: - Running

/// A problem found while running a transcript.
struct TranscriptProblem: CustomStringConvertible, Sendable {
    let line: Int
    let message: String
    var description: String { "line \(line): \(message)" }
}

enum TranscriptRunner {
    /// How long `<`, `<unordered` and `!expect-close` wait.
    static let readTimeout: Duration = .seconds(10)

    /// Runs `steps` on `connection`. An answer that was read but does not match is recorded and the
    /// run goes on; a timeout, the connection ending or an unreadable answer stops it.
    static func run(_ steps: [TranscriptStep], on connection: TranscriptConnection, variables: [String: String]) async -> [TranscriptProblem] {
        var problems: [TranscriptProblem] = []
        for step in steps {
            do {
                if let mismatch = try await perform(step, on: connection, variables: variables) {
                    problems.append(TranscriptProblem(line: step.line, message: mismatch))
                }
            } catch let stop as TranscriptStop {
                problems.append(TranscriptProblem(line: step.line, message: stop.message))
                break
            } catch {
                problems.append(TranscriptProblem(line: step.line, message: "\(error)"))
                break
            }
        }
        return problems
    }

    struct TranscriptStop: Error { let message: String }

    /// Performs one step: `nil` when it went as expected, a mismatch description otherwise.
    private static func perform(_ step: TranscriptStep, on connection: TranscriptConnection, variables: [String: String]) async throws -> String? {
        switch step.action {
        case .sendLine(let text):
            try await connection.send(Array(Transcript.substitute(text, variables).utf8) + [0x0A])
        case .sendString(let text):
            try await connection.send(Array(Transcript.substitute(text, variables).utf8))
        case .sendBytes(let bytes):
            try await connection.send(bytes)
        case .fill(let count, let unit):
            let bytes = Array(Transcript.substitute(unit, variables).utf8)
            let times = try count.resolve(variables)
            var all: [UInt8] = []
            all.reserveCapacity(bytes.count * max(times, 0))
            for _ in 0..<max(times, 0) { all += bytes }
            try await connection.send(all)
        case .sleep(let milliseconds):
            try await Task.sleep(for: .milliseconds(milliseconds))
        case .halfClose:
            try await connection.halfClose()
        case .expect(let pattern):
            let message = try await readAnswer(connection)
            if let problem = Transcript.match(pattern, message) { return "\(problem)\n      answer: \(short(message))" }
        case .expectUnordered(let patterns):
            var messages: [TranscriptJSON] = []
            for _ in patterns { messages.append(try await readAnswer(connection)) }
            if Transcript.assignUnordered(patterns, messages) == nil {
                let strays = messages.filter { message in patterns.allSatisfy { Transcript.match($0, message) != nil } }
                return "the \(messages.count) answers do not match the \(patterns.count) patterns in any order"
                    + strays.prefix(5).map { "\n      matches no pattern: \(short($0))" }.joined()
            }
        case .expectNone(let milliseconds):
            switch await connection.nextEvent(timeout: .milliseconds(milliseconds)) {
            case .timedOut: break
            case .line(let bytes): return "expected no line within \(milliseconds) ms, got: \(String(decoding: bytes.prefix(300), as: UTF8.self))"
            case .closed(let how, _): throw TranscriptStop(message: "expected silence, but the connection ended: \(how)")
            }
        case .expectClose:
            switch await connection.nextEvent(timeout: readTimeout) {
            case .timedOut: throw TranscriptStop(message: "the connection was not closed within \(readTimeout)")
            case .line(let bytes): throw TranscriptStop(message: "expected the connection to close, got: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
            case .closed(_, let partial):
                if !partial.isEmpty { throw TranscriptStop(message: "the connection ended after a partial line: \(String(decoding: partial.prefix(200), as: UTF8.self))") }
            }
        }
        return nil
    }

    private static func readAnswer(_ connection: TranscriptConnection) async throws -> TranscriptJSON {
        switch await connection.nextEvent(timeout: readTimeout) {
        case .timedOut:
            throw TranscriptStop(message: "no answer within \(readTimeout)")
        case .closed(let how, _):
            throw TranscriptStop(message: "the connection ended: \(how)")
        case .line(let bytes):
            if bytes.last == 0x0D { throw TranscriptStop(message: "the server sent a CR before the LF: \(String(decoding: bytes.prefix(200), as: UTF8.self))") }
            do {
                return try TranscriptJSON.parse(bytes)
            } catch {
                throw TranscriptStop(message: "the answer is not strict JSON (\(error)): \(String(decoding: bytes.prefix(300), as: UTF8.self))")
            }
        }
    }

    private static func short(_ value: TranscriptJSON) -> String {
        let text = value.description
        return text.count <= 400 ? text : String(text.prefix(400)) + "…"
    }
}

// MARK: - A raw TLS connection

/// One TLS connection that sends bytes as they are and hands out answer lines, with timeouts,
/// half-close and end-of-stream detection (what `RPCClient` does not expose).
final class TranscriptConnection: Sendable {
    enum Event: Sendable {
        case line([UInt8])
        /// The stream ended: how, and any bytes after the last LF.
        case closed(String, partial: [UInt8])
        case timedOut
    }

    private let channel: any Channel
    private let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    static func connect(host: String, port: Int, tls: TLSConfiguration) async throws -> TranscriptConnection {
        let context = try NIOSSLContext(configuration: tls)
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(LineCollector(inbox: inbox))
                }
            }
            .connect(host: host, port: port)
            .get()
        return TranscriptConnection(channel: channel, inbox: inbox)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Sends TLS close_notify and shuts down the TCP sending side; reading goes on.
    func halfClose() async throws {
        try await channel.close(mode: .output)
    }

    /// The next line (without its LF), the end of the stream, or `.timedOut`.
    func nextEvent(timeout: Duration) async -> Event {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let event = inbox.take() { return event }
            if ContinuousClock.now >= deadline { return .timedOut }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    func close() async {
        try? await channel.close()
    }

    /// Lines and the end of stream, handed from the event loop to the runner.
    final class Inbox: Sendable {
        private struct State {
            var lines: [[UInt8]] = []
            var next = 0
            var closed: (String, [UInt8])?
            var error: String?
        }
        private let state = Mutex(State())

        func push(_ line: [UInt8]) { state.withLock { $0.lines.append(line) } }
        func noteError(_ error: String) { state.withLock { if $0.error == nil { $0.error = error } } }
        func close(partial: [UInt8]) {
            state.withLock { state in
                guard state.closed == nil else { return }
                state.closed = (state.error.map { "closed (\($0))" } ?? "closed", partial)
            }
        }

        func take() -> Event? {
            state.withLock { state in
                if state.next < state.lines.count {
                    defer { state.next += 1 }
                    return .line(state.lines[state.next])
                }
                if let closed = state.closed { return .closed(closed.0, partial: closed.1) }
                return nil
            }
        }
    }

    private final class LineCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let inbox: Inbox
        private var pending: [UInt8] = []

        init(inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            while let newline = pending.firstIndex(of: 0x0A) {
                inbox.push(Array(pending[..<newline]))
                pending.removeSubrange(...newline)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            inbox.noteError("\(error)")
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            inbox.close(partial: pending)
            context.fireChannelInactive()
        }
    }
}
