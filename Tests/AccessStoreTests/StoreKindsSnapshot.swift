import Foundation
import Testing
@testable import AccessStore

/// What the snapshot and history tests use of a store.
typealias SnapshotTestStore = AccessStore

extension StoreKind {
    /// A fresh, empty store of this kind: in-memory SQLite, or PostgreSQL on a database of its own.
    func makeSnapshotStore() async throws -> any SnapshotTestStore {
        try await makeStore(self)
    }
}
