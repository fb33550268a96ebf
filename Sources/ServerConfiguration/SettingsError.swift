/// Settings that cannot be used, every problem found (not only the first), each naming where the value came from
/// (`--port`, `ASANA_ACCESSD_PORT`, `config file PATH, key server.port`) and what is expected.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    /// How the command exits: a bad value or key is a usage error (exit 64); a config file that cannot be read,
    /// or that others may read while it could hold a secret, is a failure (exit 1).
    public enum Kind: Sendable { case usage, file }

    public let kind: Kind
    public let problems: [String]

    public init(_ kind: Kind, _ problems: [String]) {
        self.kind = kind
        self.problems = problems
    }

    public var description: String { problems.joined(separator: "\n") }
}
