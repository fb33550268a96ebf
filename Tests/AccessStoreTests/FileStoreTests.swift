import AccessProtocol
import Crypto
import Foundation
import GRDB
import Testing
@testable import AccessStore

@Suite("File store")
struct FileStoreTests {
    /// Every regular file under `directory`, with its bytes.
    func filesWithBytes(_ directory: String) throws -> [(String, Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        return try names.map { name in
            let path = directory + "/" + name
            return (name, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    @Test("no plaintext secret in the database file, -wal or -shm")
    func noPlaintextOnDisk() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let dbDir = dir.file("data")
        let path = dbDir + "/access.sqlite"
        let secret = "PLAINTEXT-CANARY-7f3a9c-asana-pat-0123456789abcdef"
        let replaced = "SECOND-CANARY-b81e22-oauth-refresh-fedcba9876543210"
        let store = try SQLiteAccessStore.open(path: path, masterKey: MasterKey.generate(), mode: .create)
        try await store.putCredential(workspaceGid: "1000", purpose: .provision, kind: .pat, secret: secret, at: T.t0)
        try await store.putCredential(workspaceGid: "9876543210123", purpose: .sync, kind: .oauth, secret: replaced, at: T.t0)
        try await store.putCredential(workspaceGid: "9876543210123", purpose: .sync, kind: .oauth, secret: "third-" + replaced, at: T.t0)
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .provision)?.secret == secret)

        let canaries = [secret, replaced, "third-" + replaced].map { Data($0.utf8) }
        // While open: the WAL holds the new pages.
        let whileOpen = try filesWithBytes(dbDir)
        #expect(whileOpen.map(\.0).contains("access.sqlite-wal"))
        for (name, bytes) in whileOpen {
            for canary in canaries {
                #expect(bytes.range(of: canary) == nil, "plaintext found in \(name)")
            }
        }

        try await store.checkpoint()
        try store.close()
        let afterClose = try filesWithBytes(dbDir)
        #expect(!afterClose.isEmpty)
        let all = afterClose.reduce(into: Data()) { $0.append($1.1) }
        for canary in canaries {
            #expect(all.range(of: canary) == nil)
        }
        // The grep is not vacuous: the row's other columns are there in clear.
        #expect(all.range(of: Data("9876543210123".utf8)) != nil)
        #expect(all.range(of: Data(CredentialSealer.fingerprint(of: secret).utf8)) != nil)
    }

    @Test("directory 0700 when created, database and WAL files 0600")
    func fileModes() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let dbDir = dir.file("nested/data")
        let path = dbDir + "/access.sqlite"
        let key = MasterKey.generate()
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "x", at: T.t0)
        #expect(try permissions(dbDir) == 0o700)
        #expect(try permissions(path) == 0o600)
        #expect(try permissions(path + "-wal") == 0o600)
        #expect(try permissions(path + "-shm") == 0o600)
        try store.close()

        // A file made too open is tightened on the next open.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let again = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        #expect(try permissions(path) == 0o600)
        try again.close()
    }

    @Test("connections run with WAL, secure_delete, a busy timeout and foreign keys")
    func pragmas() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let store = try SQLiteAccessStore.open(path: dir.file("access.sqlite"), masterKey: MasterKey.generate(), mode: .create)
        defer { try? store.close() }
        let read = try await store.dbWriter.read { db in
            [
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA secure_delete").map(String.init),
                try Int.fetchOne(db, sql: "PRAGMA busy_timeout").map(String.init),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys").map(String.init),
            ]
        }
        // Pool readers get GRDB's fixed 10 s (Configuration.readonlyBusyMode is not public).
        #expect(read == ["wal", "1", "10000", "1"])
        let written = try await store.dbWriter.write { db in
            [try Int.fetchOne(db, sql: "PRAGMA secure_delete"), try Int.fetchOne(db, sql: "PRAGMA busy_timeout")]
        }
        #expect(written == [1, 5000])

        let memory = try makeStore()
        #expect(try await memory.dbWriter.read { try Int.fetchOne($0, sql: "PRAGMA secure_delete") } == 1)
    }

    @Test("a store reopened with another key cannot open credentials")
    func reopenWithOtherKey() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("access.sqlite")
        let key = try MasterKey.create(at: dir.file("master.key"))
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "keep-me", at: T.t0)
        try store.close()

        let same = try SQLiteAccessStore.open(path: path, masterKey: MasterKey.load(from: dir.file("master.key")), mode: .create)
        #expect(try await same.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "keep-me")
        try same.close()
        #expect(throws: AccessStoreError.masterKeyMismatch(path: path)) {
            _ = try SQLiteAccessStore.open(path: path, masterKey: MasterKey.generate(), mode: .create)
        }
    }

    @Test("no API token or secret part in the database file, -wal or -shm; only ids, names and hashes")
    func noTokenOnDisk() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let dbDir = dir.file("data")
        let path = dbDir + "/access.sqlite"
        let key = MasterKey.generate()
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        var issued: [(token: String, summary: APITokenSummary)] = []
        for (name, role) in [("ci-reader", AccessRole.reader), ("ops-sync", .operator), ("root-admin", .admin)] {
            issued.append(try await store.createAPIToken(name: name, role: role, at: T.t0))
        }
        #expect(try await store.verifyAPIToken(issued[0].token, at: T.at(minutes: 1)) != nil)
        #expect(try await store.revokeAPIToken(name: "ops-sync", at: T.at(minutes: 2)))

        func secretPart(_ token: String) -> String { String(token.dropFirst(21)) }
        func decodedSecret(_ token: String) -> Data? {
            Data(base64Encoded: secretPart(token).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=")
        }
        let forbidden: [Data] = try issued.flatMap { item in
            [Data(item.token.utf8), Data(secretPart(item.token).utf8), Data(secretPart(item.token).prefix(20).utf8),
             try #require(decodedSecret(item.token))]
        }
        #expect(forbidden.allSatisfy { $0.count >= 20 })

        let whileOpen = try filesWithBytes(dbDir)
        #expect(whileOpen.map(\.0).contains("access.sqlite-wal"))
        for (name, bytes) in whileOpen {
            for canary in forbidden {
                #expect(bytes.range(of: canary) == nil, "token material found in \(name)")
            }
        }

        try await store.checkpoint()
        try store.close()
        let all = try filesWithBytes(dbDir).reduce(into: Data()) { $0.append($1.1) }
        for canary in forbidden {
            #expect(all.range(of: canary) == nil)
        }
        // The grep is not vacuous: ids, names and hashes are there in clear.
        for item in issued {
            #expect(all.range(of: Data(item.summary.id.utf8)) != nil)
            #expect(all.range(of: Data(item.summary.name.utf8)) != nil)
            #expect(all.range(of: Data(SHA256.hash(data: Array(secretPart(item.token).utf8)))) != nil)
        }

        // And the tokens still verify after reopening.
        let again = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        defer { try? again.close() }
        #expect(try await again.verifyAPIToken(issued[2].token, at: T.at(minutes: 3))?.role == .admin)
        #expect(try await again.verifyAPIToken(issued[1].token, at: T.at(minutes: 3)) == nil)
    }
}
