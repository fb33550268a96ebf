/// A plain-text table with left-aligned columns separated by two spaces, for terminals.
struct TextTable {
    /// Column titles.
    var header: [String]
    /// Rows; a short row is padded with empty cells.
    var rows: [[String]] = []

    /// The table as lines (no trailing spaces), header first. Control characters in a cell (a name from Asana
    /// may hold ESC sequences that would recolour or hide columns, or a newline that would break a row) are
    /// shown escaped (`\u{1B}`), never sent to the terminal.
    func render() -> String {
        let all = ([header] + rows).map { $0.map(Self.visible) }
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

    /// `cell` with every control character (C0, DEL, C1) written as `\u{XX}`.
    static func visible(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return cell }
        return String(cell.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
        }.joined())
    }
}
