/// A setting's value.
public enum SettingValue: Sendable, Equatable {
    case integer(Int)
    case text(String)
    case list([String])

    /// As `config check` prints it: the number, the string, or the entries comma-separated.
    public var text: String {
        switch self {
        case .integer(let number): String(number)
        case .text(let text): text
        case .list(let entries): entries.joined(separator: ",")
        }
    }
}

/// Where an effective value came from, highest precedence first.
public enum SettingSource: Sendable, Equatable {
    /// A command-line flag (`--sync-interval`).
    case flag(String)
    /// An environment variable.
    case environment(String)
    /// The config file at this path.
    case file(String)
    /// The built-in default.
    case defaultValue

    /// `flag --port`, `env ASANA_ACCESSD_PORT`, `file /etc/asana-accessd.yaml`, `default`.
    public var text: String {
        switch self {
        case .flag(let flag): "flag --\(flag)"
        case .environment(let name): "env \(name)"
        case .file(let path): "file \(path)"
        case .defaultValue: "default"
        }
    }
}
