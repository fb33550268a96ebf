import Foundation
import Testing

/// `asana-accessd demo`, the README's main job, on a small organization: every step must pass.
@Suite("End to end: the demo")
struct DemoTests {
    @Test("the demo runs every step, OAuth included, exits 0, and prints no secret")
    func demoRuns() async throws {
        let work = (NSTemporaryDirectory() as NSString).appendingPathComponent("asana-access-demo-test-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let output = try await run("asana-accessd", ["demo", "--users", "60", "--teams", "3", "--work-dir", work,
                                               "--client", Binaries.path("asana-access")])
        #expect(output.status == 0, "\(output.stderr)")
        let steps = output.stdout.split(separator: "\n").filter { $0.hasPrefix("==> ") }
        #expect(steps.count >= 20, "\(steps.count) steps")
        #expect(output.stdout.contains("==> OAuth: exchange the code"))
        #expect(output.stdout.contains(#""kind":"oauth","purpose":"sync","state":"active""#), "\(output.stdout.suffix(2000))")
        #expect(output.stdout.contains("Demo finished in"))
        for secret in ["demo-admin-token", "demo-member-token", "demo-client-secret"] {
            #expect(!output.stdout.contains(secret), "\(secret) printed")
        }
    }
}
