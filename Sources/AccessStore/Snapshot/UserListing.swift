import Foundation

/// A ``UserQuery`` checked and put in the form every store's `listUsers` reads: Unix milliseconds, the search
/// text in ``SearchKey`` form, the decoded cursor. The store asks for `limit + 1` rows to know whether more follow.
struct UserListing {
    var query: UserQuery
    /// The query text in ``SearchKey`` form; nil when blank (no text filter).
    var searchText: String?
    var cursor: UserCursor?
    /// ``UserQuery/asOf`` in Unix milliseconds: read the intervals covering it instead of the current picture.
    var asOf: Int64?
    /// ``UserQuery/changedSince`` in Unix milliseconds.
    var changedSince: Int64?

    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` (empty workspace gid, limit outside 1...1000, query text
    ///   longer than 256 characters or holding U+0000, asOf with changedSince); ``AccessStoreError/invalidCursor``.
    init(_ query: UserQuery) throws {
        guard !query.workspaceGid.isEmpty else { throw AccessStoreError.invalidQuery("workspaceGid is empty") }
        guard (1...UserQuery.maxLimit).contains(query.limit) else {
            throw AccessStoreError.invalidQuery("limit must be between 1 and \(UserQuery.maxLimit), got \(query.limit)")
        }
        let text = SearchKey.of(query.query?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        guard text.count <= UserQuery.maxQueryLength else {
            throw AccessStoreError.invalidQuery("query is longer than \(UserQuery.maxQueryLength) characters")
        }
        // SQLite would read a bound text up to its first NUL (GRDB binds it with length -1), so the scan would test a
        // shorter text, where PostgreSQL (whose text cannot hold NUL) matched nobody: refused by both alike.
        guard !text.unicodeScalars.contains("\0") else {
            throw AccessStoreError.invalidQuery("query must not contain the character U+0000")
        }
        self.query = query
        searchText = text.isEmpty ? nil : text
        cursor = try query.cursor.map(UserCursor.decode)
        asOf = query.asOf.map(UnixMillis.from)
        if asOf != nil, query.changedSince != nil {
            throw AccessStoreError.invalidQuery("asOf and changedSince cannot be combined")
        }
        changedSince = query.changedSince.map(UnixMillis.from)
    }

    /// What changed about a row that changed after `since` (Unix milliseconds).
    static func change(since: Int64, addedAt: Int64, departedAt: Int64?) -> UserChange {
        if departedAt != nil { return .departed }
        return addedAt > since ? .added : .updated
    }

    /// A person of a past picture (``UserQuery/asOf``) from the interval covering `asOf`.
    ///
    /// As of that instant: `departedAt` is the start of a departed interval; `changedAt` the start of the
    /// person's interval (team memberships not counted); `lastSeenAt` for a present person the later of
    /// that start and the standing run's commit (or `asOf` without one), for a departed one the last time they
    /// were seen present. Times in Unix milliseconds.
    static func pastUser(gid: String, state: PersonState, firstSeenAt: Int64, lastSeenAt: Int64?, validFrom: Int64,
                         asOf: Int64, standingRun: StandingRun?, teams: [TeamRef]) -> StoredUser {
        let runTime = standingRun.map { UnixMillis.from($0.finishedAt) } ?? asOf
        let seen = state.departed ? lastSeenAt ?? validFrom : max(validFrom, runTime)
        return StoredUser(
            gid: gid, name: state.name, email: state.email,
            isActive: state.isActive, isAdmin: state.isAdmin, isGuest: state.isGuest, isViewOnly: state.isViewOnly,
            teams: teams,
            firstSeenAt: UnixMillis.date(firstSeenAt),
            lastSeenAt: UnixMillis.date(seen),
            departedAt: state.departed ? UnixMillis.date(validFrom) : nil,
            changedAt: UnixMillis.date(validFrom))
    }
}
