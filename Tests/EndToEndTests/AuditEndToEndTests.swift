import Foundation
import Testing

/// `asana-accessd audit verify|export` on a real data directory, before and after one byte of the
/// database file is changed.
@Suite("End to end: audit chain")
struct AuditEndToEndTests {
    @Test("audit verify accepts the log written by credentials put and tokens create, and exits 1 after one byte of an audit row changes")
    func verifyDetectsFlippedByte() async throws {
        let root = (NSTemporaryDirectory() as NSString).appendingPathComponent("asana-access-audit-e2e-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = (root as NSString).appendingPathComponent("data")
        let database = (data as NSString).appendingPathComponent("asana-access.sqlite")

        #expect(try await run("asana-accessd", ["init", "--data-dir", data]).status == 0)
        for purpose in ["provision", "sync"] {
            let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", data, "--workspace", "1000", "--purpose", purpose, "--no-check"],
                              input: "0/e2e-audit-secret-\(purpose)\n")
            #expect(put.status == 0, "\(put.stderr)")
        }
        // The token's name is unique to this test; in the audit row's params it is followed by the role.
        let canaryName = "audit-canary-7c41e9"
        for (name, role) in [("ci-reader", "reader"), (canaryName, "admin"), ("ci-operator", "operator")] {
            let created = try await run("asana-accessd", ["tokens", "create", "--data-dir", data, "--name", name, "--role", role])
            #expect(created.status == 0, "\(created.stderr)")
        }

        let intact = try await run("asana-accessd", ["audit", "verify", "--data-dir", data])
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.hasPrefix("audit chain intact: 5 events, head 5:"), "\(intact.stdout)")

        // Export: five JSON lines, oldest first, each chained to the one before.
        let exported = try await run("asana-accessd", ["audit", "export", "--data-dir", data])
        #expect(exported.status == 0, "\(exported.stderr)")
        let lines = exported.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(events.map { $0["id"] as? Int } == [1, 2, 3, 4, 5])
        // The offline commands go through the RPC methods' use cases: the same audit names, principal local:<user>.
        #expect(events.map { $0["method"] as? String } == ["putCredential", "putCredential", "createToken", "createToken", "createToken"])
        #expect(Set(events.map { $0["principal"] as? String }) == ["local:\(ProcessInfo.processInfo.userName)"])
        #expect(events.first?["params"] as? String == #"{"checks":"skipped","kind":"pat","purpose":"provision","workspace":"1000"}"#)
        #expect(events.first?["prevHash"] as? String == String(repeating: "0", count: 64))
        for (previous, event) in zip(events, events.dropFirst()) {
            #expect(event["prevHash"] as? String == previous["hash"] as? String)
        }
        #expect(!exported.stdout.contains("e2e-audit-secret"))
        let outputFile = (root as NSString).appendingPathComponent("audit.jsonl")
        let toFile = try await run("asana-accessd", ["audit", "export", "--data-dir", data, "--since", "2000-01-01T00:00:00Z", "--output", outputFile])
        #expect(toFile.status == 0, "\(toFile.stderr)")
        #expect(try String(contentsOfFile: outputFile, encoding: .utf8) == exported.stdout)
        #expect((try FileManager.default.attributesOfItem(atPath: outputFile)[.posixPermissions] as? Int) == 0o600)
        let future = try await run("asana-accessd", ["audit", "export", "--data-dir", data, "--since", "2999-01-01T00:00:00Z"])
        #expect(future.status == 0)
        #expect(future.stdout.isEmpty)
        #expect(try await run("asana-accessd", ["audit", "export", "--data-dir", data, "--since", "last tuesday"]).status == 64)

        // Each command closed the database, so SQLite checkpointed the WAL into the main file.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: database))
        let needle = Data("{\"name\":\"\(canaryName)\",\"role\":\"admin\"}".utf8)
        let range = try #require(bytes.range(of: needle), "the audit row is not in \(database)")
        #expect(bytes[range.upperBound...].range(of: needle) == nil)
        bytes[range.lowerBound + 9] ^= 0x01   // the token name's first letter: "audit-…" becomes "`udit-…"
        try bytes.write(to: URL(fileURLWithPath: database))

        let broken = try await run("asana-accessd", ["audit", "verify", "--data-dir", data])
        #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
        #expect(broken.stderr.contains("audit chain broken at event 4"), "\(broken.stderr)")
        #expect(broken.stdout.isEmpty)
    }
}
