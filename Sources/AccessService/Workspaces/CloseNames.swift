/// Names close to a mistyped one, for "did you mean" in `team.not_found`: the same name in another case,
/// names that contain it or that it contains (case-insensitive), and names within a few edits (Levenshtein
/// distance at most 1 for names up to 4 characters, 2 up to 12, 3 beyond), closest first, at most five.
enum CloseNames {
    static func close<Item>(to wanted: String, among items: [Item], name: (Item) -> String) -> [Item] {
        let target = Array(wanted.lowercased())
        guard !target.isEmpty else { return [] }
        let allowed = target.count <= 4 ? 1 : target.count <= 12 ? 2 : 3
        var scored: [(distance: Int, item: Item)] = []
        for item in items {
            let candidate = name(item).lowercased()
            if candidate.contains(String(target)) || String(target).contains(candidate) && !candidate.isEmpty {
                scored.append((abs(candidate.count - target.count) == 0 ? 0 : 1, item))
                continue
            }
            let distance = editDistance(target, Array(candidate), atMost: allowed)
            if distance <= allowed { scored.append((distance, item)) }
        }
        return scored.sorted { $0.distance < $1.distance }.prefix(5).map(\.item)
    }

    /// Levenshtein distance between `a` and `b`, or `limit + 1` as soon as it must exceed `limit`.
    static func editDistance(_ a: [Character], _ b: [Character], atMost limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            var rowMinimum = current[0]
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
                rowMinimum = min(rowMinimum, current[j + 1])
            }
            if rowMinimum > limit { return limit + 1 }
            previous = current
        }
        return previous[b.count]
    }
}
