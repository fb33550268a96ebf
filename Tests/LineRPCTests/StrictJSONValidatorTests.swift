import Testing

@testable import LineRPC

private func validate(_ text: String, depth: Int = 64) -> StrictJSONValidator.Failure? {
    var layout = StrictJSONValidator.Layout()
    return Array(text.utf8).withUnsafeBytes { StrictJSONValidator.validate($0, maximumDepth: depth, layout: &layout) }
}

@Suite("Strict JSON validation")
struct StrictJSONValidatorTests {
    @Test("valid JSON texts pass", arguments: [
        "{}", "[]", " [ 1 , -0.5e+3 , \"a\\\"b\\u00e9\" , true , false , null ] ", #"{"a":{"b":[{}]}}"#,
        "0", "-0", "1E9", #"["\ud83d\ude00"]"#, #""\/\\\b\f\n\r\t""#, "\t{\"k\" : \"v\"}\r",
    ])
    func valid(text: String) {
        #expect(validate(text) == nil)
    }

    @Test("what Foundation would accept but JSON forbids is refused", arguments: [
        #"{"a":1,}"#, "[1,]", "\u{FEFF}[1]", #"{"a":1,"a":2}"#, "[01]", "[1.]", "[.5]", "[1e]", "[+1]",
        "[NaN]", "[Infinity]", #"["\ud800"]"#, #"["\udc00"]"#, #"["\ud800x"]"#, #"["\ud800\u0041"]"#, "[tru]", "{'a':1}", "[\"tab\there\"]", #"["\x"]"#, #"["\u12G4"]"#, "[1] [2]", "{\"a\"}", "{1:2}", "[", "",
    ])
    func invalid(text: String) {
        guard case .syntax? = validate(text) else {
            Issue.record("accepted: \(text)")
            return
        }
    }

    @Test("member names are compared as the text they stand for, escapes resolved", arguments: [
        #"{"method":"ping","\u006dethod":"nope"}"#, #"{"\u006dethod":"nope","method":"ping"}"#, #"{"a\/b":1,"a/b":2}"#,
        #"{"\ud83d\ude00":1,"😀":2}"#, #"{"params":{"limit":1,"\u006cimit":2}}"#, #"{"\n":1,"\u000a":2}"#,
    ])
    func escapedDuplicates(text: String) {
        guard case .syntax(_, let reason)? = validate(text) else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(reason.hasPrefix("duplicate member name"), "\(reason)")
    }

    @Test("escaped names that differ from each other are fine")
    func escapedDistinct() {
        #expect(validate(#"{"\u006dethod":1,"methods":2,"\u00e9":3,"é\t":4}"#) == nil)
        #expect(StrictJSONValidator.canonicalKey(Array(#"\u006dethod"#.utf8)) == Array("method".utf8))
        #expect(StrictJSONValidator.canonicalKey(Array(#"\ud83d\ude00\"q\\"#.utf8)) == Array("😀\"q\\".utf8))
    }

    @Test("depth is bounded without recursion")
    func depth() {
        #expect(validate("[[[]]]", depth: 3) == nil)
        #expect(validate("[[[[]]]]", depth: 3) == .tooDeep(maximumDepth: 3))
        #expect(validate(String(repeating: "{\"a\":", count: 100_000), depth: 64) == .tooDeep(maximumDepth: 64))
    }
}
