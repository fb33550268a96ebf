import Foundation
import Testing
@testable import AccessStore

@Suite("MasterKey")
struct MasterKeyTests {
    @Test("create writes 32 bytes with mode 0600 and refuses to overwrite")
    func createFile() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("master.key")
        let key = try MasterKey.create(at: path)
        #expect(try permissions(path) == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 32)
        #expect(throws: AccessStoreError.masterKeyExists(path: path)) { try MasterKey.create(at: path) }
        // The file was not replaced.
        #expect(try MasterKey.load(from: path).fingerprint == key.fingerprint)
    }

    @Test("a 0600 key loads and opens what the created key sealed")
    func loadAccepted() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("master.key")
        let created = try MasterKey.create(at: path)
        let store = try SQLiteAccessStore.inMemory(masterKey: created)
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "s3cret", at: T.t0)

        let loaded = try MasterKey.load(from: path)
        #expect(loaded.fingerprint == created.fingerprint)
        #expect(loaded.fingerprint.hasPrefix("sha256:") && loaded.fingerprint.count == 19)
        let reopened = try SQLiteAccessStore(writer: store.dbWriter.writer, masterKey: loaded, path: nil)
        #expect(try await reopened.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "s3cret")
    }

    @Test("a key file readable by group or others is refused", arguments: [0o644, 0o640, 0o604, 0o660, 0o601])
    func permissiveModeRefused(mode: Int) throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("master.key")
        _ = try MasterKey.create(at: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        #expect(throws: AccessStoreError.masterKeyPermissions(path: path, mode: mode)) {
            try MasterKey.load(from: path)
        }
        #expect(throws: AccessStoreError.masterKeyPermissions(path: path, mode: mode)) {
            try MasterKey.loadOrCreate(at: path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        #expect(throws: Never.self) { try MasterKey.load(from: path) }
    }

    @Test("missing, wrong-size and non-regular key files are refused")
    func invalidFiles() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let missing = dir.file("none.key")
        #expect(throws: AccessStoreError.masterKeyMissing(path: missing)) { try MasterKey.load(from: missing) }

        for size in [0, 31, 33, 64] {
            let path = dir.file("size\(size).key")
            #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: size), attributes: [.posixPermissions: 0o600]))
            #expect(throws: AccessStoreError.masterKeyInvalid(path: path)) { try MasterKey.load(from: path) }
        }
        let directory = dir.file("adir")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        #expect(throws: AccessStoreError.masterKeyInvalid(path: directory)) { try MasterKey.load(from: directory) }

        #expect(throws: AccessStoreError.masterKeyInvalid(path: "(bytes)")) { try MasterKey(rawBytes: [1, 2, 3]) }
        #expect(throws: (any Error).self) { try MasterKey.create(at: dir.file("no/such/dir/master.key")) }
    }

    @Test("loadOrCreate creates once, then loads the same key")
    func loadOrCreate() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("master.key")
        let first = try MasterKey.loadOrCreate(at: path)
        let second = try MasterKey.loadOrCreate(at: path)
        #expect(first.fingerprint == second.fingerprint)
        #expect(MasterKey.generate().fingerprint != first.fingerprint)
    }
}
