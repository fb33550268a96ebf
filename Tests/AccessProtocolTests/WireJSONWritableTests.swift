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

    /// Texts the fast path must write as the encoder does: plain, quotes and backslashes, controls, DEL, non-ASCII,
    /// U+2028/U+2029, slashes.
    private static let texts = ["Ada Admin", #"a"b\c/d"#, "tab\there\u{1}\u{1F}", "del\u{7F}", "José Ñúñez 😀 \u{85}", "line\u{2028}para\u{2029}", "</script>"]

    private func people() -> [Person] {
        var people: [Person] = []
        for (index, text) in Self.texts.enumerated() {
            let date = Date(timeIntervalSince1970: 1_800_000_000.1239999 + Double(index) * 86_400.5)
            let teams = (0..<(index % 3)).map { Person.Team(gid: "20\($0)", name: Self.texts[($0 + index) % Self.texts.count],
                                                            isAdmin: $0 == 0 ? nil : true, isGuest: false, isLimitedAccess: index % 2 == 0 ? nil : false) }
            people.append(Person(gid: "100\(index)", name: index == 3 ? nil : text, email: index == 4 ? nil : "\(text)@acme.example",
                                 isActive: index % 3 == 0 ? nil : true, isAdmin: index % 2 == 0, isGuest: index == 5 ? nil : false,
                                 isViewOnly: false, teams: teams, firstSeenAt: date, lastSeenAt: index == 2 ? nil : date,
                                 departedAt: index == 1 ? date : nil, changedAt: date,
                                 change: [nil, .added, .updated, .departed][index % 4]))
        }
        return people
    }

    @Test("a listUsers page is written byte for byte as the wire encoder writes it, in every shape", arguments: [
        nil, Set<Person.Member>([.gid]), Set<Person.Member>([.name, .teams, .change]), Set<Person.Member>([.email, .departedAt, .isGuest]),
    ])
    func listUsersPage(fields: Set<Person.Member>?) throws {
        let people = people().map { person -> Person in
            var person = person
            person.members = (fields ?? Set(Person.Member.allCases)).union([.gid])
            return person
        }
        let at = Date(timeIntervalSince1970: 1_700_000_000.5)
        let results = [
            ListUsers.Result(workspace: WorkspaceRef(gid: "1000", name: "Acme Corp", isOrganization: true), syncedAt: at, changedSince: nil,
                             users: people, nextCursor: "eyJuIjoiQWRhIn0"),
            ListUsers.Result(workspace: WorkspaceRef(gid: "1000", name: #"Q"uoted\ é"#, isOrganization: false), syncedAt: nil, changedSince: at,
                             asOf: ListUsers.AsOf(time: at, syncRunId: 7, historyFrom: at), users: [], nextCursor: nil),
            ListUsers.Result(workspace: WorkspaceRef(gid: "1", name: "", isOrganization: true), syncedAt: at, changedSince: at,
                             users: Array(people.prefix(1)), nextCursor: nil),
        ]
        for result in results {
            var fast: [UInt8] = []
            result.writeWireJSON(to: &fast)
            let general = try JSONEncoder.protocolEncoder().encode(result)
            #expect(String(decoding: fast, as: UTF8.self) == String(decoding: general, as: UTF8.self))
        }
    }
}

