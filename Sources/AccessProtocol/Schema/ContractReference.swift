/// protocol.md §11, "Reference": every method's params and result as tables, generated from the schemas
/// (``SchemaReflector``) so that the document cannot drift from the types the server and the client use.
/// A test compares the section with this output; `UPDATE_PROTOCOL_REFERENCE=1 swift test --filter
/// ProtocolReferenceTests` rewrites it.
public enum ContractReference {
    /// The first and last lines of the generated section in protocol.md.
    public static let beginMarker = "<!-- BEGIN GENERATED REFERENCE: do not edit; see Sources/AccessProtocol/Schema/ContractReference.swift -->"
    public static let endMarker = "<!-- END GENERATED REFERENCE -->"

    /// The section's body (between the markers): per method, its least role, its params and its result
    /// members (nested members by path: `workspace.gid`, `users[].teams[].isAdmin`).
    public static func markdown(methods: [any AccessMethod.Type]) -> String {
        var text = ""
        for method in methods {
            text += "\n#### `\(method.name)`\n\n"
            text += "Least role: \(method.minimumRole.map { "`\($0.rawValue)`" } ?? "none (any connection)"). \(method.summary)\n\n"
            let params = rows(method.paramsSchema, path: "")
            if params.isEmpty {
                text += "No params.\n\n"
            } else {
                text += "| param | type | presence |\n|---|---|---|\n"
                text += params.map { "| `\($0.path)` | \($0.type) | \($0.required ? "required" : "optional") |\n" }.joined() + "\n"
            }
            let result = rows(method.resultSchema, path: "")
            if case .oneOf(let shapes) = method.resultSchema, shapes.allSatisfy({ $0.members != nil }) {
                let names = (method.resultType as? any SchemaShapes.Type)?.shapeNames ?? []
                for (index, shape) in shapes.enumerated() {
                    text += "\nResult \(index < names.count ? names[index] : "shape \(index + 1)"):\n\n"
                    text += "| result member | type | presence |\n|---|---|---|\n"
                    text += rows(shape, path: "").map { "| `\($0.path)` | \($0.type) | \($0.required ? "always" : "may be absent") |\n" }.joined()
                }
            } else if result.isEmpty {
                text += "Result: \(method.resultSchema.typeName == "any" ? "see the method's section" : method.resultSchema.typeName).\n"
            } else {
                text += "| result member | type | presence |\n|---|---|---|\n"
                text += result.map { "| `\($0.path)` | \($0.type) | \($0.required ? "always" : "may be absent") |\n" }.joined()
            }
        }
        return text
    }

    struct Row {
        var path: String
        var type: String
        var required: Bool
    }

    /// The members of `schema` (an object, or one of several objects) and of the objects inside them.
    static func rows(_ schema: JSONSchema, path: String) -> [Row] {
        switch schema {
        case .object(let members):
            return members.flatMap { member -> [Row] in
                let memberPath = path.isEmpty ? member.name : "\(path).\(member.name)"
                return [Row(path: memberPath, type: cell(member.schema), required: member.required)] + nested(member.schema, path: memberPath)
            }
        default:
            return []
        }
    }

    /// The rows inside a member: an object's members, an array's element's members.
    static func nested(_ schema: JSONSchema, path: String) -> [Row] {
        switch schema {
        case .object: rows(schema, path: path)
        case .nullable(let inner): nested(inner, path: path)
        case .array(let element): nested(element, path: path + "[]")
        default: []
        }
    }

    /// A type for a table cell: the schema's name, with `|` escaped.
    static func cell(_ schema: JSONSchema) -> String {
        schema.typeName.replacingOccurrences(of: "|", with: "\\|")
    }
}
