import AccessProtocol
import AccessStore
import DevCertificates
import Foundation
import Testing

/// Issue 10 items 5, 7, 8 and 11 with the real binaries: one server per data directory, no store
/// created by anything but `init`, the audit head as an external anchor, private token files.
@Suite("End to end: the data directory", .serialized)
struct DataDirectoryEndToEndTests {
    /// A temporary root with dev certificates and an initialised data directory.
    final class Directory: @unchecked Sendable {
        let root: String
        let data: String
        let certs: String
        var database: String { (data as NSString).appendingPathComponent("asana-access.sqlite") }
        var masterKey: String { (data as NSString).appendingPathComponent("master.key") }

        init(initialise: Bool = true) async throws {
            root = (NSTemporaryDirectory() as NSString).appendingPathComponent("asana-access-dd-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            data = (root as NSString).appendingPathComponent("data")
            certs = (root as NSString).appendingPathComponent("certs")
            if initialise {
                let made = try await run("asana-accessd", ["init", "--data-dir", data])
                guard made.status == 0 else { throw HarnessError("init failed: \(made.stderr)") }
            }
        }

        var serveArguments: [String] {
            ["serve", "--data-dir", data, "--port", "0", "--sync-interval", "0", "--asana-base-url", "http://127.0.0.1:9",
             "--tls-cert", DevCertificates.Files(directory: certs).serverCertificate,
             "--tls-key", DevCertificates.Files(directory: certs).serverKey]
        }

        func makeCertificates() async throws {
            let made = try await run("asana-accessd", ["certs", "dev", "--out", certs])
            guard made.status == 0 else { throw HarnessError("certs dev failed: \(made.stderr)") }
        }

        func cleanup() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test("while serve holds the data directory: a second serve and tokens create refuse at once naming its pid; the first server's running sync run is untouched; read-only commands run")
    func oneServerPerDataDirectory() async throws {
        let dir = try await Directory()
        defer { dir.cleanup() }
        try await dir.makeCertificates()
        let first = try await RunningProcess.start("asana-accessd", dir.serveArguments)
        let pid = first.process.processIdentifier

        // A sync run the first server has in flight (written as that server would, next to it).
        let key = try MasterKey.load(from: dir.masterKey)
        let store = try SQLiteAccessStore.open(path: dir.database, masterKey: key)
        let runId = try await store.startSyncRun(workspaceGid: "1000", trigger: "test", at: Date())
        try store.close()

        let second = try await run("asana-accessd", dir.serveArguments)
        #expect(second.status == 1, "\(second.stdout)")
        #expect(second.stderr.contains("in use by process \(pid)"), "\(second.stderr)")
        #expect(second.stderr.contains("asana-accessd.lock"))
        #expect(!second.stdout.contains("listening"))

        let token = try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "ci", "--role", "reader"])
        #expect(token.status == 1)
        #expect(token.stderr.contains("in use by process \(pid)"), "\(token.stderr)")
        #expect(token.stderr.contains("RPC"), "\(token.stderr)")
        #expect(token.stdout.isEmpty)
        for writing in [["tokens", "revoke", "--name", "ci"], ["rotate-key"], ["init"], ["credentials", "delete", "--workspace", "1000", "--purpose", "sync"]] {
            let refused = try await run("asana-accessd", writing + ["--data-dir", dir.data])
            #expect(refused.status == 1, "\(writing)")
            #expect(refused.stderr.contains("process \(pid)"), "\(writing): \(refused.stderr)")
        }
        for reading in [["tokens", "list"], ["audit", "verify"], ["audit", "head"], ["credentials", "list"]] {
            let done = try await run("asana-accessd", reading + ["--data-dir", dir.data])
            #expect(done.status == 0, "\(reading): \(done.stderr)")
        }

        let after = try SQLiteAccessStore.open(path: dir.database, masterKey: key)
        #expect(try await after.syncRun(id: runId)?.status == .running)
        try after.close()
        #expect(first.process.isRunning)

        #expect(await first.stop() == 0)
        let afterStop = try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "ci", "--role", "reader"])
        #expect(afterStop.status == 0, "\(afterStop.stderr)")
    }

    @Test("rotate-key refuses while serve holds the data directory: exit 1 naming the pid, the key file, database and audit log untouched; after the server stops it rotates")
    func rotateKeyRefusesWhileServing() async throws {
        let dir = try await Directory()
        defer { dir.cleanup() }
        try await dir.makeCertificates()
        #expect(try await run("asana-accessd", ["credentials", "put", "--data-dir", dir.data, "--workspace", "1000", "--purpose", "sync", "--no-check"],
                        input: "rotate-me\n").status == 0)
        let keyBefore = try Data(contentsOf: URL(fileURLWithPath: dir.masterKey))
        let headBefore = try await run("asana-accessd", ["audit", "head", "--data-dir", dir.data]).stdout
        let server = try await RunningProcess.start("asana-accessd", dir.serveArguments)
        let pid = server.process.processIdentifier

        let refused = try await run("asana-accessd", ["rotate-key", "--data-dir", dir.data])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("in use by process \(pid)"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.masterKey)) == keyBefore)
        #expect(!FileManager.default.fileExists(atPath: dir.masterKey + ".new"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.data).filter { $0.contains("retired") }.isEmpty)
        #expect(try await run("asana-accessd", ["audit", "head", "--data-dir", dir.data]).stdout == headBefore)
        // The running server still opens the credential with the key it holds.
        let key = try MasterKey.load(from: dir.masterKey)
        let store = try SQLiteAccessStore.open(path: dir.database, masterKey: key)
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "rotate-me")
        try store.close()

        #expect(await server.stop() == 0)
        let rotated = try await run("asana-accessd", ["rotate-key", "--data-dir", dir.data])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.masterKey)) != keyBefore)
    }

    @Test("tokens create, serve and audit verify on a data directory that does not exist refuse, creating no key, database or directory")
    func typoPathCreatesNothing() async throws {
        let dir = try await Directory(initialise: false)
        defer { dir.cleanup() }
        try await dir.makeCertificates()
        let typo = (dir.root as NSString).appendingPathComponent("typo/path")
        let token = try await run("asana-accessd", ["tokens", "create", "--data-dir", typo, "--name", "ci", "--role", "admin"])
        #expect(token.status == 1)
        #expect(token.stdout.isEmpty)
        #expect(token.stderr.contains("there is no data directory \(typo)"), "\(token.stderr)")
        var arguments = dir.serveArguments
        arguments[arguments.firstIndex(of: dir.data)!] = typo
        for command in [arguments, ["audit", "verify", "--data-dir", typo], ["credentials", "list", "--data-dir", typo],
                        ["oauth-client", "delete", "--client-id", "x", "--data-dir", typo]] {
            let refused = try await run("asana-accessd", command)
            #expect(refused.status == 1, "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: (dir.root as NSString).appendingPathComponent("typo")))
    }

    @Test("a deleted or emptied database is not re-created: serve, tokens create and audit verify refuse saying how to restore; init refuses unless --new-database")
    func deletedDatabaseIsNotRecreated() async throws {
        let dir = try await Directory()
        defer { dir.cleanup() }
        try await dir.makeCertificates()
        #expect(try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "ci", "--role", "reader"]).status == 0)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dir.database + suffix) }

        let serve = try await run("asana-accessd", dir.serveArguments)
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("only `asana-accessd init` creates one"), "\(serve.stderr)")
        #expect(serve.stderr.contains("backup"), "\(serve.stderr)")
        let verify = try await run("asana-accessd", ["audit", "verify", "--data-dir", dir.data])
        #expect(verify.status == 1)
        #expect(!verify.stdout.contains("intact"))
        #expect(try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "x", "--role", "admin"]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.database))

        let again = try await run("asana-accessd", ["init", "--data-dir", dir.data])
        #expect(again.status == 1)
        #expect(again.stderr.contains("is missing"), "\(again.stderr)")
        #expect(again.stderr.contains("--new-database"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.database))

        // An emptied file is refused too, and left as it is.
        #expect(FileManager.default.createFile(atPath: dir.database, contents: Data()))
        let empty = try await run("asana-accessd", dir.serveArguments)
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("is empty"), "\(empty.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: dir.database)[.size] as? NSNumber)?.intValue == 0)

        let fresh = try await run("asana-accessd", ["init", "--data-dir", dir.data, "--new-database"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        let list = try await run("asana-accessd", ["tokens", "list", "--data-dir", dir.data])
        #expect(list.stdout == "no tokens\n")

        // A database whose key is missing: init does not make a new key for it.
        try FileManager.default.removeItem(atPath: dir.masterKey)
        let noKey = try await run("asana-accessd", ["init", "--data-dir", dir.data])
        #expect(noKey.status == 1)
        #expect(noKey.stderr.contains("master key"), "\(noKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.masterKey))
    }

    @Test("tokens create --output writes the token 0600 and prints only where it went; an existing file needs --force; --expires-in shows in tokens list")
    func tokenFileAndExpiry() async throws {
        let dir = try await Directory()
        defer { dir.cleanup() }
        let file = (dir.root as NSString).appendingPathComponent("reader.token")
        let created = try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "ci", "--role", "reader",
                                                "--expires-in", "90d", "--output", file])
        #expect(created.status == 0, "\(created.stderr)")
        let token = try String(contentsOfFile: file, encoding: .utf8)
        #expect(token.hasPrefix("aat_") && token.hasSuffix("\n") && token.count == 65)
        #expect(!created.stdout.contains("aat_") && !created.stderr.contains("aat_"))
        #expect(created.stdout.contains("written to \(file) (mode 0600)"))
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)

        let exists = try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "ci2", "--role", "reader", "--output", file])
        #expect(exists.status == 1)
        #expect(exists.stderr.contains("--force"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == token)
        let listedBefore = try await run("asana-accessd", ["tokens", "list", "--data-dir", dir.data])
        #expect(!listedBefore.stdout.contains("ci2"))  // no token was made for a file that could not be written

        let forced = try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "ci2", "--role", "admin", "--output", file, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) != token)
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)

        let listed = try await run("asana-accessd", ["tokens", "list", "--data-dir", dir.data])
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "NAME\tROLE\tCREATED\tLAST USED\tREVOKED\tEXPIRES")
        let ci = try #require(lines.first { $0.hasPrefix("ci\t") })
        let expiry = try #require(ci.split(separator: "\t").last.map(String.init))
        let date = try #require(try? Date(expiry, strategy: .iso8601))
        #expect(abs(date.timeIntervalSinceNow - 90 * 86400) < 600)
        #expect(lines.first { $0.hasPrefix("ci2\t") }?.hasSuffix("\tnever") == true)
        #expect(try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", "x", "--role", "reader", "--expires-in", "90x"]).status == 64)
    }

    @Test("audit head prints SEQ:MAC; verify --expect-head accepts it, and refuses a head beyond the chain or with another MAC")
    func auditHeadAnchor() async throws {
        let dir = try await Directory()
        defer { dir.cleanup() }
        for name in ["a", "b", "c"] {
            #expect(try await run("asana-accessd", ["tokens", "create", "--data-dir", dir.data, "--name", name, "--role", "reader"]).status == 0)
        }
        let head = try await run("asana-accessd", ["audit", "head", "--data-dir", dir.data])
        #expect(head.status == 0, "\(head.stderr)")
        let text = head.stdout.trimmingCharacters(in: .newlines)
        let anchor = try #require(AuditAnchor(text), "\(text)")
        #expect(anchor.seq == 3)

        let ok = try await run("asana-accessd", ["audit", "verify", "--data-dir", dir.data, "--expect-head", text])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("head 3:\(AuditEvent.hex(anchor.mac))"))

        let beyond = try await run("asana-accessd", ["audit", "verify", "--data-dir", dir.data, "--expect-head", "5:\(AuditEvent.hex(anchor.mac))"])
        #expect(beyond.status == 1)
        #expect(beyond.stderr.contains("the chain ends at event 3 but the expected head is event 5"), "\(beyond.stderr)")
        let other = try await run("asana-accessd", ["audit", "verify", "--data-dir", dir.data, "--expect-head", "2:\(AuditEvent.hex(anchor.mac))"])
        #expect(other.status == 1)
        #expect(other.stderr.contains("event 2 does not carry the expected MAC"), "\(other.stderr)")
        #expect(try await run("asana-accessd", ["audit", "verify", "--data-dir", dir.data, "--expect-head", "3:nothex"]).status == 64)
    }
}
