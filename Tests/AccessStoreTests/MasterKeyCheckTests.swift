import Foundation
import Testing

@testable import AccessStore

@Suite("Master key bound to its database")
struct MasterKeyCheckTests {
    @Test("a database opened with another master key is refused at once; a re-seal moves it to the new key")
    func mismatch() async throws {
        let directory = try TempDirectory()
        defer { directory.cleanup() }
        let path = directory.file("store.sqlite")
        let keyA = MasterKey.generate()
        let keyB = MasterKey.generate()

        let store = try SQLiteAccessStore.open(path: path, masterKey: keyA, mode: .create)
        try await store.putCredential(workspaceGid: "1", purpose: .sync, kind: .pat, secret: "s3cret-value", at: Date())
        try store.close()

        #expect(throws: AccessStoreError.masterKeyMismatch(path: path)) {
            _ = try SQLiteAccessStore.open(path: path, masterKey: keyB, mode: .create)
        }
        let reopened = try SQLiteAccessStore.open(path: path, masterKey: keyA, mode: .create)
        let (rotated, count) = try await reopened.resealCredentials(with: keyB, at: Date())
        #expect(count == 1)
        try rotated.close()

        let withB = try SQLiteAccessStore.open(path: path, masterKey: keyB, mode: .create)
        #expect(try await withB.openCredential(workspaceGid: "1", purpose: .sync)?.secret == "s3cret-value")
        try withB.close()
        #expect(throws: AccessStoreError.masterKeyMismatch(path: path)) {
            _ = try SQLiteAccessStore.open(path: path, masterKey: keyA, mode: .create)
        }
    }

    @Test("the mismatch message says which file and what to do")
    func message() {
        let text = "\(AccessStoreError.masterKeyMismatch(path: "/data/asana-access.sqlite"))"
        #expect(text.contains("/data/asana-access.sqlite"))
        #expect(text.contains("--master-key"))
    }
}
