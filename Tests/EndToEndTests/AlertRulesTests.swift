import Foundation
import Testing
import TestSupport

/// deploy/prometheus/alerts.yml: valid rules, and each alert fires (and stays quiet) as its unit tests say.
@Suite("Alert rules")
struct AlertRulesTests {
    static let directory = Repository.root.appendingPathComponent("deploy/prometheus")

    @Test("promtool check rules accepts alerts.yml")
    func rulesAreValid() async throws {
        let checked = try await Promtool.run(["check", "rules", "alerts.yml"], in: Self.directory)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("SUCCESS: 8 rules found"), "\(checked.stdout)")
    }

    @Test("promtool test rules: every alert's unit test passes")
    func ruleUnitTests() async throws {
        let tested = try await Promtool.run(["test", "rules", "alerts.test.yml"], in: Self.directory)
        #expect(tested.status == 0, "\(tested.stdout)\(tested.stderr)")
        #expect(tested.stdout.contains("SUCCESS"), "\(tested.stdout)")
    }

    @Test("every alert of alerts.yml has a unit test and a README entry")
    func everyAlertCovered() async throws {
        let rules = try String(contentsOf: Self.directory.appendingPathComponent("alerts.yml"), encoding: .utf8)
        let tests = try String(contentsOf: Self.directory.appendingPathComponent("alerts.test.yml"), encoding: .utf8)
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        let names = rules.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- alert: ") ? String(trimmed.dropFirst("- alert: ".count)) : nil
        }
        #expect(names.count == 8)
        for name in names {
            #expect(tests.contains("alertname: \(name)\n"), "no unit test for \(name)")
            #expect(readme.contains("`\(name)`"), "README does not explain \(name)")
        }
    }

    @Test("the systemd unit reads the sample config's place, which sets the metrics address the README's scrape config expects")
    func systemdUnitNamesMetricsAddress() async throws {
        let unit = try String(contentsOf: Repository.root.appendingPathComponent("deploy/systemd/asana-accessd.service"), encoding: .utf8)
        let sample = try String(contentsOf: Repository.root.appendingPathComponent("deploy/asana-accessd.yaml"), encoding: .utf8)
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/asana-accessd serve --config /etc/asana-accessd/asana-accessd.yaml\n"))
        #expect(unit.contains("EnvironmentFile=-/etc/asana-accessd/asana-accessd.env"))
        #expect(sample.contains("metrics:\n  address: 127.0.0.1:9464 "))
        #expect(readme.contains("`metrics.address: 127.0.0.1:9464`"))
        #expect(readme.contains("targets: [\"127.0.0.1:9464\"]"))
    }

    @Test("a broken rule file is refused by the same check")
    func brokenRuleRefused() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-alerts-\(UUID().uuidString.prefix(8)).yml")
        try "groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: rate(asana_access_rpc_calls_total[5m]\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let checked = try await Promtool.run(["check", "rules", file.path])
        #expect(checked.status != 0)
    }
}
