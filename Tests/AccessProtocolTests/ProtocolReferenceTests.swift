import AccessProtocol
import Foundation
import Testing

/// protocol.md and the protocol's types agree: §11 is generated from the schemas, and the params tables
/// of §4–§5 name exactly each method's params.
@Suite("protocol.md follows the schemas")
struct ProtocolReferenceTests {
    static let protocolURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("protocol.md")

    @Test("§11 is the reference generated from the schemas (UPDATE_PROTOCOL_REFERENCE=1 rewrites it)")
    func generatedReference() throws {
        let text = try String(contentsOf: Self.protocolURL, encoding: .utf8)
        let begin = try #require(text.range(of: ContractReference.beginMarker), "protocol.md has no generated reference section")
        let end = try #require(text.range(of: ContractReference.endMarker))
        let generated = ContractReference.markdown(methods: allAccessMethods)
        let current = String(text[begin.upperBound..<end.lowerBound])
        if current != generated, ProcessInfo.processInfo.environment["UPDATE_PROTOCOL_REFERENCE"] == "1" {
            try (String(text[..<begin.upperBound]) + generated + String(text[end.lowerBound...])).write(to: Self.protocolURL, atomically: true, encoding: .utf8)
            return
        }
        #expect(current == generated, "protocol.md §11 differs from the schemas: run UPDATE_PROTOCOL_REFERENCE=1 swift test --filter ProtocolReferenceTests")
    }

    @Test("each method's params table in §4–§5 lists exactly its params, with the schema's types", arguments: allAccessMethods.map(MethodCase.init))
    func paramsTables(method: MethodCase) throws {
        let text = try String(contentsOf: Self.protocolURL, encoding: .utf8)
        let handWritten = text.components(separatedBy: ContractReference.beginMarker)[0]
        let expected = Dictionary(uniqueKeysWithValues: (method.type.paramsSchema.members ?? []).map { ($0.name, $0) })
        guard let table = Self.paramsTable(of: method.type.name, in: handWritten) else {
            #expect(expected.isEmpty, "protocol.md has no params table for \(method.type.name), which takes \(expected.keys.sorted())")
            return
        }
        #expect(Set(table.map(\.name)) == Set(expected.keys), "params of \(method.type.name) in protocol.md")
        for row in table {
            guard let member = expected[row.name] else { continue }
            #expect(Self.sameType(row.type, member.schema), "\(method.type.name).\(row.name): protocol.md says \(row.type), the schema \(member.schema.typeName)")
        }
    }

    /// The rows `| `name` | type | …` of the first `| param |` table after the heading ``### `method` `` (or `####`),
    /// before the next heading.
    static func paramsTable(of method: String, in text: String) -> [(name: String, type: String)]? {
        let lines = text.components(separatedBy: "\n")
        guard let heading = lines.firstIndex(where: { $0 == "### `\(method)`" || $0 == "#### `\(method)`" }) else {
            Issue.record("protocol.md has no heading `### \\`\(method)\\`` (or ####)")
            return nil
        }
        var index = heading + 1
        while index < lines.count, !lines[index].hasPrefix("#") {
            if lines[index].hasPrefix("| param |") {
                var rows: [(String, String)] = []
                index += 2
                while index < lines.count, lines[index].hasPrefix("|") {
                    let cells = lines[index].split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                    rows.append((cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[2]))
                    index += 1
                }
                return rows
            }
            index += 1
        }
        return nil
    }

    /// Whether protocol.md's type text names the schema's type: `string`, `integer`, `boolean`, `array of strings`,
    /// `"a" or "b"`, `string or integer`.
    static func sameType(_ text: String, _ schema: JSONSchema) -> Bool {
        let normalized = text.replacingOccurrences(of: "strings", with: "string").replacingOccurrences(of: "`", with: "")
        switch schema {
        case .enumeration(let values):
            return Set(normalized.components(separatedBy: " or ")) == Set(values.map { "\"\($0)\"" })
        case .dateTime: return normalized == "string" || normalized == "date-time"
        case .oneOf([.dateTime, .date, .integer]): return normalized == "string or integer"
        case .array(of: .object), .array(of: .nullable), .array(of: .enumeration): return normalized.hasPrefix("array of")
        default: return normalized == schema.typeName
        }
    }
}
