import Foundation

/// Asana's list pagination (https://developers.asana.com/docs/pagination):
///
/// - `limit` must be an integer 1…100, else 400.
/// - `offset` is an opaque token, only valid as returned in `next_page`: base64url (no padding) of
///   `v1:<border gid>:<issued at, ms since 1970>:<check>`, where the border is the gid of the last object of the
///   previous page (Asana's own tokens carry a `border_rank` the same way) and `check` is an FNV-1a hash of the
///   fields, a per-simulator secret and the list (path plus filter parameters). Forged, altered, expired
///   (older than ``SimulatorConfiguration/offsetLifetime``) or other lists' tokens → 400 (status chosen: the real
///   one is [UNCONFIRMED]). Keyset borders keep pages stable while objects are added or removed.
/// - With `limit`, the body has `next_page`: `{offset, path, uri}` or `null` on the last page; without `limit`,
///   no `next_page` key, and a list of more than 1000 objects → 400 "The result is too large…".
/// - `offset` without `limit` → 400 (chosen).
struct Paginator: Sendable {
    /// Asana truncates unpaginated results at about 1,000 objects (https://developers.asana.com/docs/pagination).
    static let maxUnpaginated = 1000
    /// Asana's `limit` bounds (Asana OpenAPI parameter `limit`).
    static let limitRange = 1...100

    let secret: UInt64
    let lifetime: Duration
    let now: @Sendable () -> Date

    /// What one list request asked for.
    struct PageRequest: Sendable, Equatable {
        /// nil = unpaginated.
        var limit: Int?
        /// Return objects after this gid (from a valid `offset`).
        var after: String?
    }

    /// Reads `limit` and `offset` from `query`.
    /// - Throws: ``AsanaErrorBody`` 400 for a bad `limit`, a bad `offset`, or `offset` without `limit`.
    func parse(_ query: QueryItems, listKey: String) throws(AsanaErrorBody) -> PageRequest {
        var request = PageRequest()
        if let raw = query["limit"] {
            guard let limit = Int(raw) else { throw .badRequest("limit: Not an integer: \(raw)") }
            guard Self.limitRange.contains(limit) else {
                throw .badRequest("limit: Must be between 1 and 100 inclusive, got \(limit)")
            }
            request.limit = limit
        }
        if let token = query["offset"] {
            guard request.limit != nil else { throw .badRequest("offset: Can only be used together with limit") }
            guard let border = decode(token: token, listKey: listKey) else {
                throw .badRequest("offset: Your pagination token is invalid or has expired. Start again without offset.")
            }
            request.after = border
        }
        return request
    }

    /// The `{"data": […], "next_page": …}` envelope of one page of the list `gids` (sorted by ``gidLess(_:_:)``, no
    /// duplicates). The page after an offset starts by binary search, and only the page's objects are rendered, so a
    /// page costs O(log n + limit) whatever the list's length.
    /// - Parameters:
    ///   - render: the object of a gid (nil: left out, e.g. a dangling reference).
    ///   - path: request path relative to `/api/1.0`, e.g. `/users`.
    ///   - query: the request's query (kept in `next_page.path`, with `offset` replaced).
    ///   - baseURL: `http://host:port/api/1.0`, for `next_page.uri`.
    /// - Throws: 400 "result too large" for an unpaginated list over 1000 objects.
    func envelope(
        _ gids: [String], render: (String) -> JSONValue?, request: PageRequest, path: String,
        query: QueryItems, listKey: String, baseURL: String
    ) throws(AsanaErrorBody) -> JSONValue {
        let start = request.after.map { GidIndex.firstIndex(after: $0, in: gids) } ?? gids.startIndex
        let remaining = gids[start...]
        guard let limit = request.limit else {
            guard remaining.count <= Self.maxUnpaginated else { throw .badRequest(AsanaErrorBody.tooLargeMessage) }
            return .object([("data", .array(remaining.compactMap(render)))])
        }
        let page = remaining.prefix(limit)
        var nextPage = JSONValue.null
        if page.count < remaining.count, let last = page.last {
            let token = makeToken(border: last, listKey: listKey)
            let rest = query.encoded(excluding: ["offset"])
            let nextPath = path + "?" + (rest.isEmpty ? "" : rest + "&") + "offset=" + QueryItems.encode(token)
            nextPage = .object([("offset", .string(token)), ("path", .string(nextPath)), ("uri", .string(baseURL + nextPath))])
        }
        return .object([("data", .array(page.compactMap(render))), ("next_page", nextPage)])
    }

    /// The identity of a list for token binding: path plus the query without paging and output options.
    static func listKey(path: String, query: QueryItems) -> String {
        path + "?" + query.encoded(excluding: ["limit", "offset", "opt_fields", "opt_pretty"])
    }

    func makeToken(border: String, listKey: String) -> String {
        let issued = Int64((now().timeIntervalSince1970 * 1000).rounded(.down))
        let body = "v1:\(border):\(issued)"
        let check = String(check(body, listKey), radix: 16)
        return Self.base64url(Array("\(body):\(check)".utf8))
    }

    /// The border gid of a valid token, or nil.
    func decode(token: String, listKey: String) -> String? {
        guard let bytes = Self.unbase64url(token), let text = String(bytes: bytes, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "v1", !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit),
            let issued = Int64(parts[2]), let check = UInt64(parts[3], radix: 16)
        else { return nil }
        guard check == self.check("v1:\(parts[1]):\(parts[2])", listKey) else { return nil }
        let ageMilliseconds = Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) - issued
        let lifetimeMilliseconds = lifetime.components.seconds * 1000 + lifetime.components.attoseconds / 1_000_000_000_000_000
        guard ageMilliseconds <= lifetimeMilliseconds else { return nil }
        return parts[1]
    }

    private func check(_ body: String, _ listKey: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("\(secret)|\(body)|\(listKey)".utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }
}

/// Orders gids as Asana sorts `/users` ("sorted by user ID", Asana OpenAPI operation `getUsers`): numerically for digit strings
/// (shorter first, then lexicographic), otherwise lexicographically.
func gidLess(_ a: String, _ b: String) -> Bool {
    if a.count != b.count, a.allSatisfy(\.isASCIIDigit), b.allSatisfy(\.isASCIIDigit) { return a.count < b.count }
    return a < b
}
