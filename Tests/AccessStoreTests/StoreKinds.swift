import Foundation
import Testing
import TestSupport
@testable import AccessStore

/// The store implementations a parameterized test runs against: `@Test(arguments: StoreKind.available)`.
/// Suites that take a `StoreKind` need the ``ClosesStores`` trait (`.closesStores`).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// ``SQLiteAccessStore`` in memory (``makeStore()``).
    case sqlite
    /// ``PostgresAccessStore`` on a fresh database (``makePostgresStore(masterKey:)``).
    case postgres

    /// SQLite always; PostgreSQL when a server is configured (``postgresConfigured``).
    static var available: [StoreKind] { postgresConfigured ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}

/// What the parameterized tests use of a store: all of it.
typealias TestedStore = AccessStore

/// A fresh store of `kind`: SQLite in memory, or PostgreSQL on a database of its own (closed when the test ends).
func makeStore(_ kind: StoreKind, masterKey: MasterKey = MasterKey.generate()) async throws -> any TestedStore {
    switch kind {
    case .sqlite: return try SQLiteAccessStore.inMemory(masterKey: masterKey)
    case .postgres: return try await makePostgresStore(masterKey: masterKey)
    }
}
