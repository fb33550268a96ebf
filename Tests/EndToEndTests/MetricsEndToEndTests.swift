import AccessMetrics
import AccessProtocol
import DevCertificates
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MetricsEndpoint
import Testing
import TestSupport

/// `serve --metrics-address`: the real server's /metrics, /healthz and /readyz, checked by promtool, and
/// the values moving after a sync driven by the real client against the simulator.
@Suite("Metrics, health and the access log: built binaries", .serialized)
struct MetricsEndToEndTests {
    /// `asana-accessd serve` with the two ports it announces on stdout: its RPC port and its metrics port.
    struct Server {
        let running: RunningProcess
        let rpcPort: Int
        let metricsPort: Int

        /// Starts `serve` with `arguments` and waits (up to 30 s, off the cooperative pool) until it printed both ports.
        static func start(_ arguments: [String]) async throws -> Server {
            let running = try await RunningProcess.start("asana-accessd", arguments, timeout: 30, lines: 2)
            func port(_ prefix: String) -> Int? {
                running.lines.first { $0.hasPrefix(prefix) }.flatMap { Int($0.split(separator: ":").last ?? "") }
            }
            guard let rpcPort = port("asana-accessd listening on "), let metricsPort = port("asana-accessd metrics on ") else {
                await running.stop()
                throw HarnessError("serve did not announce both ports: \(running.lines) \(running.stderr)")
            }
            return Server(running: running, rpcPort: rpcPort, metricsPort: metricsPort)
        }

        var process: Process { running.process }
        var stderr: String { running.stderr }
        /// Sends SIGTERM and waits for the exit status, off the cooperative pool.
        func stop() async -> Int32 { await running.stop() }
        /// ``stop()`` on the calling thread, which it blocks (for a `defer`, which cannot await).
        @discardableResult
        func stopNow() -> Int32 { running.stopNow() }
    }

    /// One HTTP GET on loopback: status and body.
    static func get(_ port: Int, _ path: String) async throws -> (status: Int, body: String, contentType: String?) {
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = response as! HTTPURLResponse
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Content-Type"))
    }

    /// Starts the simulator and a server with a stored sync credential and `--metrics-address 127.0.0.1:0`.
    /// Without mutual TLS: clients authenticate with an API token (`token`, an admin's), so a wrong token can be tried.
    static func start(extra: [String] = []) async throws -> (EndToEndTests.Environment, Server, token: String) {
        let env = try await EndToEndTests.Environment(users: 40, teams: 3)
        guard try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0 else { throw HarnessError("init failed") }
        let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", "sync",
                                            "--asana-base-url", env.simulatorURL], input: env.secret + "\n")
        guard put.status == 0 else { throw HarnessError("credentials put failed: \(put.stderr)") }
        let created = try await run("asana-accessd", ["tokens", "create", "--data-dir", env.data, "--name", "e2e-admin", "--role", "admin"])
        guard created.status == 0 else { throw HarnessError("tokens create failed: \(created.stderr)") }
        let server = try await Server.start([
            "serve", "--data-dir", env.data, "--port", "0", "--asana-base-url", env.simulatorURL,
            "--tls-cert", env.certificates.serverCertificate, "--tls-key", env.certificates.serverKey,
            // No scheduled syncs (a never-synced workspace's first one would start within seconds): the syncs here are the client's.
            "--metrics-address", "127.0.0.1:0", "--sync-interval", "0",
        ] + extra)
        return (env, server, created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The client against `server` with API token `token`, `--json`.
    static func client(_ env: EndToEndTests.Environment, _ server: Server, _ arguments: [String], token: String) async throws -> ProcessOutput {
        try await run("asana-access", arguments + ["--host", "127.0.0.1", "--port", "\(server.rpcPort)", "--ca", env.certificates.caCertificate, "--json"],
                environment: ["ASANA_ACCESS_TOKEN": token])
    }

    @Test("/metrics passes promtool, and a sync moves the RPC, sync, Asana and state metrics; /healthz and /readyz answer")
    func metricsMoveAfterSync() async throws {
        _ = try Promtool.path()
        let (env, server, token) = try await Self.start()
        defer { server.stopNow(); env.stop() }
        #expect(server.metricsPort > 0 && server.metricsPort != server.rpcPort)

        let health = try await Self.get(server.metricsPort, "/healthz")
        #expect(health.status == 200 && health.body == "ok\n")
        let ready = try await Self.get(server.metricsPort, "/readyz")
        #expect(ready.status == 200 && ready.body == "ready\n", "\(ready.body)")
        #expect(try await Self.get(server.metricsPort, "/nothing").status == 404)

        let before = try await Self.get(server.metricsPort, "/metrics")
        #expect(before.status == 200)
        #expect(before.contentType == MetricsListener.contentType)
        let checkedBefore = try await Promtool.run(["check", "metrics"], input: before.body)
        #expect(checkedBefore.status == 0, "promtool: \(checkedBefore.stdout)\(checkedBefore.stderr)\n\(before.body)")
        let first = Exposition(before.body)
        #expect(first.value("asana_access_build_info", ["version": ProductVersion.current]) == 1)
        #expect(first.value("asana_access_sync_interval_seconds") == 0)
        #expect(first.value("asana_access_credential_state", ["workspace": env.workspace, "purpose": "sync", "state": "active"]) == 1)
        #expect(first.value("asana_access_credential_state", ["workspace": env.workspace, "purpose": "sync", "state": "unreadable"]) == 0)
        // Every known method's ok series exists from the start, at 0 (so rate() sees the first call).
        #expect(first.value("asana_access_rpc_calls_total", ["method": "sync", "outcome": "ok"]) == 0)
        #expect(first.value("asana_access_sync_last_success_age_seconds", ["workspace": env.workspace]) == nil)
        // Counters with a bounded label set exist from the start at 0, so increase() sees their first event
        // (AsanaAccessSyncFailures fires on the first failed sync after a start).
        for status in ["succeeded", "partial", "failed"] {
            #expect(first.value("asana_access_sync_runs_total", ["status": status]) == 0, "sync runs \(status)")
            #expect(first.value("asana_access_sync_duration_seconds_count", ["status": status]) == 0, "sync duration \(status)")
        }
        #expect(first.value("asana_access_rpc_authentication_failures_total") == 0)
        #expect(first.value("asana_access_asana_rate_limited_total", ["route": "/workspaces/{gid}/workspace_memberships"]) == 0)
        #expect(first.labelValues("asana_access_asana_rate_limited_total", "route") == Set(AsanaRoute.knownTemplates))
        let headBefore = try #require(first.value("asana_access_audit_head_sequence"))

        let sync = try await Self.client(env, server, ["sync", "--workspace", env.workspace], token: token)
        #expect(sync.status == 0, "\(sync.stderr)")
        let denied = try await Self.client(env, server, ["ping"], token: "aat_not-a-token")
        #expect(denied.status == 1)

        let after = try await Self.get(server.metricsPort, "/metrics")
        let checkedAfter = try await Promtool.run(["check", "metrics"], input: after.body)
        #expect(checkedAfter.status == 0, "promtool: \(checkedAfter.stdout)\(checkedAfter.stderr)\n\(after.body)")
        let second = Exposition(after.body)
        #expect(second.value("asana_access_rpc_calls_total", ["method": "sync", "outcome": "ok"]) == 1)
        #expect(second.value("asana_access_rpc_call_duration_seconds_count", ["method": "sync"]) == 1)
        #expect(second.value("asana_access_rpc_calls_total", ["method": "authenticate", "outcome": "auth.failed"]) == 1)
        #expect(second.value("asana_access_rpc_authentication_failures_total") == 1)
        #expect(second.value("asana_access_sync_runs_total", ["status": "succeeded"]) == 1)
        #expect(second.value("asana_access_sync_duration_seconds_count", ["status": "succeeded"]) == 1)
        let age = try #require(second.value("asana_access_sync_last_success_age_seconds", ["workspace": env.workspace]))
        #expect(age >= 0 && age < 120, "age \(age)")
        let asanaRequests = second.sum("asana_access_asana_requests_total") { $0["status"] == "200" }
        #expect(asanaRequests > 0)
        // Route labels are templates: no gid of the workspace (or anyone) in them.
        for route in second.labelValues("asana_access_asana_requests_total", "route") {
            #expect(!route.contains(env.workspace) && !route.contains("@"), "route label \(route)")
        }
        // Every route the sync called is one whose rate-limited series was created at start.
        let called = second.labelValues("asana_access_asana_requests_total", "route")
        #expect(!called.isEmpty && called.isSubset(of: Set(AsanaRoute.knownTemplates)), "\(called)")
        #expect(second.value("asana_access_sync_runs_total", ["status": "failed"]) == 0)
        #expect(second.value("asana_access_asana_governor_wait_seconds_count", ["kind": "read"]).map { $0 >= asanaRequests } == true)
        #expect(try #require(second.value("asana_access_audit_head_sequence")) > headBefore)
        #expect(second.value("asana_access_rpc_open_connections") != nil)
        #expect(second.value("asana_access_rpc_queued_answer_bytes") == 0)

        // The access log: one info line per call, with who, what, how it ended and how long; never a secret.
        #expect(await eventually { server.stderr.contains("rpc.method=sync") })
        let lines = server.stderr.split(separator: "\n").filter { $0.contains("rpc call") }
        let syncLine = try #require(lines.first { $0.contains("rpc.method=sync") })
        #expect(syncLine.contains("remote=127.0.0.1:"), "\(syncLine)")
        #expect(!server.stderr.contains("[IPv4]"), "NIO's address description in the log")
        for field in ["connection=", "principal=token:e2e-admin", "outcome=ok", "code=0", "durationMs="] {
            #expect(syncLine.contains(field), "\(syncLine)")
        }
        #expect(lines.contains { $0.contains("rpc.method=authenticate") && $0.contains("outcome=auth.failed") && $0.contains("code=") })
        #expect(!server.stderr.contains("not-a-token") && !server.stderr.contains(env.secret) && !server.stderr.contains(token))
        #expect(await server.stop() == 0)
    }

    @Test("a credential Asana refuses (401): the paused schedule and the refused state are exported, with no sync age")
    func refusedCredentialPausesSchedule() async throws {
        let env = try await EndToEndTests.Environment(users: 5, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let put = try await run("asana-accessd", ["credentials", "put", "--data-dir", env.data, "--workspace", env.workspace, "--purpose", "sync", "--no-check"],
                          input: "bogus")
        #expect(put.status == 0, "\(put.stderr)")
        let server = try await Server.start([
            "serve", "--data-dir", env.data, "--port", "0", "--asana-base-url", env.simulatorURL,
            "--tls-cert", env.certificates.serverCertificate, "--tls-key", env.certificates.serverKey,
            "--metrics-address", "127.0.0.1:0", "--sync-interval", "2",
        ])
        defer { server.stopNow() }
        let paused: [String: String] = ["workspace": env.workspace]
        var exposition = Exposition("")
        let sawPause = try await eventually(within: .seconds(60), every: .milliseconds(200)) {
            exposition = Exposition(try await Self.get(server.metricsPort, "/metrics").body)
            return exposition.value("asana_access_sync_schedule_paused", paused) == 1
        }
        #expect(sawPause, "schedule never paused; stderr: \(server.stderr)")
        let credential = ["workspace": env.workspace, "purpose": "sync"]
        #expect(exposition.value("asana_access_credential_state", credential.merging(["state": "refused"]) { $1 }) == 1)
        #expect(exposition.value("asana_access_credential_state", credential.merging(["state": "active"]) { $1 }) == 0)
        #expect(exposition.value("asana_access_sync_runs_total", ["status": "failed"]).map { $0 >= 1 } == true)
        #expect(exposition.value("asana_access_sync_last_success_age_seconds", paused) == nil)
        let body = try await Self.get(server.metricsPort, "/metrics").body
        let checked = try await Promtool.run(["check", "metrics"], input: body)
        #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        #expect(await server.stop() == 0)
    }

    @Test("deleting a workspace's sync credential removes its sync age, schedule and credential series")
    func deletedCredentialSeriesGo() async throws {
        // Scheduled syncs on: the never-synced workspace's first one starts within seconds of the start.
        let (env, server, token) = try await Self.start(extra: ["--sync-interval", "3600"])
        defer { server.stopNow(); env.stop() }
        let workspace = ["workspace": env.workspace]
        let synced = try await eventually(within: .seconds(60), every: .milliseconds(200)) {
            Exposition(try await Self.get(server.metricsPort, "/metrics").body).value("asana_access_sync_runs_total", ["status": "succeeded"]) == 1
        }
        #expect(synced, "the first scheduled sync did not succeed within 60 s")
        let before = Exposition(try await Self.get(server.metricsPort, "/metrics").body)
        #expect(before.value("asana_access_sync_last_success_age_seconds", workspace) != nil)
        #expect(before.value("asana_access_sync_schedule_paused", workspace) == 0)
        let deleted = try await Self.client(env, server, ["credentials", "delete", "--workspace", env.workspace, "--purpose", "sync"], token: token)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let after = Exposition(try await Self.get(server.metricsPort, "/metrics").body)
        #expect(after.value("asana_access_sync_last_success_age_seconds", workspace) == nil)
        #expect(after.value("asana_access_sync_schedule_paused", workspace) == nil)
        #expect(after.labelValues("asana_access_credential_state", "workspace").isEmpty)
        #expect(await server.stop() == 0)
    }

    @Test("a method name with a newline and ANSI escapes cannot forge an access-log line, in text or JSON", arguments: ["text", "json"])
    func noForgedLogLine(format: String) async throws {
        let (env, server, token) = try await Self.start(extra: ["--log-format", format])
        defer { server.stopNow(); env.stop() }
        // At most 64 scalars, the longest unknown name the access log shows.
        let forged = "2026-12-06T13:31:58+0000 info x: principal=cert:ceo"
        let method = "x\n\(forged)\r\u{1B}[2K\u{7F}\u{85}"
        let called = try await Self.client(env, server, ["call", method], token: token)
        #expect(called.status == 1, "\(called.stdout)\(called.stderr)")
        #expect(await eventually { server.stderr.contains("rpc.method_not_found") })
        #expect(await server.stop() == 0)
        let lines = server.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("2026-12-06T13:31:58") }, "a forged line: \(server.stderr)")
        for scalar in server.stderr.unicodeScalars where scalar != "\n" {
            #expect(!(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)), "control character U+\(String(scalar.value, radix: 16)) in the log")
        }
        let line = try #require(lines.first { $0.contains("rpc.method_not_found") })
        if format == "text" {
            #expect(line.contains("rpc.method=x\\n2026-12-06T13:31:58+0000 info x: principal=cert:ceo\\r\\u{1B}[2K\\u{7F}\\u{85}"), "\(line)")
        } else {
            let object = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
            #expect(object["metadata"]?["rpc.method"] == .string(method), "\(line)")
        }
    }

    @Test("failed TLS handshakes (no client certificate, another CA's) are counted by reason and logged with the remote address")
    func failedHandshakesCounted() async throws {
        let env = try await EndToEndTests.Environment(users: 5, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let server = try await Server.start([
            "serve", "--data-dir", env.data, "--port", "0", "--asana-base-url", env.simulatorURL,
            "--tls-cert", env.certificates.serverCertificate, "--tls-key", env.certificates.serverKey,
            "--client-ca", env.certificates.caCertificate, "--principal-role", "dev-admin=admin",
            "--metrics-address", "127.0.0.1:0", "--sync-interval", "0",
        ])
        defer { server.stopNow() }
        let reasons = ["no_certificate", "expired_certificate", "untrusted_certificate", "protocol", "other"]
        let start = Exposition(try await Self.get(server.metricsPort, "/metrics").body)
        for reason in reasons {
            #expect(start.value("asana_access_tls_handshake_failures_total", ["reason": reason]) == 0, "\(reason) not at 0 at start")
        }
        let connection = ["--host", "127.0.0.1", "--port", "\(server.rpcPort)", "--ca", env.certificates.caCertificate]
        let good = try await run("asana-access", ["ping"] + connection + ["--cert", env.certificates.clientCertificate, "--key", env.certificates.clientKey])
        #expect(good.status == 0, "\(good.stderr)")
        let anonymous = try await run("asana-access", ["ping"] + connection)
        #expect(anonymous.status != 0)
        let otherDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("other-ca-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: otherDirectory) }
        let other = try DevCertificates.make(in: otherDirectory)
        let foreign = try await run("asana-access", ["ping"] + connection + ["--cert", other.clientCertificate, "--key", other.clientKey])
        #expect(foreign.status != 0)
        var counted = Exposition("")
        #expect(try await eventually {
            counted = Exposition(try await Self.get(server.metricsPort, "/metrics").body)
            return counted.value("asana_access_tls_handshake_failures_total", ["reason": "untrusted_certificate"]) == 1
                && counted.value("asana_access_tls_handshake_failures_total", ["reason": "no_certificate"]) == 1
        }, "\(counted.samples.filter { $0.name.hasPrefix("asana_access_tls") })")
        #expect(counted.value("asana_access_tls_handshake_failures_total", ["reason": "expired_certificate"]) == 0)
        #expect(await eventually { server.stderr.components(separatedBy: "TLS handshake failed").count == 3 })
        let lines = server.stderr.split(separator: "\n").filter { $0.contains("TLS handshake failed") }
        #expect(lines.count == 2, "\(server.stderr)")
        for (line, reason) in zip(lines, ["no_certificate", "untrusted_certificate"]) {
            #expect(line.contains(" notice ") && line.contains("reason=\(reason)") && line.contains("remote=127.0.0.1:"), "\(line)")
        }
        // The good client's access-log line names its peer too.
        #expect(server.stderr.split(separator: "\n").contains { $0.contains("rpc.method=ping") && $0.contains("principal=cert:dev-admin") && $0.contains("remote=127.0.0.1:") })
        #expect(await server.stop() == 0)
    }

    @Test("serve refuses an expired or not yet valid server certificate and a leaf as --client-ca, naming the file")
    func badCertificatesRefused() async throws {
        let env = try await EndToEndTests.Environment(users: 5, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let authority = try TestCertificateAuthority(files: env.certificates)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-certs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let expired = (cert: directory + "/expired.pem", key: directory + "/expired-key.pem")
        try authority.issue(commonNames: ["localhost"], serverNames: ["localhost"], certificate: expired.cert, key: expired.key,
                            notValidBefore: now.addingTimeInterval(-10 * 86_400), notValidAfter: now.addingTimeInterval(-86_400))
        let future = (cert: directory + "/future.pem", key: directory + "/future-key.pem")
        try authority.issue(commonNames: ["localhost"], serverNames: ["localhost"], certificate: future.cert, key: future.key,
                            notValidBefore: now.addingTimeInterval(86_400), notValidAfter: now.addingTimeInterval(30 * 86_400))
        let common = ["serve", "--data-dir", env.data, "--port", "0", "--asana-base-url", env.simulatorURL]

        let refusedExpired = try await run("asana-accessd", common + ["--tls-cert", expired.cert, "--tls-key", expired.key])
        #expect(refusedExpired.status == 1)
        let notAfter = ISO8601DateFormatter().string(from: now.addingTimeInterval(-86_400))
        #expect(refusedExpired.stderr.contains("the server certificate \(expired.cert) expired at \(notAfter) (notAfter)"), "\(refusedExpired.stderr)")
        #expect(!refusedExpired.stdout.contains("listening"))

        let refusedFuture = try await run("asana-accessd", common + ["--tls-cert", future.cert, "--tls-key", future.key])
        #expect(refusedFuture.status == 1)
        #expect(refusedFuture.stderr.contains("the server certificate \(future.cert) is not valid before"), "\(refusedFuture.stderr)")

        let leafAsCA = try await run("asana-accessd", common + ["--tls-cert", env.certificates.serverCertificate, "--tls-key", env.certificates.serverKey,
                                                           "--client-ca", env.certificates.clientCertificate])
        #expect(leafAsCA.status == 1)
        #expect(leafAsCA.stderr.contains("--client-ca \(env.certificates.clientCertificate) holds no CA certificate (basicConstraints CA:TRUE)"), "\(leafAsCA.stderr)")
    }

    @Test("a server certificate expiring within 14 days: one warning at start; both expiries exported")
    func expiringCertificateWarnedAndExported() async throws {
        let env = try await EndToEndTests.Environment(users: 5, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-certs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notAfter = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 5 * 86_400 + 3600).rounded(.down))
        let soon = (cert: directory + "/soon.pem", key: directory + "/soon-key.pem")
        try TestCertificateAuthority(files: env.certificates).issue(commonNames: ["localhost"], serverNames: ["localhost"], certificate: soon.cert,
                                                                    key: soon.key, notValidAfter: notAfter)
        let server = try await Server.start([
            "serve", "--data-dir", env.data, "--port", "0", "--asana-base-url", env.simulatorURL,
            "--tls-cert", soon.cert, "--tls-key", soon.key, "--client-ca", env.certificates.caCertificate,
            "--metrics-address", "127.0.0.1:0", "--sync-interval", "0",
        ])
        defer { server.stopNow() }
        let metrics = Exposition(try await Self.get(server.metricsPort, "/metrics").body)
        #expect(metrics.value("asana_access_tls_certificate_expiry_timestamp_seconds", ["certificate": "server"]) == notAfter.timeIntervalSince1970)
        let caNotAfter = try #require(metrics.value("asana_access_tls_certificate_expiry_timestamp_seconds", ["certificate": "client_ca"]))
        #expect(caNotAfter > notAfter.timeIntervalSince1970)
        #expect(await server.stop() == 0)
        let warnings = server.stderr.split(separator: "\n").filter { $0.contains("expires in 5 days") }
        #expect(warnings.count == 1 && warnings.first?.contains(" warning ") == true && warnings.first?.contains(soon.cert) == true, "\(server.stderr)")
    }

    @Test("--log-format json: every line is one JSON object with timestamp, level, label, message and metadata")
    func jsonLogLines() async throws {
        let (env, server, token) = try await Self.start(extra: ["--log-format", "json"])
        defer { server.stopNow(); env.stop() }
        #expect(try await Self.client(env, server, ["ping"], token: token).status == 0)
        #expect(await eventually { server.stderr.contains("\"rpc call\"") })
        #expect(await server.stop() == 0)
        let lines = server.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        var sawPing = false
        for line in lines {
            let object = try #require(try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)), "not JSON: \(line)")
            guard case .object(let members) = object else { Issue.record("not an object: \(line)"); continue }
            #expect(Set(members.keys) == ["timestamp", "level", "label", "message", "metadata"], "\(line)")
            #expect(members["timestamp"]?.stringValue.map { $0.hasSuffix("Z") && $0.contains("T") } == true)
            if members["message"] == .string("rpc call"), members["metadata"]?["rpc.method"] == .string("ping") {
                sawPing = true
                #expect(members["level"] == .string("info"))
                #expect(members["metadata"]?["outcome"] == .string("ok"))
                #expect(members["metadata"]?["principal"] == .string("token:e2e-admin"))
                #expect(members["metadata"]?["durationMs"]?.stringValue != nil)
            }
        }
        #expect(sawPing)
    }

    @Test("--log-format json: a server that cannot start says why in one JSON line (level critical) and keeps its exit code")
    func jsonStartupFailure() async throws {
        let env = try await EndToEndTests.Environment(users: 5, teams: 1)
        defer { env.stop() }
        let common = ["serve", "--port", "0", "--tls-cert", env.certificates.serverCertificate, "--tls-key", env.certificates.serverKey]
        // No store in the data directory: refused, as in text mode, but as JSON.
        let missing = (env.root as NSString).appendingPathComponent("no-such-store")
        try FileManager.default.createDirectory(atPath: missing, withIntermediateDirectories: true)
        let text = try await run("asana-accessd", common + ["--data-dir", missing])
        let json = try await run("asana-accessd", common + ["--data-dir", missing, "--log-format", "json"])
        #expect(text.status != 0 && text.stderr.contains("no store in"), "\(text.stderr)")
        #expect(json.status == text.status)
        let lines = json.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        let objects = lines.compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        #expect(objects.count == lines.count, "a line is not JSON: \(json.stderr)")
        let failure = objects.first { $0["level"] == .string("critical") }
        #expect(failure?["message"]?.stringValue?.contains("no store in") == true, "\(json.stderr)")
        #expect(failure?["metadata"]?["exitCode"] == .string("\(text.status)"))
    }

    @Test("bad --metrics-address values are refused at start, naming the problem")
    func badAddresses() async throws {
        let env = try await EndToEndTests.Environment(users: 5, teams: 1)
        defer { env.stop() }
        #expect(try await run("asana-accessd", ["init", "--data-dir", env.data]).status == 0)
        let common = ["serve", "--data-dir", env.data, "--asana-base-url", env.simulatorURL,
                      "--tls-cert", env.certificates.serverCertificate, "--tls-key", env.certificates.serverKey]
        let samePort = try await run("asana-accessd", common + ["--port", "7999", "--metrics-address", "127.0.0.1:7999"])
        #expect(samePort.status != 0)
        #expect(samePort.stderr.contains("uses the RPC port 7999"), "\(samePort.stderr)")
        let envSamePort = try await run("asana-accessd", common + ["--port", "7999"], environment: ["ASANA_ACCESSD_METRICS_ADDRESS": "127.0.0.1:7999"])
        #expect(envSamePort.stderr.contains("uses the RPC port 7999"), "\(envSamePort.stderr)")
        for bad in ["9464", "127.0.0.1:", "127.0.0.1:70000", ":9464", "127.0.0.1:port"] {
            let refused = try await run("asana-accessd", common + ["--port", "0", "--metrics-address", bad])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("is not HOST:PORT"), "\(bad): \(refused.stderr)")
        }
        let format = try await run("asana-accessd", common + ["--port", "0", "--log-format", "xml"])
        #expect(format.status == 64)
        #expect(format.stderr.contains("--log-format: xml is not allowed; expected one of text, json"), "\(format.stderr)")
        // A port another process holds (the simulator's): a clear start-up error, exit non-zero.
        let taken = try #require(env.simulator.announcedPort)
        let busy = try await run("asana-accessd", common + ["--port", "0", "--metrics-address", "127.0.0.1:\(taken)"])
        #expect(busy.status != 0)
        #expect(busy.stderr.contains("cannot listen for metrics on 127.0.0.1:\(taken)"), "\(busy.stderr)")
    }

    @Test("MetricsAddress parses HOST:PORT and [v6]:PORT")
    func addressParsing() async throws {
        #expect(try MetricsAddress(parsing: "127.0.0.1:9464") == MetricsAddress(parsing: "127.0.0.1:9464"))
        let v4 = try MetricsAddress(parsing: "127.0.0.1:0")
        #expect(v4.host == "127.0.0.1" && v4.port == 0)
        let v6 = try MetricsAddress(parsing: "[::1]:9464")
        #expect(v6.host == "::1" && v6.port == 9464)
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: "localhost") }
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: "localhost:-1") }
    }
}

/// A parsed Prometheus text exposition: sample lines as (name, labels, value).
struct Exposition {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let samples: [Sample]

    init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            // Label values here never hold `",` (they are names, gids, routes and statuses).
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].components(separatedBy: "\",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    /// The value of the series `name` with exactly `labels`, or nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum over the series of `name` whose labels pass `filter`.
    func sum(_ name: String, where filter: ([String: String]) -> Bool = { _ in true }) -> Double {
        samples.filter { $0.name == name && filter($0.labels) }.reduce(0) { $0 + $1.value }
    }

    /// The values label `label` takes in the series of `name`.
    func labelValues(_ name: String, _ label: String) -> Set<String> {
        Set(samples.filter { $0.name == name }.compactMap { $0.labels[label] })
    }
}
