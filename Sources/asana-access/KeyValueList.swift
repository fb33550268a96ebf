/// Key/value lines with the keys padded to one width, for summaries.
struct KeyValueList {
    /// Pairs in display order.
    var pairs: [(String, String)] = []

    mutating func append(_ key: String, _ value: String) {
        pairs.append((key, value))
    }

    func render() -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { key, value in
            key + String(repeating: " ", count: width - key.count + 2) + value
        }.joined(separator: "\n")
    }
}
