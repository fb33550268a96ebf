import Foundation
import Testing
@testable import AccessStore

@Suite("Idempotency records", .closesStores)
struct IdempotencyStoreTests {
    private func record(_ key: String, result: String = "{\"ok\":true}", created: Date = T.t0, lifetimeMinutes: Int = 60) -> IdempotencyRecord {
        IdempotencyRecord(key: key, method: "provision", paramsHash: IdempotencyRecord.paramsHash(of: "{\"email\":\"\(key)@acme.example\"}"),
                          result: result, createdAt: created, expiresAt: created.addingTimeInterval(Double(lifetimeMinutes) * 60))
    }

    @Test("a saved record reads back whole until it expires (expiresAt excluded)", arguments: StoreKind.available)
    func saveAndRead(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let saved = record("key-1")
        try await store.saveIdempotencyRecord(saved)
        #expect(try await store.idempotencyRecord(key: "key-1", at: T.t0) == saved)
        #expect(try await store.idempotencyRecord(key: "key-1", at: T.at(minutes: 59)) == saved)
        #expect(try await store.idempotencyRecord(key: "key-1", at: T.at(minutes: 60)) == nil)
        #expect(try await store.idempotencyRecord(key: "key-2", at: T.t0) == nil)
        #expect(try await store.idempotencyRecord(key: "KEY-1", at: T.t0) == nil)
        #expect(saved.paramsHash.count == 32)
    }

    @Test("saving a key that has an unexpired record is refused and changes nothing", arguments: StoreKind.available)
    func duplicateRefused(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let stale = record("stale", lifetimeMinutes: 1)
        try await store.saveIdempotencyRecord(stale)
        let first = record("key-1", lifetimeMinutes: 60)
        try await store.saveIdempotencyRecord(first)
        // Created when "stale" has expired: a successful save would drop it; this refused one must not.
        await #expect(throws: AccessStoreError.invalidArgument("idempotency key key-1 is already recorded")) {
            try await store.saveIdempotencyRecord(record("key-1", result: "{\"other\":1}", created: T.at(minutes: 5)))
        }
        #expect(try await store.idempotencyRecord(key: "key-1", at: T.at(minutes: 5)) == first)
        #expect(try await store.idempotencyRecord(key: "stale", at: T.t0) == stale)
    }

    @Test("an expired record of the key is replaced; every record expired at the new one's creation is dropped",
          arguments: StoreKind.available)
    func expiredReplacedAndDropped(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        try await store.saveIdempotencyRecord(record("key-1", lifetimeMinutes: 10))
        try await store.saveIdempotencyRecord(record("other", lifetimeMinutes: 10))
        try await store.saveIdempotencyRecord(record("long", lifetimeMinutes: 100))
        let again = record("key-1", result: "{\"second\":true}", created: T.at(minutes: 10))
        try await store.saveIdempotencyRecord(again)
        #expect(try await store.idempotencyRecord(key: "key-1", at: T.at(minutes: 10)) == again)
        // Read at an instant when it had not expired yet: it is gone all the same.
        #expect(try await store.idempotencyRecord(key: "other", at: T.t0) == nil)
        #expect(try await store.idempotencyRecord(key: "long", at: T.t0) != nil)
    }
}
