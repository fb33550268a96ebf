import AccessProtocol
@testable import AccessService
import Foundation
import LineRPC
import TestSupport
import Testing

/// Errors that help a person who mistyped: close team names, an unknown workspace said to be unknown.
@Suite("Did you mean")
struct DidYouMeanTests {
    @Test("close names: case, containment and a few edits, closest first, at most five")
    func closeNames() {
        let names = ["Engineering", "Design", "Marketing", "Sales", "Engineering Ops", "Support", "Legal"]
        #expect(CloseNames.close(to: "Enginering", among: names) { $0 } == ["Engineering"])
        #expect(CloseNames.close(to: "engineering", among: names) { $0 } == ["Engineering", "Engineering Ops"])
        #expect(CloseNames.close(to: "Desing", among: names) { $0 } == ["Design"])
        #expect(CloseNames.close(to: "Finance", among: names) { $0 } == [])
        #expect(CloseNames.close(to: "", among: names) { $0 } == [])
        #expect(CloseNames.editDistance(Array("kitten"), Array("sitting"), atMost: 3) == 3)
        #expect(CloseNames.editDistance(Array("kitten"), Array("sitting"), atMost: 1) == 2, "stops past the limit")
    }

    @Test("listUsers and provision with a mistyped team name: team.not_found names the close teams")
    func mistypedTeam() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 3)
        defer { Task { await harness.stop() } }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        let team = try #require(harness.simulator.state().teams.first { $0.name == "Engineering" })
        do {
            _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, team: "Enginering"))
            Issue.record("a mistyped team was accepted")
        } catch let error as RPCError {
            #expect(error.kind == .teamNotFound)
            #expect(error.message == "No team \"Enginering\" in workspace \(harness.workspace); did you mean \"Engineering\" (\(team.gid))?")
            #expect(error.data?["closeNames"] == [["gid": .string(team.gid), "name": "Engineering"]])
        }
        do {
            _ = try await harness.service.provision(
                Provision.Params(workspace: harness.workspace, email: "x@acme.example", action: .add, teams: ["engineering"]), principal: nil)
            Issue.record("a team in another case was accepted")
        } catch let error as RPCError {
            #expect(error.kind == .teamNotFound)
            #expect(error.data?["closeNames"] == [["gid": .string(team.gid), "name": "Engineering"]])
        }
    }

    @Test("listUsers with a team of a workspace never synced: workspace.not_synced, not team.not_found; once synced, the team's page")
    func teamOfUnsyncedWorkspace() async throws {
        let harness = try await ServiceHarness.start(users: 20, teams: 3)
        defer { Task { await harness.stop() } }
        let team = try #require(harness.simulator.state().teams.first { $0.name == "Engineering" })
        for name in [team.gid, "Engineering", "Enginering"] {
            await #expect(throws: RPCError.self) {
                _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, team: name))
            }
            do {
                _ = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, team: name))
            } catch let error as RPCError {
                #expect(error.kind == .workspaceNotSynced, "team \(name): \(error.message)")
            }
        }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: "test")
        let page = try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace, team: "Engineering"))
        let everyone = Set(try await harness.service.listUsers(ListUsers.Params(workspace: harness.workspace)).users.map(\.gid))
        let members = Set(harness.simulator.state().teamMemberships.filter { $0.team == team.gid }.map(\.user)).intersection(everyone)
        #expect(!members.isEmpty)
        #expect(Set(page.users.map(\.gid)) == members)
    }

    @Test("listUsers and getWorkspaceStatus of a workspace the server knows nothing of: said to be unknown")
    func unknownWorkspace() async throws {
        let harness = try await ServiceHarness.start(users: 10, teams: 1)
        defer { Task { await harness.stop() } }
        for (workspace, stored) in [(harness.workspace, true), ("999999", false)] {
            do {
                _ = try await harness.service.listUsers(ListUsers.Params(workspace: workspace))
                Issue.record("a workspace without snapshot was listed")
            } catch let error as RPCError {
                #expect(error.kind == .workspaceNotSynced)
                #expect(error.data?["credentialStored"] == .bool(stored))
                #expect(error.message.contains("unknown to this server") == !stored, "\(error.message)")
            }
        }
        #expect(try await harness.service.workspaceStatus(workspace: harness.workspace).credentials.count == 2)
        do {
            _ = try await harness.service.workspaceStatus(workspace: "999999")
            Issue.record("the status of a workspace nothing is known of was answered")
        } catch let error as RPCError {
            #expect(error.kind == .workspaceNotSynced)
            #expect(error.data?["credentialStored"] == false)
        }
    }
}
