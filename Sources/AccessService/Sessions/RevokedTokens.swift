import Foundation
import Synchronization

/// The API tokens revoked while this server runs, by name (unique, and never reused after a
/// revocation), so connections authenticated with
/// one lose their identity on their next call (protocol.md §4, "Revocation and expiry").
///
/// A revocation made before the server started needs no entry: no connection can have used the
/// token since. On a SQLite store only this process writes while it runs (the data directory is locked),
/// so every revocation passes through ``record(_:)``; on a shared store, ``RevocationWatcher`` also records
/// those made through other servers.
final class RevokedTokens: Sendable {
    private let names = Mutex<Set<String>>([])

    /// Marks the token called `name` as revoked.
    func record(_ name: String) {
        _ = names.withLock { $0.insert(name) }
    }

    /// `true` when the token called `name` was revoked since the server started.
    func contains(_ name: String) -> Bool {
        names.withLock { $0.contains(name) }
    }
}
