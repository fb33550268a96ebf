import AccessProtocol
import Foundation
import NIOCore
import Testing

@testable import LineRPC

private let parser = RPCMessageParser(maximumJSONDepth: 64, maximumBatchLength: 3)

private func parse(_ text: String) -> RPCIncomingMessage { parser.parse(ByteBuffer(string: text)) }

private func errorOf(_ message: RPCIncomingMessage) -> (RPCID, RPCError)? {
    if case .single(.invalid(let id, let error)) = message { return (id, error) }
    return nil
}

@Suite("JSON-RPC envelope")
struct RPCMessageParserTests {
    @Test("a request keeps its id, method and params")
    func validRequest() {
        #expect(parse(#"{"jsonrpc":"2.0","id":"a-1","method":"ping","params":{"x":1}}"#)
            == .single(.request(RPCRequest(id: .string("a-1"), method: "ping", params: .object(["x": .integer(1)])))))
    }

    @Test("ids of every allowed type are kept exactly", arguments: [
        (#""""#, RPCID.string("")), (#""7""#, .string("7")), ("0", .integer(0)), ("-5", .integer(-5)),
        ("9007199254740993", .integer(9_007_199_254_740_993)), ("null", .null),
    ])
    func idTypes(raw: String, id: RPCID) {
        #expect(parse(#"{"jsonrpc":"2.0","id":\#(raw),"method":"m"}"#) == .single(.request(RPCRequest(id: id, method: "m", params: nil))))
    }

    @Test("numeric ids keep their exact text: fractions, exponents, huge and negative zero", arguments: ["1.0", "1.5", "1e3", "-0", "18446744073709551616", "2E-7"])
    func numericIDText(raw: String) {
        #expect(parse(#"{"jsonrpc":"2.0","id":\#(raw),"method":"m"}"#) == .single(.request(RPCRequest(id: .number(raw), method: "m", params: nil))))
        #expect(parse(#"[{"jsonrpc":"2.0","method":"n"},{"method":"m","id":\#(raw),"jsonrpc":"2.0","params":{"id":7}}]"#) == .batch([
            .request(RPCRequest(id: nil, method: "n", params: nil)),
            .request(RPCRequest(id: .number(raw), method: "m", params: .object(["id": .integer(7)]))),
        ]))
    }

    @Test("a response echoes a numeric id byte for byte")
    func responseEchoesRawID() throws {
        let text = try RPCResponse(id: .number("1e3"), outcome: .result("ok")).jsonText(encoder: JSONEncoder())
        #expect(text == #"{"id":1e3,"jsonrpc":"2.0","result":"ok"}"#)
        let error = try RPCResponse(id: .string("a\"b"), outcome: .error(.methodNotFound("x"))).jsonText(encoder: { let e = JSONEncoder(); e.outputFormatting = .sortedKeys; return e }())
        #expect(error == #"{"error":{"code":-32601,"data":{"method":"x","name":"rpc.method_not_found"},"message":"Method not found: x"},"id":"a\"b","jsonrpc":"2.0"}"#)
    }

    @Test("ids that are not strings, numbers or null are refused with id null", arguments: ["true", "false", "{}", "[1]"])
    func badIDs(raw: String) throws {
        let (id, error) = try #require(errorOf(parse(#"{"jsonrpc":"2.0","id":\#(raw),"method":"m"}"#)))
        #expect(id == .null)
        #expect(error.code == -32600)
    }

    @Test("no id means a notification")
    func notification() {
        #expect(parse(#"{"jsonrpc":"2.0","method":"m"}"#) == .single(.request(RPCRequest(id: nil, method: "m", params: nil))))
    }

    @Test("bad JSON is a parse error with id null")
    func parseError() throws {
        for text in ["{", "not json", #"{"jsonrpc":"2.0","id":1,"method":"m",}"#, "[1,2"] {
            let (id, error) = try #require(errorOf(parse(text)), "\(text)")
            #expect(id == .null)
            #expect(error.code == -32700)
            #expect(error.name == "rpc.parse_error")
        }
    }

    @Test("invalid UTF-8 is a parse error")
    func invalidUTF8() throws {
        var buffer = ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":""#)
        buffer.writeBytes([0xC3, 0x28])
        buffer.writeString(#""}"#)
        let (_, error) = try #require(errorOf(parser.parse(buffer)))
        #expect(error.code == -32700)
        #expect(error.data?["offset"] == .integer(Int64(#"{"jsonrpc":"2.0","id":1,"method":""#.utf8.count)))
    }

    @Test("an invalid request whose id can be read echoes that id")
    func invalidRequestEchoesID() throws {
        let (id, error) = try #require(errorOf(parse(#"{"id":42,"method":"m"}"#)))
        #expect(id == .integer(42))
        #expect(error.code == -32600)
        let (id2, error2) = try #require(errorOf(parse(#"{"jsonrpc":"2.0","id":"x","method":7}"#)))
        #expect(id2 == .string("x"))
        #expect(error2.code == -32600)
        let (_, error3) = try #require(errorOf(parse(#"{"jsonrpc":"2.0","id":"x","method":"m","params":3}"#)))
        #expect(error3.code == -32600)
    }

    @Test("params null is treated as absent")
    func paramsNull() {
        #expect(parse(#"{"jsonrpc":"2.0","id":1,"method":"m","params":null}"#) == .single(.request(RPCRequest(id: .integer(1), method: "m", params: nil))))
    }

    @Test("a JSON value that is not an object or array is an invalid request")
    func scalar() throws {
        let (_, error) = try #require(errorOf(parse("5")))
        #expect(error.code == -32600)
    }

    @Test("batches: empty refused, over the cap refused, elements validated one by one")
    func batches() throws {
        #expect(try #require(errorOf(parse("[]"))).1.code == -32600)
        let (_, overCap) = try #require(errorOf(parse(#"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"a"}]"#)))
        #expect(overCap.name == "limit.batch_length")
        #expect(parse(#"[1,{"jsonrpc":"2.0","id":2,"method":"m"}]"#) == .batch([
            .invalid(id: .null, error: .invalidRequest("Invalid Request: expected an object, got number")),
            .request(RPCRequest(id: .integer(2), method: "m", params: nil)),
        ]))
    }

    @Test("a batch over the cap is refused before it is decoded: invalid UTF-8 in its elements is never reached")
    func batchCountedBeforeDecoding() throws {
        // Decoding is most of a line's cost: a client that sends long batches before authenticating
        // must not make the server decode them (Benchmarks/RESULTS.md, the hostile mix).
        var buffer = ByteBuffer(string: "[")
        for index in 0..<4 {
            buffer.writeString(#"{"jsonrpc":"2.0","id":\#(index),"method":""#)
            buffer.writeBytes([0xC3, 0x28])
            buffer.writeString(index == 3 ? #""}]"# : #""},"#)
        }
        let (id, error) = try #require(errorOf(parser.parse(buffer)))
        #expect(id == .null)
        #expect(error.name == "limit.batch_length")
        #expect(error.message == "Batch of 4 requests is over the limit of 3")
        #expect(error.data?["maximumBatchLength"] == .integer(3))
        // At the cap the same elements are decoded, and the invalid UTF-8 is found.
        var atCap = ByteBuffer(string: "[")
        for index in 0..<3 {
            atCap.writeString(#"{"jsonrpc":"2.0","id":\#(index),"method":""#)
            atCap.writeBytes([0xC3, 0x28])
            atCap.writeString(index == 2 ? #""}]"# : #""},"#)
        }
        #expect(try #require(errorOf(parser.parse(atCap))).1.code == -32700)
    }

    @Test("a line with more JSON values than allowed is refused before it is decoded")
    func valueCount() throws {
        let limited = RPCMessageParser(maximumJSONDepth: 64, maximumBatchLength: 10, maximumJSONValues: 256)
        // A ping padded with an ignored member of 30,000 zeros: 64 KiB, and costly to decode.
        let padded = #"{"jsonrpc":"2.0","id":1,"method":"ping","x":["# + Array(repeating: "0", count: 30_000).joined(separator: ",") + "]}"
        let (id, error) = try #require(errorOf(limited.parse(ByteBuffer(string: padded))))
        #expect(id == .null)
        #expect(error.code == -32600)
        #expect(error.name == "limit.json_values")
        #expect(error.data?["maximumJSONValues"] == .integer(256))
        // authenticate holds 6 values; a batch of 10 pings 41: both far under.
        #expect(errorOf(limited.parse(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"authenticate","params":{"token":"t"}}"#))) == nil)
        let batch = "[" + (1...10).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"ping"}"# }.joined(separator: ",") + "]"
        guard case .batch(let entries) = limited.parse(ByteBuffer(string: batch)) else {
            Issue.record("a batch of 10 pings was refused")
            return
        }
        #expect(entries.count == 10)
        // Exactly at the limit is accepted: the object, "2.0", "ping", the array and 252 zeros are 256 values.
        let atLimit = #"{"jsonrpc":"2.0","method":"ping","x":["# + Array(repeating: "0", count: 252).joined(separator: ",") + "]}"
        #expect(errorOf(limited.parse(ByteBuffer(string: atLimit))) == nil)
        let overLimit = #"{"jsonrpc":"2.0","method":"ping","x":["# + Array(repeating: "0", count: 253).joined(separator: ",") + "]}"
        #expect(errorOf(limited.parse(ByteBuffer(string: overLimit)))?.1.name == "limit.json_values")
    }

    @Test("10,000 levels of nesting are refused before parsing, without crashing")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let (id, error) = try #require(errorOf(parse(deep)))
        #expect(id == .null)
        #expect(error.name == "limit.json_depth")
        let deepInString = #"{"jsonrpc":"2.0","id":1,"method":"m","params":{"s":"\#(String(repeating: "[", count: 500))"}}"#
        guard case .single(.request) = parse(deepInString) else {
            Issue.record("brackets inside a string must not count as nesting")
            return
        }
    }

    @Test("a blank line is ignored")
    func blank() {
        #expect(parse("") == .empty)
        #expect(parse(" \t ") == .empty)
    }
}

@Suite("Wire timestamps")
struct ProtocolTimestampTests {
    @Test("dates are written to the nearest millisecond, never truncated below it")
    func rounding() {
        #expect(JSONEncoder.protocolTimestamp(Date(timeIntervalSince1970: 1_800_000_000.1239999)) == "2027-01-15T08:00:00.124Z")
        #expect(JSONEncoder.protocolTimestamp(Date(timeIntervalSince1970: 1_800_000_000)) == "2027-01-15T08:00:00.000Z")
        #expect(JSONEncoder.protocolTimestamp(Date(timeIntervalSince1970: 1_800_000_000.9996)) == "2027-01-15T08:00:01.000Z")
        #expect(JSONEncoder.protocolTimestamp(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }
}

@Suite("Envelope read from the bytes")
struct EnvelopeFromBytesTests {
    @Test("params stay the bytes of the line until the method decodes them")
    func paramsAreBytes() throws {
        guard case .single(.request(let request)) = parse(#"{"params": {"b":[1, {"c":"\u00e9"}]} ,"method":"m","jsonrpc":"2.0","id":"x"}"#) else {
            Issue.record("not a request")
            return
        }
        guard case .json(let bytes) = request.paramsText else {
            Issue.record("params were decoded: \(request.paramsText)")
            return
        }
        #expect(String(buffer: bytes) == #"{"b":[1, {"c":"\u00e9"}]}"#)
        #expect(request.params == .object(["b": .array([.integer(1), .object(["c": .string("é")])])]))
    }

    @Test("escaped member names and strings in the envelope are read as the text they stand for")
    func escapes() {
        #expect(parse(#"{"jsonrpc":"2\u002e0","\u006dethod":"p\u0069ng","id":"a\"b"}"#)
            == .single(.request(RPCRequest(id: .string("a\"b"), method: "ping", params: nil))))
    }

    @Test("a number too large for a 64-bit float is a parse error, wherever it is", arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"m","params":{"n":1e400}}"#, #"{"jsonrpc":"2.0","id":1e999,"method":"m"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"m","x":-1"# + String(repeating: "0", count: 400) + "}",
    ])
    func numberOutOfRange(text: String) throws {
        let (id, error) = try #require(errorOf(parse(text)))
        #expect(id == .null)
        #expect(error.code == -32700)
        #expect(error.message == "Parse error: a number is outside the range of a 64-bit float")
    }
}

@Suite("Wire timestamps written by hand")
struct HandWrittenTimestampTests {
    /// What Foundation's ISO 8601 formatter writes for the same instant, as `protocolTimestamp` did before.
    private func foundation(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = String(millis - seconds * 1000)
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds)).ISO8601Format(Date.ISO8601FormatStyle(timeZone: .gmt))
        return String(whole.dropLast()) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    @Test("the same text as Foundation's formatter: edges and 20,000 instants from year 1 to 9999 (Julian before 1583)")
    func matchesFoundation() {
        var instants: [TimeInterval] = [0, -0.0004, -0.5, -1, 86_399.9995, 951_782_400, 951_868_799.999, 4_107_542_399.999,
                                        -62_135_596_800, -12_212_553_600, -12_212_553_600.001, 253_402_300_799.999, 1_800_000_000.1239999]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { instants.append(TimeInterval(Int64.random(in: -62_135_596_800_000...253_402_300_799_000, using: &generator)) / 1000) }
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            #expect(JSONEncoder.protocolTimestamp(date) == foundation(date), "\(instant)")
        }
    }
}
