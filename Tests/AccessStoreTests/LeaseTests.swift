import Foundation
import Testing
import TestSupport
@testable import AccessStore

@Suite("Leases", .closesStores)
struct LeaseTests {
    func leases(_ kind: StoreKind) async throws -> any LeaseStore {
        switch kind {
        case .sqlite: return try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        case .postgres: return try await makePostgresStore()
        }
    }

    @Test("one holder at a time: acquire, refuse others (and a second take by the holder), renew, release", arguments: StoreKind.available)
    func exclusive(kind: StoreKind) async throws {
        let store = try await leases(kind)
        #expect(try await store.acquireLease("sync:1000", holder: "a", ttl: 60))
        #expect(try await !store.acquireLease("sync:1000", holder: "b", ttl: 60))
        #expect(try await !store.acquireLease("sync:1000", holder: "a", ttl: 60))
        #expect(try await store.acquireLease("sync:2000", holder: "b", ttl: 60))
        #expect(try await store.leaseHolders(prefix: "sync:") == ["sync:1000": "a", "sync:2000": "b"])
        #expect(try await store.leaseHolders(prefix: "idempotency:") == [:])
        #expect(try await store.renewLease("sync:1000", holder: "a", ttl: 60))
        #expect(try await !store.renewLease("sync:1000", holder: "b", ttl: 60))
        try await store.releaseLease("sync:1000", holder: "b")
        #expect(try await !store.acquireLease("sync:1000", holder: "c", ttl: 60))
        try await store.releaseLease("sync:1000", holder: "a")
        #expect(try await !store.renewLease("sync:1000", holder: "a", ttl: 60))
        #expect(try await store.acquireLease("sync:1000", holder: "c", ttl: 60))
    }

    @Test("a lease its holder stops renewing is free once its time to live has passed, and the old holder cannot renew it", arguments: StoreKind.available)
    func expiry(kind: StoreKind) async throws {
        let store = try await leases(kind)
        let start = Date()
        #expect(try await store.acquireLease("sync:1000", holder: "dead", ttl: 1))
        var taken = false
        while !taken, Date().timeIntervalSince(start) < 30 {
            taken = try await store.acquireLease("sync:1000", holder: "alive", ttl: 60)
            if !taken { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(taken)
        #expect(Date().timeIntervalSince(start) >= 0.9, "taken before the time to live had passed")
        #expect(try await !store.renewLease("sync:1000", holder: "dead", ttl: 60))
        #expect(try await store.leaseHolders(prefix: "sync:") == ["sync:1000": "alive"])
    }

    @Test("bad arguments are refused", arguments: StoreKind.available)
    func badArguments(kind: StoreKind) async throws {
        let store = try await leases(kind)
        for (name, holder, ttl) in [("", "a", 10.0), ("x", "", 10), ("x", "a", 0), ("x", "a", 3601)] {
            await #expect(throws: AccessStoreError.self) { _ = try await store.acquireLease(name, holder: holder, ttl: ttl) }
        }
    }

    @Test("on SQLite a starting server drops the leases a killed one left")
    func releaseAll() async throws {
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        #expect(try await store.acquireLease("sync:1000", holder: "killed", ttl: 600))
        try await store.releaseAllLeases()
        #expect(try await store.acquireLease("sync:1000", holder: "restarted", ttl: 600))
    }

    @Test("two replicas racing for the same lease: exactly one wins each round", .enabled(if: postgresConfigured))
    func race() async throws {
        let location = try await TestPostgres.freshDatabase()
        let key = MasterKey.generate()
        let opened = try #require(OpenedStores.current)
        let first = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        opened.add(first)
        let second = try await PostgresAccessStore.connect(location, masterKey: key, mode: .create)
        opened.add(second)
        for round in 0..<20 {
            async let a = first.acquireLease("sync:\(round)", holder: "first", ttl: 60)
            async let b = second.acquireLease("sync:\(round)", holder: "second", ttl: 60)
            let wins = [try await a, try await b].filter { $0 }.count
            #expect(wins == 1, "round \(round)")
        }
    }
}
