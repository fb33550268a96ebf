import AccessProtocol
import Foundation
import LineRPC
import Testing

@Suite("Person on the wire")
struct PersonTests {
    static let nameless = Person(
        gid: "u5", name: "Nameless", email: nil, isActive: true, isAdmin: nil, isGuest: false, isViewOnly: nil,
        teams: [.init(gid: "t2", name: "Design", isAdmin: nil, isGuest: nil, isLimitedAccess: nil)],
        firstSeenAt: Date(timeIntervalSince1970: 1_700_000_000), lastSeenAt: Date(timeIntervalSince1970: 1_700_000_000.5),
        departedAt: nil, changedAt: Date(timeIntervalSince1970: 1_700_000_000), change: nil)

    static func text(_ person: Person) throws -> String {
        String(decoding: try JSONEncoder.protocolEncoder().encode(person), as: UTF8.self)
    }

    @Test("every member is present, an unknown one as null, never left out")
    func everyMember() throws {
        #expect(try Self.text(Self.nameless) == #"{"change":null,"changedAt":"2023-11-14T22:13:20.000Z","departedAt":null,"email":null,"firstSeenAt":"2023-11-14T22:13:20.000Z","gid":"u5","isActive":true,"isAdmin":null,"isGuest":false,"isViewOnly":null,"lastSeenAt":"2023-11-14T22:13:20.500Z","name":"Nameless","teams":[{"gid":"t2","isAdmin":null,"isGuest":null,"isLimitedAccess":null,"name":"Design"}]}"#)
    }

    @Test("fields: gid and the named members only, null when unknown")
    func selectedMembers() throws {
        var person = Self.nameless
        person.members = [.email, .isAdmin]
        #expect(try Self.text(person) == #"{"email":null,"gid":"u5","isAdmin":null}"#)
    }

    @Test("decoding keeps 'not asked for' apart from 'unknown'")
    func decodingRemembersMembers() throws {
        let decoded = try JSONValue(strictJSON: #"{"email":null,"gid":"u5","isAdmin":true}"#).decoded(as: Person.self)
        #expect(decoded.members == [.gid, .email, .isAdmin])
        #expect(decoded.email == nil)
        #expect(decoded.isAdmin == true)
        let whole = try JSONValue(strictJSON: try Self.text(Self.nameless)).decoded(as: Person.self)
        #expect(whole == Self.nameless)
    }
}
