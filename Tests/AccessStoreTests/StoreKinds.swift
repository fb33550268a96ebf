import Testing
@testable import AccessStore

/// The store implementations a parameterized test runs against: `@Test(arguments: StoreKind.available)`.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// ``SQLiteAccessStore`` in memory (``makeStore()``).
    case sqlite
    /// ``PostgresAccessStore`` on a fresh database (``makePostgresStore(masterKey:)``; the suite needs `.closesStores`).
    case postgres

    /// SQLite always; PostgreSQL when a server is configured (``postgresConfigured``).
    static var available: [StoreKind] { postgresConfigured ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}
