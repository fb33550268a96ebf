/// A plain-text table with left-aligned columns separated by two spaces, for terminals.
struct TextTable {
    /// Column titles.
    var header: [String]
    /// Rows; a short row is padded with empty cells.
    var rows: [[String]] = []

    /// The table as lines (no trailing spaces), header first.
    func render() -> String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.prefix(widths.count).enumerated() {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            var line = ""
            for index in widths.indices {
                let cell = index < row.count ? row[index] : ""
                line += cell
                if index < widths.count - 1 {
                    line += String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
