import Foundation
import Testing

/// `--workspace` and `--team` values complete from the names earlier answers carried (the client's name cache).
@Suite
struct NameCompletionTests {
    @Test("after list-users, the completion entry the shell scripts call offers workspace gids and names and team names; nothing before")
    func completesFromAnswers() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("asana-access-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["XDG_CACHE_HOME": cache.path]
        func complete(_ words: [String]) async throws -> [String] {
            // What the generated script runs for a custom completion: the binary with ---completion.
            let index = words.count - 1
            let output = try await ClientProcess.client(["---completion", words[1], "--", words[index - 1], String(index), String(words[index].count)] + words,
                                                        environment: environment)
            #expect(output.status == 0, "stderr: \(output.stderr)")
            return output.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try await complete(["asana-access", "list-users", "--workspace", ""]) == [], "an empty cache offers nothing")

        let listed = try await ServerCallTests.client(["list-users", "--workspace", "1000"], environment: environment)
        #expect(listed.status == 0, "stderr: \(listed.stderr)")
        #expect(try await complete(["asana-access", "list-users", "--workspace", ""]) == ["1000", "Acme\\ Corp"])
        #expect(try await complete(["asana-access", "provision", "--workspace", "Ac"]) == ["Acme\\ Corp"])
        #expect(try await complete(["asana-access", "list-users", "--team", "Eng"]) == ["Engineering"])
        #expect(try await complete(["asana-access", "provision", "--team", "20"]) == ["200", "201"])

        let file = cache.appendingPathComponent("asana-access/names.json")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == #"{"teams":{"200":"Engineering","201":"Design"},"workspaces":{"1000":"Acme Corp"}}"#)
    }
}
