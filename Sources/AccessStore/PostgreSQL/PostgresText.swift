import Foundation

/// PostgreSQL `text` cannot hold the character U+0000 (https://www.postgresql.org/docs/current/datatype-character.html):
/// a statement that binds it fails. The store checks its text arguments first: a write refuses them with
/// ``AccessStoreError/invalidArgument(_:)``; a read answers what a text that no row can hold matches (nothing).
enum PostgresText {
    /// Whether every one of `texts` can be stored (nil counts as storable).
    static func storable(_ texts: String?...) -> Bool {
        storable(texts)
    }

    static func storable(_ texts: [String?]) -> Bool {
        texts.allSatisfy { text in text.map { !$0.utf8.contains(0) } ?? true }
    }

    /// The error of a write whose text PostgreSQL cannot hold.
    static let nulRefused = AccessStoreError.invalidArgument("a gid, name or email contains the character U+0000, which PostgreSQL text cannot hold")
}

extension WorkspaceSnapshot {
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when a gid, name or email contains U+0000 (``PostgresText``).
    func checkStorableInPostgres() throws {
        let texts: [String?] = [workspace.gid, workspace.name] + users.flatMap { [$0.gid, $0.name, $0.email] }
            + teams.flatMap { [$0.gid, $0.name] } + teamMemberships.flatMap { [$0.teamGid, $0.userGid] }
        guard PostgresText.storable(texts) else { throw PostgresText.nulRefused }
    }
}

extension ProvisionChange {
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when a gid, name, email, the principal or the call id
    ///   contains U+0000 (``PostgresText``).
    func checkStorableInPostgres() throws {
        let texts: [String?] = [workspaceGid, user.gid, user.name, user.email, principal, callId]
            + teamsAdded.flatMap { [$0.gid, $0.name] } + teamsRemoved
        guard PostgresText.storable(texts) else { throw PostgresText.nulRefused }
    }
}
