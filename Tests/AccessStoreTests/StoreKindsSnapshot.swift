import Foundation
import Testing
@testable import AccessStore

/// The stores a shared test runs against: SQLite always, PostgreSQL when a server is configured
/// (``postgresConfigured``). Suites that use it need the ``ClosesStores`` trait (`.closesStores`).
///
/// Merge note: the audit/sync-run branch declares the same enum in StoreKinds.swift; keep one declaration and
/// this file's ``makeSnapshotStore()``.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// SQLite, and PostgreSQL when configured.
    static var available: [StoreKind] { postgresConfigured ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}

/// What the snapshot and history tests need of a store.
typealias SnapshotTestStore = SnapshotStore & HistoryStore

extension StoreKind {
    /// A fresh, empty store of this kind: in-memory SQLite, or PostgreSQL on a database of its own.
    func makeSnapshotStore() async throws -> any SnapshotTestStore {
        switch self {
        case .sqlite: try makeStore()
        case .postgres: try await makePostgresStore()
        }
    }
}
