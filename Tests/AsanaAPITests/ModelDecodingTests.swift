#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

@testable import AsanaAPI

@Suite("Model decoding")
struct ModelDecodingTests {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    @Test("a null email decodes as nil")
    func nullEmail() throws {
        let user = try decode(AsanaUser.self, #"{"gid":"1","name":"Ada","email":null}"#)
        #expect(user == AsanaUser(gid: "1", name: "Ada", email: nil))
    }

    @Test("a compact user without name or email decodes; unknown fields are ignored")
    func compactUser() throws {
        let user = try decode(AsanaUser.self, #"{"gid":"1","resource_type":"user","photo":{"image_21x21":"x"}}"#)
        #expect(user == AsanaUser(gid: "1"))
    }

    @Test("a null email through the client decodes too")
    func nullEmailThroughClient() async throws {
        let transport = FakeTransport([.page([#"{"gid":"1","name":"Ada","email":null}"#], next: nil)])
        let users = try await makeClient(transport).users(workspace: "1000")
        #expect(users == [AsanaUser(gid: "1", name: "Ada", email: nil)])
    }

    @Test("a user without gid does not decode")
    func missingGid() {
        #expect(throws: DecodingError.self) { try decode(AsanaUser.self, #"{"name":"Ada"}"#) }
    }

    @Test("a compact workspace leaves the optional fields nil")
    func compactWorkspace() throws {
        let workspace = try decode(AsanaWorkspace.self, #"{"gid":"1000","resource_type":"workspace","name":"Acme"}"#)
        #expect(workspace == AsanaWorkspace(gid: "1000", name: "Acme"))
        #expect(workspace.isOrganization == nil && workspace.emailDomains == nil)
    }

    @Test("a compact workspace membership keeps unknown flags nil, not false")
    func compactMembership() throws {
        let membership = try decode(
            AsanaWorkspaceMembership.self,
            #"{"gid":"5","resource_type":"workspace_membership","user":{"gid":"7","name":"Ada"},"workspace":{"gid":"1000","name":"Acme"}}"#
        )
        #expect(membership == AsanaWorkspaceMembership(gid: "5", user: AsanaUser(gid: "7", name: "Ada")))
        #expect(membership.isActive == nil && membership.isAdmin == nil)
    }

    @Test("null user and team in a team membership decode as nil")
    func nullNested() throws {
        let membership = try decode(
            AsanaTeamMembership.self, #"{"gid":"9","user":null,"team":null,"is_admin":null,"is_guest":true}"#)
        #expect(membership == AsanaTeamMembership(gid: "9", isGuest: true))
    }

    @Test("a wrong type for a flag does not decode")
    func wrongFlagType() {
        #expect(throws: DecodingError.self) {
            try decode(AsanaWorkspaceMembership.self, #"{"gid":"5","is_admin":"yes"}"#)
        }
    }
}
