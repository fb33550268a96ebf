import Foundation
import Testing
import TestSupport
@testable import AccessStore

@Suite("Retiring a SQLite store after migrate-store")
struct StoreRetirementTests {
    @Test("a retired store records the move in its audit chain and is refused at every open, naming where it went and how to undo it")
    func refusedOnceRetired() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let key = MasterKey.generate()
        let path = dir.file("data/asana-access.sqlite")
        let store = try SQLiteAccessStore.open(path: path, masterKey: key, mode: .create)
        try await store.appendAuditEvent(AuditEventDraft(at: T.t0, principal: "ops", method: "putCredential", params: "{}", result: "{}", outcome: "ok"))
        #expect(try await store.retirement() == nil)
        let moved = StoreRetirement(movedTo: "postgres://asana_access:***@db.internal:5432/asana_access", retiredAt: T.at(minutes: 5))
        let event = AuditEventDraft(at: T.at(minutes: 5), principal: "local:ops", method: "migrateStore",
                                    params: #"{"from":"sqlite:x","to":"postgres://asana_access:***@db.internal:5432/asana_access"}"#,
                                    result: #"{"rows":3,"sourceAuditHead":1}"#, outcome: "ok")
        try await store.retire(moved, event: event)
        #expect(try await store.retirement() == moved)
        await #expect(throws: AccessStoreError.invalidArgument("the store was retired already")) { try await store.retire(moved, event: event) }
        let chain = try await store.verifyAuditChain()
        #expect(chain.isIntact && chain.lastId == 2)  // the second attempt appended nothing
        try store.close()

        for mode in [SQLiteAccessStore.OpenMode.existing, .create] {
            #expect(throws: AccessStoreError.storeRetired(path: path, movedTo: moved.movedTo, at: moved.retiredAt)) {
                _ = try SQLiteAccessStore.open(path: path, masterKey: key, mode: mode)
            }
        }
        let message = AccessStoreError.storeRetired(path: path, movedTo: moved.movedTo, at: moved.retiredAt).description
        #expect(message.contains("--database") && message.contains(StoreRetirement.undoSQL) && message.contains("db.internal"))
    }
}
