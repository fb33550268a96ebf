import Foundation
import Testing

/// The transcript interpreter's pure parts: directives, patterns, matching, substitution.
@Suite("Transcript parser and matcher")
struct TranscriptParserTests {
    @Test("every directive parses, comments and blank lines are skipped, line numbers kept")
    func directives() throws {
        let steps = try Transcript.parse("""
        # a comment

        > {"jsonrpc":"2.0","id":1,"method":"ping"}
        >bytes "a\\r\\n\\u00ef"
        >hex c3 28 0A
        >fill 70000 "x"
        >fill $MAX_LINE_BYTES-40 " "
        < {"id":1,"result":"$any"}
        <unordered 2
        # between
        < {"id":2}
        < {"id":3}
        <none 300
        !sleep 50
        !half-close
        !expect-close
        """)
        #expect(steps.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16])
        #expect(steps[0].action == .sendLine(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#))
        #expect(steps[1].action == .sendString("a\r\n\u{EF}"))
        #expect(steps[2].action == .sendBytes([0xC3, 0x28, 0x0A]))
        #expect(steps[3].action == .fill(count: TranscriptCount(variable: nil, value: 70000), unit: "x"))
        #expect(steps[4].action == .fill(count: TranscriptCount(variable: "MAX_LINE_BYTES", value: -40), unit: " "))
        #expect(steps[5].action == .expect(.object(["id": .number("1"), "result": .string("$any")])))
        #expect(steps[6].action == .expectUnordered([.object(["id": .number("2")]), .object(["id": .number("3")])]))
        #expect(steps[7].action == .expectNone(milliseconds: 300))
        #expect(steps[8].action == .sleep(milliseconds: 50))
        #expect(steps[9].action == .halfClose)
        #expect(steps[10].action == .expectClose)
    }

    @Test("> sends the rest of the line as it is, even when it is not JSON; CRLF files work")
    func sendLineVerbatim() throws {
        let steps = try Transcript.parse("> {\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]\r\n>  two spaces\r\n")
        #expect(steps.map(\.action) == [.sendLine(#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#), .sendLine(" two spaces")])
    }

    @Test("malformed transcripts are refused with the line number", arguments: [
        ("> ok\n<  {not json", 2),
        ("bogus directive", 1),
        (">bytes not-a-string", 1),
        (">bytes \"\\ud800\"", 1),
        (">hex c3 2", 1),
        (">hex", 1),
        (">fill x \"a\"", 1),
        (">fill 10 \"\"", 1),
        ("<unordered 2\n< {}\n> {}", 3),
        ("<unordered 2\n< {}", 1),
        ("<unordered 0", 1),
        ("<none soon", 1),
        ("< \"$whatever\"", 1),
        ("< [\"$absent\"]", 1),
        ("< {\"a\":1,\"a\":2}", 1),
        ("!half-close now", 1),
    ])
    func refusals(_ text: String, _ line: Int) {
        #expect(throws: TranscriptSyntaxError.self) { try Transcript.parse(text) }
        do {
            _ = try Transcript.parse(text)
        } catch let error as TranscriptSyntaxError {
            #expect(error.line == line, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("variables are substituted when known, other $ text is left alone")
    func substitution() throws {
        let variables = ["READER_TOKEN": "aat_x", "MAX_LINE_BYTES": "65536"]
        #expect(Transcript.substitute(#"{"token":"$READER_TOKEN"}"#, variables) == #"{"token":"aat_x"}"#)
        #expect(Transcript.substitute("$UNKNOWN $ $$ $reader $MAX_LINE_BYTES", variables) == "$UNKNOWN $ $$ $reader 65536")
        #expect(try TranscriptCount(variable: "MAX_LINE_BYTES", value: -40).resolve(variables) == 65496)
        #expect(throws: TranscriptSyntaxError.self) { try TranscriptCount(variable: "NOPE", value: 0).resolve(variables) }
    }

    @Test("objects match on the expected members; arrays element-wise and of the same length")
    func structuralMatching() throws {
        let answer = try TranscriptJSON.parse(#"{"id":1,"jsonrpc":"2.0","result":{"server":"asana-accessd","time":"x"},"extra":[1,2]}"#)
        #expect(Transcript.match(try .parse(#"{"id":1,"result":{"server":"asana-accessd"}}"#), answer) == nil)
        #expect(Transcript.match(try .parse(#"{"id":2}"#), answer) != nil)
        #expect(Transcript.match(try .parse(#"{"error":"$any"}"#), answer) != nil)
        #expect(Transcript.match(try .parse(#"{"extra":[1,2]}"#), answer) == nil)
        #expect(Transcript.match(try .parse(#"{"extra":[1]}"#), answer) != nil)
        #expect(Transcript.match(try .parse(#"{"extra":[2,1]}"#), answer) != nil)
        #expect(Transcript.match(try .parse(#"{"error":"$absent","id":1}"#), answer) == nil)
        #expect(Transcript.match(try .parse(#"{"result":"$absent"}"#), answer) != nil)
        // An object pattern does not match an array answer, and the other way round.
        #expect(Transcript.match(try .parse(#"{}"#), try .parse("[]")) != nil)
        #expect(Transcript.match(try .parse(#"[]"#), try .parse("{}")) != nil)
    }

    @Test("kinds: $any, $string, $number, $null-or-string; $$ escapes a literal $")
    func kinds() throws {
        let values: [String: TranscriptJSON] = ["null": .null, "string": .string("s"), "number": .number("1.5"), "bool": .bool(true), "array": .array([]), "object": .object([:])]
        func matching(_ kind: String) -> Set<String> {
            Set(values.filter { Transcript.match(.string(kind), $0.value) == nil }.keys)
        }
        #expect(matching("$any") == Set(values.keys))
        #expect(matching("$string") == ["string"])
        #expect(matching("$number") == ["number"])
        #expect(matching("$null-or-string") == ["null", "string"])
        #expect(Transcript.match(.string("$$any"), .string("$any")) == nil)
        #expect(Transcript.match(.string("$$any"), .string("x")) != nil)
    }

    @Test("numbers: an integer pattern wants that integer text; others compare by value; booleans are not numbers")
    func numbers() throws {
        #expect(Transcript.match(.number("1"), .number("1")) == nil)
        #expect(Transcript.match(.number("1"), .number("1.0")) != nil)
        #expect(Transcript.match(.number("1"), .number("1e0")) != nil)
        #expect(Transcript.match(.number("1.0"), .number("1")) == nil)
        #expect(Transcript.match(.number("9007199254740993"), .number("9007199254740992")) != nil)
        #expect(Transcript.match(.number("-9223372036854775808"), .number("-9223372036854775808")) == nil)
        #expect(Transcript.match(.number("0"), .number("-0")) == nil)
        #expect(Transcript.match(.number("1"), .bool(true)) != nil)
        #expect(Transcript.match(.string("1"), .number("1")) != nil)
    }

    @Test("unordered: a perfect matching is found even when a greedy one would fail")
    func unordered() throws {
        let loose = try TranscriptJSON.parse(#"{"id":"$any"}"#)
        let tight = try TranscriptJSON.parse(#"{"id":1}"#)
        let one = try TranscriptJSON.parse(#"{"id":1}"#)
        let two = try TranscriptJSON.parse(#"{"id":2}"#)
        // Greedy would give `one` to `loose` first and leave `tight` without a message.
        #expect(Transcript.assignUnordered([loose, tight], [one, two]) == [1, 0])
        #expect(Transcript.assignUnordered([tight, tight], [one, two]) == nil)
        #expect(Transcript.assignUnordered([tight], [one, two]) == nil)
    }

    @Test("the JSON reader is strict and keeps number text")
    func strictReader() throws {
        #expect(try TranscriptJSON.parse(#" {"a":[1.50,-0,1e3,"\u00e9\ud83d\ude00\n"]} "#)
                == .object(["a": .array([.number("1.50"), .number("-0"), .number("1e3"), .string("é😀\n")])]))
        for bad in [#"{"a":1,}"#, "[1,]", #"{"a":1,"a":2}"#, "NaN", "01", "1.", ".5", "'x'", "\u{FEFF}{}", "{} x", #""\x""#, "\"a\tb\"", #""\ud800""#, "[", ""] {
            #expect(throws: TranscriptJSONError.self, "\(bad)") { try TranscriptJSON.parse(bad) }
        }
        #expect(throws: TranscriptJSONError.self) { try TranscriptJSON.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: TranscriptJSONError.self) { try TranscriptJSON.parse(String(repeating: "[", count: 10_000)) }
    }

    @Test("the shipped transcripts all parse")
    func shippedTranscriptsParse() throws {
        for name in ConformanceTests.transcripts {
            let text = try String(contentsOf: ConformanceTests.directory.appendingPathComponent(name), encoding: .utf8)
            do {
                let steps = try Transcript.parse(text)
                #expect(!steps.isEmpty, "\(name) is empty")
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
    }
}
