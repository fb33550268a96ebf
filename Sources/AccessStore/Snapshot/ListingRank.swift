import GRDB

/// Each person's place in the listing order as a number: `workspaceUser.listingRank` (migration `v18-listing-rank`),
/// increasing with `(workspaceGid, ifnull(name, '') COLLATE NOCASE, gid)`, the order of `workspaceUser_byName`, across
/// every workspace. The trigram index's rows are keyed by it (``SearchIndex``), so the index returns a text's matches
/// already in listing order and a page stops after its first `limit + 1` (at 100,000 people, a last name shared by
/// 2,440: every match read and sorted 1.7 ms in SQLite alone, the first 101 in rank order 0.13 ms).
///
/// Ranks are kept, not recomputed: a write that adds or renames a person marks them stale (a trigger sets
/// `listingRankState.stale`), and ``refresh(_:)``, run at the end of the same transaction by every writer of
/// `workspaceUser` (``SnapshotWriter``), gives new ranks only to the people out of place. Those are the people off the
/// longest run of stored ranks that still increase in listing order; each group of them between two kept ranks gets
/// ranks evenly spaced in the middle of the gap; when a gap is too narrow, everyone is ranked again. A reader uses the
/// ranks only when they are not stale (``isFresh(_:)``) and otherwise scans: a writer that forgot the refresh makes
/// pages slower, never wrong.
enum ListingRank {
    /// The values a rank takes.
    static let space: ClosedRange<Int64> = 1...Int64.max - 1

    /// The widest step between the ranks of people ranked together: 2^24, so that 24 people can later be placed one
    /// after another between the same two neighbours (each halves the gap) before everyone is ranked again (at either
    /// end of the order, about 2^38: each takes one step). Not wider:
    /// FTS5 stores the difference between consecutive rowids of each trigram's list as a varint, and with the ranks
    /// spread over the whole space (steps of about 2^46 at 100,000 people) the index took 32 MB, at 2^24 24 MB (with
    /// the consecutive row ids it had before, 14).
    static let maximumStep: Int64 = 1 << 24

    /// False when a write since the last ``refresh(_:)`` added or renamed a person.
    static func isFresh(_ db: Database) throws -> Bool {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT stale FROM listingRankState")) == 0
    }

    /// Ranks the people whose rank is missing or out of order, if a write made them stale; call it inside the write
    /// transaction that changed `workspaceUser`. Reads every person's rank in listing order (an index walk: about
    /// 60 ms at 100,000 people) and writes only the ranks that change, with their index rows (ranking all 100,000:
    /// about 2 s).
    static func refresh(_ db: Database) throws {
        guard try !isFresh(db) else { return }
        var ids: [Int64] = []
        var ranks: [Int64?] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, listingRank FROM workspaceUser ORDER BY workspaceGid, ifnull(name, '') COLLATE NOCASE, gid
            """)
        while let row = try rows.next() {
            ids.append(row[0])
            ranks.append(row.hasNull(atIndex: 1) ? nil : row[1] as Int64)
        }
        let assigned = assign(ranks)
        // The people who move, by new rank: their index rows are written in rowid order.
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS newListingRank (rank INTEGER PRIMARY KEY, id INTEGER NOT NULL, oldRank INTEGER)")
        try db.execute(sql: "DELETE FROM temp.newListingRank")
        let insert = try db.cachedStatement(sql: "INSERT INTO temp.newListingRank (rank, id, oldRank) VALUES (?, ?, ?)")
        for (index, rank) in assigned.enumerated() where rank != ranks[index] {
            try insert.execute(arguments: [rank, ids[index], ranks[index]])
        }
        // The index rows move with the ranks (the rowid is the rank): out at the old ranks, in at the new ones.
        try db.execute(sql: """
            DELETE FROM workspaceUserSearch WHERE rowid IN (SELECT oldRank FROM temp.newListingRank WHERE oldRank IS NOT NULL)
            """)
        try db.execute(sql: """
            UPDATE workspaceUser SET listingRank = newListingRank.rank FROM temp.newListingRank WHERE workspaceUser.id = newListingRank.id
            """)
        try db.execute(sql: """
            INSERT INTO workspaceUserSearch (rowid, nameKey, emailKey)
            SELECT newListingRank.rank, searchKey(name) || char(31, 31), searchKey(email) || char(31, 31)
            FROM temp.newListingRank JOIN workspaceUser ON workspaceUser.id = newListingRank.id
            ORDER BY newListingRank.rank
            """)
        // The trigrams of the people indexed for the first time (the others' are listed already: a rename's by the
        // update trigger).
        try db.execute(sql: """
            INSERT OR IGNORE INTO searchTrigram (term)
            SELECT value FROM json_each((
                SELECT searchTrigrams(nameKey, emailKey) FROM temp.newListingRank
                JOIN workspaceUserSearch ON workspaceUserSearch.rowid = newListingRank.rank
                WHERE newListingRank.oldRank IS NULL))
            """)
        try db.execute(sql: "DELETE FROM temp.newListingRank")
        try db.execute(sql: "UPDATE listingRankState SET stale = 0")
    }

    /// The ranks for people in listing order whose stored ranks are `stored` (nil: none yet): every stored rank on the
    /// longest strictly increasing run is kept, the others are placed in the gaps between kept ones; when a gap cannot
    /// hold its people, everyone is ranked again in the middle of the ``space``.
    static func assign(_ stored: [Int64?]) -> [Int64] {
        let kept = longestIncreasingRun(stored.map { $0.flatMap { space.contains($0) ? $0 : nil } })
        return fill(stored, keeping: kept, within: space) ?? fill(stored, keeping: [], within: space)!
    }

    /// `stored` with the ranks at `kept` (positions whose ranks increase) kept, and the positions between two kept ones
    /// (or an end of `space`) given ranks evenly spaced, at most ``maximumStep`` apart: next to the kept neighbour in a
    /// gap at an end of `space`, in the middle of any other gap; nil when some gap is too narrow.
    private static func fill(_ stored: [Int64?], keeping kept: [Int], within space: ClosedRange<Int64>) -> [Int64]? {
        var result = [Int64](repeating: 0, count: stored.count)
        var start = 0
        var low = space.lowerBound - 1  // exclusive
        for boundary in kept + [stored.count] {
            let high = boundary < stored.count ? stored[boundary]! : space.upperBound + 1  // exclusive
            let count = boundary - start
            if count > 0 {
                // Evenly spaced: next to the kept neighbour in a gap at an end of the order (most of the space, so that
                // people added there one after another, say at the end of the alphabet, each take one step of it),
                // else in the middle of the gap.
                let step = min((high - low) / Int64(count + 1), maximumStep)
                guard step >= 1 else { return nil }
                let slack = (high - low) - step * Int64(count + 1)
                let atStart = low == space.lowerBound - 1, atEnd = high == space.upperBound + 1
                let first = atStart && !atEnd ? low + slack : (atEnd && !atStart ? low : low + slack / 2)
                for offset in 0..<count { result[start + offset] = first + step * Int64(offset + 1) }
            }
            if boundary < stored.count { result[boundary] = high }
            low = high
            start = boundary + 1
        }
        return result
    }

    /// The positions of a longest strictly increasing run of the non-nil values (patience sorting, O(n log n)).
    static func longestIncreasingRun(_ values: [Int64?]) -> [Int] {
        var tails: [Int] = []  // tails[k]: the position ending the best run of length k + 1 found so far
        var previous = [Int](repeating: -1, count: values.count)
        for (position, value) in values.enumerated() {
            guard let value else { continue }
            var lower = 0, upper = tails.count
            while lower < upper {
                let middle = (lower + upper) / 2
                if values[tails[middle]]! < value { lower = middle + 1 } else { upper = middle }
            }
            previous[position] = lower > 0 ? tails[lower - 1] : -1
            if lower == tails.count { tails.append(position) } else { tails[lower] = position }
        }
        var run: [Int] = []
        var position = tails.last ?? -1
        while position >= 0 {
            run.append(position)
            position = previous[position]
        }
        return run.reversed()
    }
}
