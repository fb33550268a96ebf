import AccessProtocol
import Foundation
import Testing

@Suite("Schemas derived from the protocol's types")
struct SchemaTests {
    @Test("every method's params schema names exactly the params it accepts", arguments: allAccessMethods.map(MethodCase.init))
    func paramNamesMatchTheSchema(method: MethodCase) {
        let names = Set(method.type.paramsSchema.members?.map(\.name) ?? [])
        #expect(names == method.type.paramNames)
    }

    @Test("method names are unique")
    func uniqueNames() {
        #expect(Set(allAccessMethods.map { $0.name }).count == allAccessMethods.count)
    }

    @Test("members: required, optional and @Nullable, with their types")
    func memberPresence() throws {
        let page = ListUsers.resultSchema
        #expect(page.member("syncedAt") == .init("syncedAt", .nullable(.dateTime), required: true))
        #expect(page.member("changedSince") == .init("changedSince", .dateTime, required: false))
        #expect(page.member("nextCursor") == .init("nextCursor", .string, required: false))
        #expect(page.member("workspace")?.schema.member("isOrganization") == .init("isOrganization", .boolean, required: true))
        let person = try #require(page.member("users")?.schema)
        guard case .array(let element) = person else { Issue.record("users is not an array: \(person)"); return }
        #expect(element.member("gid")?.required == true)
        #expect(element.member("isAdmin") == .init("isAdmin", .nullable(.boolean), required: false))
        #expect(element.member("change")?.schema == .nullable(.enumeration(["added", "updated", "departed"])))

        let params = ListUsers.paramsSchema
        #expect(params.member("workspace") == .init("workspace", .string, required: true))
        #expect(params.member("changedSince")?.schema == .oneOf([.dateTime, .date, .integer]))
        #expect(params.member("fields")?.schema == .array(of: .string))

        let run = GetSyncRun.resultSchema
        #expect(run.member("status")?.schema == .enumeration(["running", "succeeded", "partial", "failed"]))
        #expect(run.member("finishedAt") == .init("finishedAt", .nullable(.dateTime), required: true))
        #expect(GetSyncRun.paramsSchema.member("id") == .init("id", .integer, required: true))
        #expect(RevokeToken.resultSchema == .object([.init("done", .boolean, required: true)]))
        #expect(Ping.paramsSchema == .object([]))
    }

    @Test("the schema of a value the encoder writes accepts what it writes")
    func encodedValuesFollowTheirSchema() throws {
        let run = SyncRun(id: 7, workspaceGid: "1000", trigger: "schedule", status: .failed, startedAt: Date(timeIntervalSince1970: 1),
                          finishedAt: nil, counts: nil, apiCalls: 3, error: "boom")
        let json = try JSONValue(encoding: run)
        #expect(json["finishedAt"] == .null, "a @Nullable member is written as null")
        let members = Set(GetSyncRun.resultSchema.members?.map(\.name) ?? [])
        guard case .object(let written) = json else { Issue.record("not an object"); return }
        #expect(Set(written.keys) == members)
    }

    @Test("the OpenRPC document lists every method with params, result, role, and every error")
    func discoveryDocument() throws {
        let document = Discover.document(version: "1.0", methods: allAccessMethods)
        #expect(document.openrpc == "1.3.2")
        #expect(document.methods.map(\.name) == allAccessMethods.map { $0.name }.sorted())
        let listUsers = try #require(document.methods.first { $0.name == "listUsers" })
        #expect(listUsers.minimumRole == .reader)
        #expect(listUsers.params.first { $0.name == "workspace" } == .init(name: "workspace", required: true, schema: ["type": "string"]))
        #expect(listUsers.result.schema["properties"]?["nextCursor"] == ["type": "string"])
        #expect(listUsers.result.schema["required"] == ["workspace", "syncedAt", "users"])
        #expect(document.methods.first { $0.name == "ping" }?.minimumRole == nil)
        guard case .object(let errors) = document.components.errors else { Issue.record("errors is not an object"); return }
        #expect(errors.count == ErrorKind.allCases.count)
        #expect(errors["workspace.not_synced"]?["code"] == 1001)
        #expect(errors["upstream.rate_limited"]?["data"]?["retry"] == .string(ErrorKind.upstreamRateLimited.retry))
    }
}

/// A method as a test argument (metatypes are not `CustomTestStringConvertible`).
struct MethodCase: CustomTestStringConvertible, Sendable {
    let type: any AccessMethod.Type
    init(_ type: any AccessMethod.Type) { self.type = type }
    var testDescription: String { type.name }
}
