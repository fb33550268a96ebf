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

    @Test("list-users --as-of: a run id as an integer, a date as given, a span ago as the time it stands for")
    func listUsersAsOf() async throws {
        let run = try Self.json(try await Self.client(["list-users", "--workspace", "1000", "--as-of", "17"]).stdout)
        #expect(run["asOfAsked"] == .integer(17))
        let date = try Self.json(try await Self.client(["list-users", "--workspace", "1000", "--as-of", "2026-06-30"]).stdout)
        #expect(date["asOfAsked"] == .string("2026-06-30"))
        let before = Date()
        let span = try Self.json(try await Self.client(["list-users", "--workspace", "1000", "--as-of", "7d"]).stdout)
        let after = Date()
        let sent = try #require(span["asOfAsked"]?.stringValue.flatMap(ISO8601Time.parseDateTime))
        let sevenDays: TimeInterval = 7 * 86_400
        // The client's clock read between before and after, less seven days (whole milliseconds on the wire).
        #expect(sent >= before.addingTimeInterval(-sevenDays - 0.001) && sent <= after.addingTimeInterval(-sevenDays + 0.001), "\(sent)")
        let both = try await Self.client(["list-users", "--workspace", "1000", "--as-of", "7d", "--changed-since", "1"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("cannot be combined"))
        let tooFar = try await Self.client(["list-users", "--workspace", "1000", "--as-of", "99999w"])
        #expect(tooFar.status == 2)
        #expect(tooFar.stderr.contains("more than 100 years"))
    }
}
