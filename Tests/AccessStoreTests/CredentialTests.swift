import AccessProtocol
import Crypto
import Foundation
import GRDB
import Testing
@testable import AccessStore

@Suite("Credentials", .closesStores)
struct CredentialTests {
    @Test("seal then open returns the secret and kind; summaries carry only a fingerprint", arguments: StoreKind.available)
    func roundTrip(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let secret = "2/1200000000000/1209999999999:abcdef0123456789"
        let summary = try await store.putCredential(workspaceGid: "1000", purpose: .provision, kind: .pat, secret: secret, at: T.t0)
        let expectedFingerprint = "sha256:" + SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined().prefix(12)
        #expect(summary == CredentialSummary(workspaceGid: "1000", purpose: .provision, kind: .pat,
                                             fingerprint: expectedFingerprint, createdAt: T.t0, updatedAt: T.t0))
        let opened = try #require(try await store.openCredential(workspaceGid: "1000", purpose: .provision))
        #expect(opened.kind == .pat)
        #expect(opened.secret == secret)
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync) == nil)
        #expect(try await store.openCredential(workspaceGid: "2000", purpose: .provision) == nil)

        // Unicode secrets survive too.
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "{\"refresh\":\"ŧøķęñ✓\"}", at: T.t0)
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "{\"refresh\":\"ŧøķęñ✓\"}")
    }

    @Test("put is an upsert: createdAt kept, updatedAt, kind and fingerprint replaced", arguments: StoreKind.available)
    func upsert(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "first", at: T.t0)
        let second = try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "second", at: T.at(minutes: 5))
        #expect(second.createdAt == T.t0)
        #expect(second.updatedAt == T.at(minutes: 5))
        #expect(second.kind == .oauth)
        #expect(second.fingerprint == CredentialSealer.fingerprint(of: "second"))
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "second")
        try await store.putCredential(workspaceGid: "0999", purpose: .provision, kind: .pat, secret: "other", at: T.t0)
        let summaries = try await store.credentialSummaries()
        #expect(summaries == [
            CredentialSummary(workspaceGid: "0999", purpose: .provision, kind: .pat, fingerprint: CredentialSealer.fingerprint(of: "other"), createdAt: T.t0, updatedAt: T.t0),
            second,
        ])
    }

    @Test("delete removes the row once", arguments: StoreKind.available)
    func delete(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "x", at: T.t0)
        #expect(try await store.deleteCredential(workspaceGid: "1000", purpose: .sync))
        #expect(try await store.deleteCredential(workspaceGid: "1000", purpose: .sync) == false)
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync) == nil)
        #expect(try await store.credentialSummaries().isEmpty)
    }

    @Test("empty secret or workspace gid is refused", arguments: StoreKind.available)
    func badInput(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        await #expect(throws: AccessStoreError.invalidArgument("the secret is empty")) {
            try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "", at: T.t0)
        }
        await #expect(throws: AccessStoreError.invalidArgument("workspaceGid is empty")) {
            try await store.putCredential(workspaceGid: "", purpose: .sync, kind: .pat, secret: "x", at: T.t0)
        }
    }

    @Test("one flipped ciphertext byte → credentialTampered", arguments: [0, 11, 12, 20, -1])
    func tamperedByte(position: Int) async throws {
        let store = try makeStore()
        try await store.putCredential(workspaceGid: "1000", purpose: .provision, kind: .pat, secret: "a-secret-token-value", at: T.t0)
        try await store.dbWriter.write { db in
            var sealed = try #require(try Data.fetchOne(db, sql: "SELECT sealed FROM credential"))
            // 12-byte nonce, 20 bytes of ciphertext, 16-byte tag.
            #expect(sealed.count == 12 + 20 + 16)
            let index = position >= 0 ? position : sealed.count - 1
            sealed[index] ^= 0x01
            try db.execute(sql: "UPDATE credential SET sealed = ?", arguments: [sealed])
        }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .provision)) {
            try await store.openCredential(workspaceGid: "1000", purpose: .provision)
        }
    }

    @Test("a truncated box → credentialTampered")
    func truncated() async throws {
        let store = try makeStore()
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "value", at: T.t0)
        try await store.dbWriter.write { try $0.execute(sql: "UPDATE credential SET sealed = x'0102'") }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .sync)) {
            try await store.openCredential(workspaceGid: "1000", purpose: .sync)
        }
    }

    @Test("a ciphertext swapped between rows → credentialTampered on both")
    func swappedRows() async throws {
        let store = try makeStore()
        try await store.putCredential(workspaceGid: "1000", purpose: .provision, kind: .pat, secret: "admin-token", at: T.t0)
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "reader-token", at: T.t0)
        try await store.putCredential(workspaceGid: "2000", purpose: .sync, kind: .pat, secret: "other-ws-token", at: T.t0)
        try await store.dbWriter.write { db in
            let a = try #require(try Data.fetchOne(db, sql: "SELECT sealed FROM credential WHERE workspaceGid = '1000' AND purpose = 'provision'"))
            let b = try #require(try Data.fetchOne(db, sql: "SELECT sealed FROM credential WHERE workspaceGid = '1000' AND purpose = 'sync'"))
            let c = try #require(try Data.fetchOne(db, sql: "SELECT sealed FROM credential WHERE workspaceGid = '2000'"))
            try db.execute(sql: "UPDATE credential SET sealed = ? WHERE workspaceGid = '1000' AND purpose = 'provision'", arguments: [b])
            try db.execute(sql: "UPDATE credential SET sealed = ? WHERE workspaceGid = '1000' AND purpose = 'sync'", arguments: [c])
            try db.execute(sql: "UPDATE credential SET sealed = ? WHERE workspaceGid = '2000'", arguments: [a])
        }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .provision)) {
            try await store.openCredential(workspaceGid: "1000", purpose: .provision)
        }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .sync)) {
            try await store.openCredential(workspaceGid: "1000", purpose: .sync)
        }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "2000", purpose: .sync)) {
            try await store.openCredential(workspaceGid: "2000", purpose: .sync)
        }
    }

    @Test("changing the kind or key version column → credentialTampered")
    func associatedDataColumns() async throws {
        let store = try makeStore()
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "value", at: T.t0)
        try await store.dbWriter.write { try $0.execute(sql: "UPDATE credential SET kind = 'oauth'") }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .sync)) {
            try await store.openCredential(workspaceGid: "1000", purpose: .sync)
        }
        try await store.dbWriter.write { try $0.execute(sql: "UPDATE credential SET kind = 'pat', keyVersion = 2") }
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .sync)) {
            try await store.openCredential(workspaceGid: "1000", purpose: .sync)
        }
        try await store.dbWriter.write { try $0.execute(sql: "UPDATE credential SET keyVersion = 1") }
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "value")
    }

    @Test("another master key cannot open the credential")
    func wrongKey() async throws {
        let store = try makeStore()
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "value", at: T.t0)
        #expect(throws: AccessStoreError.masterKeyMismatch(path: ":memory:")) {
            _ = try SQLiteAccessStore(writer: store.dbWriter.writer, masterKey: MasterKey.generate(), path: nil)
        }
        // With the key check deleted, the other key gets as far as the credential, which still refuses it.
        try await store.dbWriter.write { try $0.execute(sql: "DELETE FROM masterKeyCheck") }
        let other = try SQLiteAccessStore(writer: store.dbWriter.writer, masterKey: MasterKey.generate(), path: nil)
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .sync)) {
            try await other.openCredential(workspaceGid: "1000", purpose: .sync)
        }
        // Summaries need no key.
        #expect(try await other.credentialSummaries().count == 1)
    }

    @Test("resealing under a new key: new key opens, old key fails, key version goes up")
    func reseal() async throws {
        let store = try makeStore()
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "one", at: T.t0)
        try await store.putCredential(workspaceGid: "1000", purpose: .provision, kind: .oauth, secret: "two", at: T.t0)
        let newKey = MasterKey.generate()
        let (rotated, count) = try await store.resealCredentials(with: newKey, at: T.at(minutes: 1))
        #expect(count == 2)
        #expect(try await rotated.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "one")
        #expect(try await rotated.openCredential(workspaceGid: "1000", purpose: .provision)?.kind == .oauth)
        await #expect(throws: AccessStoreError.credentialTampered(workspaceGid: "1000", purpose: .sync)) {
            try await store.openCredential(workspaceGid: "1000", purpose: .sync)
        }
        #expect(try await store.dbWriter.read { try Int.fetchAll($0, sql: "SELECT keyVersion FROM credential") } == [2, 2])
        try await rotated.putCredential(workspaceGid: "2000", purpose: .sync, kind: .pat, secret: "three", at: T.at(minutes: 2))
        #expect(try await store.dbWriter.read { try Int.fetchOne($0, sql: "SELECT keyVersion FROM credential WHERE workspaceGid = '2000'") } == 2)
        #expect(try await rotated.openCredential(workspaceGid: "2000", purpose: .sync)?.secret == "three")
        #expect(try await rotated.credentialSummaries().first { $0.purpose == .sync && $0.workspaceGid == "1000" }?.updatedAt == T.at(minutes: 1))
    }

    @Test("each seal uses a fresh nonce")
    func freshNonce() async throws {
        let store = try makeStore()
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "same", at: T.t0)
        let first = try await store.dbWriter.read { try Data.fetchOne($0, sql: "SELECT sealed FROM credential") }
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .pat, secret: "same", at: T.t0)
        let second = try await store.dbWriter.read { try Data.fetchOne($0, sql: "SELECT sealed FROM credential") }
        #expect(first != nil && first != second)
        #expect(first?.prefix(12) != second?.prefix(12))
    }
}
