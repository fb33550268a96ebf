import GRDB

/// The trigram index of listUsers' `query` text (the FTS5 table `workspaceUserSearch`: the ``SearchKey`` form of each
/// person's name and email, kept in step with `workspaceUser` by triggers; migrations `v16-search-index`,
/// `v18-listing-rank` and `v19-search-trigrams`), and the choice between reading it and scanning the workspace.
///
/// The index's rowids are the people's listing ranks (``ListingRank``): it yields a text's matches in listing order,
/// so a page reads matches from its cursor's rank on and stops when it is full.
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
        /// Read the index's matches in listing order (by rank) from the cursor on, each joined to its person, until the
        /// page is full: at most as many rows as match.
        case index
    }

    /// The shortest text, in Unicode scalars of its ``SearchKey`` form, the index can serve. A text of 3 or more is
    /// found as phrases of trigrams (``matchExpression(_:)``); a text of 1 or 2 as the trigrams that begin with it
    /// (``matchCondition(_:)``), which every place holding it begins, since each indexed value ends with two
    /// ``columnEnd``.
    static let minimumLength = 1

    /// The character each indexed name and email ends with twice (`|| char(31, 31)` where the index is written:
    /// migration v19-search-trigrams, ``ListingRank``), U+001F, so that the last 1 and 2 characters of a value begin a
    /// trigram too. A text holding it is not served by the index (it would match at a value's end).
    static let columnEnd: Unicode.Scalar = "\u{1F}"

    /// The most trigrams a 1- or 2-character text may begin for the index to serve it; a text beginning more is
    /// scanned for. FTS5 opens each trigram's list to merge them (about 8 µs each): in SQLite alone at 100,000 people,
    /// the first 101 matches of 'a' (246 trigrams) took 2.0 ms that way, while the scan, which tests people in listing
    /// order, fills a page of a text that many people hold after about as many rows; 'q' (54 trigrams, 7% of people)
    /// 0.3 ms. Through the server (Benchmarks/RESULTS.md, session 15): 'q' 3.6–9.5 ms scanned, 1.0–2.0 from the index; a
    /// character nobody holds (no trigram, no row read) 83–116 ms scanned, 0.14–0.21 from the index.
    static let maximumShortTextTrigrams = 100

    /// The number of index matches (in the whole store, every workspace) from which a page with another filter than
    /// the text (`active`, `admin`, `guest`, `flagsUnknown`, `changedSince`) is scanned for instead; fewer when that
    /// filter's own index holds fewer people (``FilterIndex``, ``plan(_:_:)``).
    ///
    /// Without another filter every match is on the page until it is full, and the index plan reads at most
    /// `limit + 1` of them. With one, the index plan reads matches until `limit + 1` pass it, up to every match, while
    /// the scan reads that filter's own partial index (admins, guests, inactive people: v14) in listing order and tests
    /// the text: for a text most people hold, the scan. In SQLite alone at 100,000 people (973 admins), `admin: true`
    /// with a text everyone holds: 11.8 ms through the index, 0.4 ms scanned (Benchmarks/RESULTS.md, session 14).
    /// Counting up to the limit reads index entries only (at most about 2.8 ms, for a text every person holds).
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

    /// True when a row the index matches for `text` (``canServe(_:)``) holds it: the match is one phrase (at most
    /// ``phraseLength`` Unicode scalars), and with the trigram tokenizer and `case_sensitive 1` a phrase matches a
    /// column exactly where its text is a substring of it (its trigrams at consecutive positions:
    /// https://sqlite.org/fts5.html#the_trigram_tokenizer); a 1- or 2-character text is matched by the trigrams that
    /// begin with it, exactly too. Such a page needs no exact test of its own, which costs two `searchKey` calls per
    /// match (about 0.5 ms of a last name shared by 2,440 people at 100,000).
    /// Not for a text holding U+FFFD, U+FFFE or U+FFFF: SQLite reads the last two as the first when it decodes
    /// UTF-8 (its `READ_UTF8`), in the index and in the query alike, so the three match one another there.
    static func matchIsExact(_ text: String) -> Bool {
        text.unicodeScalars.count <= phraseLength && !text.unicodeScalars.contains { $0.value >= 0xFFFD && $0.value <= 0xFFFF }
    }

    /// True when the index can find every person `text` (in ``SearchKey`` form) matches: 1 Unicode scalar or more,
    /// without ``columnEnd``; a text of 1 or 2 also without U+FFFD–U+FFFF (its trigrams are compared as stored).
    static func canServe(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        // (A text holding NUL never comes here: UserListing refuses it.)
        guard scalars.count >= minimumLength, !scalars.contains(columnEnd) else { return false }
        return !isShort(text) || matchIsExact(text)
    }

    /// True for a text of 1 or 2 Unicode scalars, shorter than a trigram: found as the trigrams that begin with it.
    static func isShort(_ text: String) -> Bool {
        text.unicodeScalars.count < 3
    }

    /// The condition that selects the index rows matching `text` (``canServe(_:)``). A text of 3 or more: `MATCH` its
    /// ``matchExpression(_:)``. A text of 1 or 2: `MATCH` the trigrams of the index that begin with it, joined by OR,
    /// read from `searchTrigram` (a range of its terms, ``SearchTrigrams``) in the same statement; with none, `P NOT P`,
    /// which no row matches whatever it holds (a phrase alone would match a name that holds it: any text can be a
    /// name).
    static func matchCondition(_ text: String) -> (sql: String, arguments: StatementArguments) {
        guard isShort(text) else {
            return ("workspaceUserSearch MATCH ?", [matchExpression(text)])
        }
        return ("""
            workspaceUserSearch MATCH (
                SELECT ifnull(group_concat('"' || replace(term, '"', '""') || '"', ' OR '), '"xxx" NOT "xxx"')
                FROM searchTrigram WHERE \(trigramsBeginning))
            """, [text, text])
    }

    /// The `searchTrigram` rows that begin with a text of 1 or 2 characters (arguments: the text twice): from the text
    /// itself to the text followed by two U+10FFFF, the greatest trigram a 1-character text begins (a term compares as
    /// its UTF-8 bytes, which keep the order of code points). With one U+10FFFF, 'a' missed the trigrams 'a', U+10FFFF,
    /// x: a reviewer's case.
    private static let trigramsBeginning = "term >= ? AND term <= ? || char(1114111, 1114111)"

    /// The plan for one page of `listing`: the index for a current-picture page whose text it can serve, while the
    /// listing ranks are fresh (``ListingRank/isFresh(_:)``), unless the text has 1 or 2 characters and begins more than
    /// ``maximumShortTextTrigrams`` trigrams, or another filter than the text is set and the text matches as many
    /// people as that filter's own index holds (``FilterIndex``), or ``scanFromMatches``; else the scan. (A past
    /// picture, `asOf`, reads `workspaceUserInterval`, which has no text index; a team's page reads the team's own index,
    /// its members in listing order, and tests the text on them.)
    ///
    /// Both counts read index entries only and stop at their limit: the filter's people first (973 admins at 100,000
    /// people: 0.07 ms), then the text's matches up to that many. A page of 'Anders' (2,440 matches) with `admin: true`
    /// read every match through the index after counting them all (1.1 + 0.44 ms in SQLite alone); it now reads the 973
    /// admins' rows (0.2 ms, and the text test), server-side p50 1.9 -> 1.3 ms (Benchmarks/RESULTS.md, session 15).
    static func plan(_ db: Database, _ listing: UserListing) throws -> Plan {
        guard listing.asOf == nil, listing.query.teamGid == nil, let text = listing.searchText, canServe(text),
              try ListingRank.isFresh(db) else { return .scan }
        if isShort(text) {
            let trigrams = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM searchTrigram WHERE \(trigramsBeginning) LIMIT ?)"),
                arguments: [text, text, maximumShortTextTrigrams + 1]) ?? 0
            guard trigrams <= maximumShortTextTrigrams else { return .scan }
        }
        let query = listing.query
        let otherFilter = query.active != nil || query.admin != nil || query.guest != nil || query.flagsUnknown != nil
            || listing.changedSince != nil
        guard otherFilter else { return .index }
        var limit = scanFromMatches
        if let filter = FilterIndex(query) {
            limit = min(limit, try Int.fetchOne(
                db.cachedStatement(sql: """
                    SELECT count(*) FROM (SELECT 1 FROM workspaceUser INDEXED BY \(filter.name)
                                          WHERE workspaceGid = ? AND \(filter.condition) LIMIT ?)
                    """),
                arguments: [query.workspaceGid, limit]) ?? 0)
        }
        let match = matchCondition(text)
        let matches = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM workspaceUserSearch WHERE \(match.sql) LIMIT ?)"),
            arguments: match.arguments + [limit]) ?? 0
        return matches < limit ? .index : .scan
    }

    /// The partial index (migration v14) that holds exactly the people of a workspace one of a page's filters keeps,
    /// and that the scan reads in listing order: admins, guests, inactive people, people with a flag unknown. The other
    /// filters (`admin: false`, `changedSince`, …) keep most people, and have none.
    struct FilterIndex {
        /// The index's name and the condition it is made for (the scan's condition for that filter, word for word).
        let name: String, condition: String

        /// The index of the first of these filters `query` sets, or nil.
        init?(_ query: UserQuery) {
            if query.admin == true {
                (name, condition) = ("workspaceUser_admins", "isAdmin = 1")
            } else if query.guest == true {
                (name, condition) = ("workspaceUser_guests", "isGuest = 1")
            } else if query.active == false {
                (name, condition) = ("workspaceUser_inactive", "isActive = 0")
            } else if query.flagsUnknown == true {
                (name, condition) = ("workspaceUser_flagsUnknown", SQLiteAccessStore.anyFlagUnknown)
            } else {
                return nil
            }
        }
    }
}
