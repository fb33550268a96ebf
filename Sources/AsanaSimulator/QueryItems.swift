import Foundation

/// The query string of a request as ordered, percent-decoded name/value pairs (`+` is a space, as in forms).
struct QueryItems: Sendable {
    private(set) var items: [(name: String, value: String)]

    /// Parses `a=1&b=x%40y`; a name without `=` gets an empty value; undecodable escapes are kept verbatim.
    init(rawQuery: String?) {
        items = []
        guard let rawQuery, !rawQuery.isEmpty else { return }
        for part in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pieces[0])
            let value = pieces.count > 1 ? Self.decode(pieces[1]) : ""
            items.append((name, value))
        }
    }

    /// The first value of `name`, or nil.
    subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// Re-encodes the pairs, without those named in `excluding`, as `a=1&b=x%40y`.
    func encoded(excluding: Set<String> = []) -> String {
        items.filter { !excluding.contains($0.name) }
            .map { Self.encode($0.name) + "=" + Self.encode($0.value) }
            .joined(separator: "&")
    }

    /// Percent-encodes everything but unreserved characters and `,` (kept readable in `opt_fields`).
    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "-._~,")
        return set
    }()

    private static func decode(_ raw: Substring) -> String {
        let spaced = raw.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// Percent-decodes one path segment (`ada%40acme.example` → `ada@acme.example`).
func decodePathSegment(_ raw: String) -> String {
    raw.removingPercentEncoding ?? raw
}
