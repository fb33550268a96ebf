import Foundation

/// The `opt_fields` selection of a request (Asana OpenAPI parameter `opt_fields`): a set of dotted field paths.
///
/// - `gid` is always returned; with no `opt_fields` a record is compact (lists) or full (single GETs).
/// - With `opt_fields`, a record carries `gid` plus the requested fields it knows, and nothing else
///   (`resource_type` only when asked). Unknown field names are ignored (chosen: Asana's strictness here is
///   not documented in the stored sources).
/// - Nested paths select inside related objects: `user.email` gives `"user": {"gid": …, "email": …}`; asking for
///   `user` as well adds the related object's compact fields. A `this.` prefix is dropped and the group operator
///   expands (`this.(user|team).name` = `user.name,team.name`, Asana/developer-docs `_input-output-options.html.md`).
struct OptFields: Sendable, Equatable {
    /// The selected paths, e.g. `["name", "user.email"]`.
    let paths: Set<String>

    init(paths: Set<String>) { self.paths = paths }

    /// Parses the comma-separated `opt_fields` value; nil when the parameter is absent.
    init?(query: String?) {
        guard let query else { return nil }
        self.init(list: Self.splitTopLevel(query))
    }

    /// From a list of paths (the JSON `options.fields` of a write).
    init(list: [String]) {
        var result = Set<String>()
        for raw in list {
            var path = raw.trimmingCharacters(in: .whitespaces)
            if path.hasPrefix("this.") { path.removeFirst(5) }
            for expanded in Self.expandGroups(path) where !expanded.isEmpty { result.insert(expanded) }
        }
        paths = result
    }

    /// Whether `field` itself was asked for.
    func contains(_ field: String) -> Bool { paths.contains(field) }

    /// The selection for a related object `field`: nil when neither `field` nor `field.*` was asked for;
    /// otherwise the nested paths, plus `compact` when `field` itself was asked for.
    func related(_ field: String, compact: [String]) -> OptFields? {
        let prefix = field + "."
        var nested = Set(paths.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        if paths.contains(field) { nested.formUnion(compact) }
        return nested.isEmpty ? nil : OptFields(paths: nested)
    }

    /// Splits on commas outside parentheses.
    private static func splitTopLevel(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in value {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth = max(0, depth - 1) }
            if ch == "," && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        return parts
    }

    /// `a.(b|c).d` → `a.b.d`, `a.c.d` (first group expanded, recursively).
    private static func expandGroups(_ path: String) -> [String] {
        guard let open = path.firstIndex(of: "("), let close = path[open...].firstIndex(of: ")") else { return [path] }
        let head = path[..<open]
        let tail = path[path.index(after: close)...]
        let options = path[path.index(after: open)..<close].split(separator: "|")
        return options.flatMap { expandGroups(String(head) + String($0) + String(tail)) }
    }
}
