import ArgumentParser

/// Rewrites the command line before ArgumentParser reads it, for two habits it would refuse:
/// connection options given before the subcommand (`asana-access --port 17443 ping`, the order of the
/// Python client) are moved after it; a mistyped subcommand (`list-user`) is refused naming the
/// closest one.
enum ArgumentOrder {
    /// Connection options that take a value (``ConnectionOptions``).
    static let valueOptions: Set<String> = ["--host", "--port", "--ca", "--cert", "--key", "--server-name", "--token-file"]
    /// Connection options that take none.
    static let flagOptions: Set<String> = ["--json"]

    /// `arguments` (without the program name) with leading connection options moved to the end.
    /// - Throws: `ValidationError` naming the closest subcommand when the first word is not one.
    static func normalized(_ arguments: [String], subcommands: [String]) throws -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if valueOptions.contains(name) {
                let takesNext = !argument.contains("=")
                leading += arguments[index..<min(arguments.count, index + (takesNext ? 2 : 1))]
                index += takesNext ? 2 : 1
            } else if flagOptions.contains(argument) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        let rest = Array(arguments[index...])
        if let first = rest.first, !first.hasPrefix("-"), first != "help", !subcommands.contains(first) {
            let closest = subcommands.min { distance(first, $0) < distance(first, $1) }
            if let closest, distance(first, closest) <= 2 {
                throw ValidationError("Unknown subcommand '\(first)'. Did you mean '\(closest)'?")
            }
            throw ValidationError("Unknown subcommand '\(first)'. Subcommands: \(subcommands.joined(separator: ", ")).")
        }
        guard !leading.isEmpty, !rest.isEmpty else { return arguments }
        // At the end (before a `--`), where every subcommand, nested ones included, reads them.
        if let separator = rest.firstIndex(of: "--") {
            return Array(rest[..<separator]) + leading + Array(rest[separator...])
        }
        return rest + leading
    }

    /// Levenshtein distance: the edits that turn `a` into `b`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
