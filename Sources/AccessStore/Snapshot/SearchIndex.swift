import GRDB

/// The trigram index of listUsers' `query` text (migration `v16-search-index`: the FTS5 table
/// `workspaceUserSearch`, the ``SearchKey`` form of each person's name and email, kept in step with
/// `workspaceUser` by triggers), and the choice between reading it and scanning the workspace.
///
/// A page holds exactly the people the scan would (same order, same cursor, same other filters): a text of one
/// phrase matches exactly (``matchIsExact(_:)``); for a longer one the index is a prefilter, and a row it returns
/// still passes the exact `instr(searchKey(...), ?)` test.
enum SearchIndex {
    /// How a page with a query text finds its people.
    enum Plan: Equatable {
        /// Read the workspace's people in listing order (the `workspaceUser_byName` index, from the cursor on) and
        /// test each: every row of the workspace when few match.
        case scan
        /// Read the people the trigram index matches, test them, and sort them: as many rows as match.
        case index
    }

    /// The shortest text, in Unicode scalars of its ``SearchKey`` form, the index can serve: a trigram index
    /// has no entry for a text of 1 or 2 characters (FTS5's trigram tokenizer matches nothing for it), so
    /// such a text is scanned for.
    static let minimumLength = 3

    /// The number of index matches (in the whole store, every workspace) from which the scan is chosen instead.
    ///
    /// The index plan reads, tests and sorts every match (a row lookup by rowid and a sorter insert each); the scan
    /// tests people in listing order until the page is full, about `limit × people / matches` of them when the
    /// matches are spread over the order. At 100,000 people (the simulator's: 40 first and 40 last names), pages
    /// timed by the client: a last name with 2,440 matches 6.8 ms scanned, 8.1 ms from the index (about 3 µs a
    /// match); in SQLite alone a text in 10% of people was 4 times faster scanned, everyone (the mail domain) 400
    /// times. But matches bunched at the end of the order make the scan read nearly everyone: a first name sorting
    /// last (2,473 matches) took 191 ms scanned, 7 ms from the index. So the limit sits above the crossing, at
    /// 4,000. Counting up to it reads index entries only, but adds up to about 2.8 ms to a text every person holds
    /// (Benchmarks/RESULTS.md, session 9).
    static let scanFromMatches = 4000

    /// The longest phrase of ``matchExpression(_:)``, in Unicode scalars.
    static let phraseLength = 12

    /// The FTS5 query for `text` (already in ``SearchKey`` form, ``canServe(_:)``): the text cut in phrases of at
    /// most ``phraseLength`` characters that overlap by 2 (so every trigram of the text is in one), joined by AND;
    /// each phrase quoted, with `"` doubled, so that every character is text to match (no FTS5 operators).
    ///
    /// Why phrases, not one: FTS5 checks the positions of a phrase's trigrams for every row holding them all,
    /// and a long text's common trigrams (a mail domain's) are in every row: one person's whole email as one
    /// phrase took 2.6 ms at 100,000 people, as three phrases 0.3 ms. A row matching every phrase may still not
    /// hold the whole text; the exact test that follows drops it.
    static func matchExpression(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var phrases: [String] = []
        var start = 0
        while start < scalars.count {
            let end = min(start + phraseLength, scalars.count)
            var phrase = String.UnicodeScalarView()
            for scalar in scalars[start..<end] {
                // By scalar, not by Character: a `"` followed by a combining mark is one Character.
                if scalar == "\"" { phrase.append(scalar) }
                phrase.append(scalar)
            }
            phrases.append("\"" + String(phrase) + "\"")
            if end == scalars.count { break }
            start = end - 2
        }
        return phrases.joined(separator: " AND ")
    }

    /// True when a row the index matches for `text` (``canServe(_:)``) holds it: the match expression is one phrase
    /// (at most ``phraseLength`` Unicode scalars), and with the trigram tokenizer and `case_sensitive 1` a phrase
    /// matches a column exactly where its text is a substring of it (its trigrams at consecutive positions:
    /// https://sqlite.org/fts5.html#the_trigram_tokenizer). Such a page needs no exact test of its own, which costs
    /// two `searchKey` calls per match (about 0.5 ms of a last name shared by 2,440 people at 100,000).
    /// Not for a text holding U+FFFD, U+FFFE or U+FFFF: SQLite reads the last two as the first when it decodes
    /// UTF-8 (its `READ_UTF8`), in the index and in the query alike, so the three match one another there.
    static func matchIsExact(_ text: String) -> Bool {
        text.unicodeScalars.count <= phraseLength && !text.unicodeScalars.contains { $0.value >= 0xFFFD && $0.value <= 0xFFFF }
    }

    /// True when the index can find every person `text` (in ``SearchKey`` form) matches.
    static func canServe(_ text: String) -> Bool {
        // A NUL would end the FTS5 query text early (a shorter phrase); rare enough to scan for.
        text.unicodeScalars.count >= minimumLength && !text.unicodeScalars.contains("\0")
    }

    /// The plan for one page of `listing`: the index for a current-picture page whose text it can serve and
    /// which matches fewer than ``scanFromMatches`` people, else the scan (a past picture, `asOf`, reads
    /// `workspaceUserInterval`, which has no text index; a team's page reads the team's own index, its members
    /// in listing order, and tests the text on them).
    static func plan(_ db: Database, _ listing: UserListing) throws -> Plan {
        guard listing.asOf == nil, listing.query.teamGid == nil, let text = listing.searchText, canServe(text) else { return .scan }
        let matches = try Int.fetchOne(
            db.cachedStatement(sql: """
                SELECT count(*) FROM (SELECT 1 FROM workspaceUserSearch WHERE workspaceUserSearch MATCH ? LIMIT ?)
                """),
            arguments: [matchExpression(text), scanFromMatches]) ?? 0
        return matches < scanFromMatches ? .index : .scan
    }
}
