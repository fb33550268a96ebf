import AccessProtocol
import Foundation
import Testing

@Suite("Results that write their own wire JSON")
struct WireJSONWritableTests {
    private func limits(linesPerSecond: Int?, inFlight: Int) -> ServerLimits {
        ServerLimits(
            authenticated: ConnectionLimits(lineBytes: 1 << 20, batchLength: 100, jsonValues: 10_000, linesPerSecond: nil, inFlight: inFlight,
                                            answerBytes: 4 << 20, queuedBytes: 4 << 20),
            unauthenticated: ConnectionLimits(lineBytes: 65_536, batchLength: 10, jsonValues: 256, linesPerSecond: linesPerSecond, inFlight: 1,
                                              answerBytes: 16_384, queuedBytes: 16_384),
            jsonDepth: 64, connections: 256)
    }

    @Test("ping's result is written byte for byte as the wire encoder writes it", arguments: [
        nil, Identity(principal: "cert:dev-admin", role: "admin"), Identity(principal: #"token:a"b\c/d é 😀"#, role: "reader"),
        Identity(principal: "cert:tab\there\u{1}", role: "operator"),
    ])
    func ping(identity: Identity?) throws {
        for (index, time) in [0, 1_800_000_000.1239999, -0.5, 4_102_444_799.9996].enumerated() {
            // The limits change between values: the remembered text must follow them.
            let result = Ping.Result(server: "asana-accessd", version: "0.1.0", protocolVersion: "1.0", time: Date(timeIntervalSince1970: time),
                                     identity: identity, limits: limits(linesPerSecond: index % 2 == 0 ? 10 : nil, inFlight: 16 + index))
            var fast: [UInt8] = []
            result.writeWireJSON(to: &fast)
            let general = try JSONEncoder.protocolEncoder().encode(result)
            #expect(String(decoding: fast, as: UTF8.self) == String(decoding: general, as: UTF8.self))
        }
    }
}
