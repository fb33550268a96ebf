import AccessProtocol
import Foundation
import LineRPC
import Testing

extension ServerCallTests {
    @Test("list-users --changed-since sends a run id as an integer and a time as a string; --fields as an array", arguments: [
        ("42", JSONValue.integer(42)),
        ("2025-01-01T00:00:00Z", JSONValue.string("2025-01-01T00:00:00Z")),
    ])
    func listUsersChangedSinceAndFields(changedSince: String, sent: JSONValue) async throws {
        let output = try await Self.client(["list-users", "--workspace", "1000", "--changed-since", changedSince, "--fields", "email, teams"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let result = try Self.json(output.stdout)
        #expect(result["changedSince"] == sent)
        #expect(result["fieldsAsked"] == .array([.string("email"), .string("teams")]))
    }

}
