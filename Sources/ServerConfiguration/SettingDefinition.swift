import AccessProtocol
import Foundation

/// One row of the table of `asana-accessd serve`'s settings, untyped (the typed handle is ``Setting``): its key in a config file, its environment variable,
/// its command-line flag, its default, unit, rule and whether it is secret. `serve`, `config check`,
/// `serve --help` and the README's table (`config reference`) all read this definition.
public struct SettingDefinition: Sendable {
    /// The shape of a setting's value.
    public enum Kind: Sendable {
        /// A whole number (YAML integer; a decimal string in a flag or the environment).
        case integer
        /// A string.
        case text
        /// A list of strings: a YAML sequence, a repeated flag, or a comma-separated environment variable.
        case list
    }

    /// What a valid value is.
    public enum Rule: Sendable, Equatable {
        case any
        /// A whole number in this range.
        case range(ClosedRange<Int>)
        /// One of these words.
        case oneOf([String])
        /// An absolute http or https URL with a host.
        case httpURL
        /// Each entry `NAME=reader|operator|admin`.
        case principalRoles
        /// A `postgres://` or `postgresql://` URL (libpq's form); shown with its password as `***`.
        case postgresURL
    }

    /// The key in a config file, dot-separated (`sync.interval`: `sync: {interval: …}` in YAML).
    public let key: String
    /// The environment variable (`ASANA_ACCESSD_…`).
    public let environment: String
    /// The command-line flag, without its dashes (`sync-interval`).
    public let flag: String
    public let kind: Kind
    /// The value when no flag, variable or file gives one; nil: unset (see ``defaultDescription``).
    public let defaultValue: SettingValue?
    /// How the default reads in help and tables when it is not a plain value (`<data-dir>/master.key`).
    public let defaultDescription: String?
    /// The unit of an integer (`seconds`, `days`, `bytes`, `count`), nil for none.
    public let unit: String?
    public let rule: Rule
    /// A secret's value is never printed (`config check` shows `<redacted>`), and a config file holding one
    /// must not be readable by group or others.
    public let secret: Bool
    /// One sentence for help and the README.
    public let summary: String

    public init(_ key: String, env: String, flag: String, _ kind: Kind, default defaultValue: SettingValue?, defaultDescription: String? = nil,
         unit: String? = nil, rule: Rule = .any, secret: Bool = false, _ summary: String) {
        self.key = key
        self.environment = env
        self.flag = flag
        self.kind = kind
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription
        self.unit = unit
        self.rule = rule
        self.secret = secret
        self.summary = summary
    }

    /// The default as help and the README show it.
    public var defaultText: String {
        if let defaultDescription { return defaultDescription }
        guard let defaultValue else { return "unset" }
        return defaultValue.text
    }

    /// What a value must be, for error messages: "a whole number of seconds between 1 and 300".
    public var expectation: String {
        switch (kind, rule) {
        case (.integer, .range(let range)):
            let what = "a whole number" + (unit.map { " of \($0)" } ?? "")
            if range.upperBound == Int.max { return "\(what), at least \(range.lowerBound)" }
            return "\(what) between \(range.lowerBound) and \(range.upperBound)"
        case (.integer, _): return "a whole number" + (unit.map { " of \($0)" } ?? "")
        case (_, .oneOf(let words)): return "one of " + words.joined(separator: ", ")
        case (_, .httpURL): return "an http(s) URL such as https://app.asana.com/api/1.0"
        case (_, .principalRoles): return "a list of NAME=reader|operator|admin"
        case (_, .postgresURL): return "a URL such as postgres://USER@HOST:5432/DATABASE?sslmode=verify-full"
        case (.list, _): return "a list of strings"
        case (.text, _): return "a string"
        }
    }

    /// Checks a value's rule. - Returns: nil when valid, else what is wrong with it.
    public func violation(of value: SettingValue) -> String? {
        switch (rule, value) {
        case (.range(let range), .integer(let number)):
            return range.contains(number) ? nil : "\(number) is out of range"
        case (.oneOf(let words), .text(let word)):
            return words.contains(word) ? nil : "\(word) is not allowed"
        case (.httpURL, .text(let text)):
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                return "\(text) is not an http(s) URL"
            }
            return nil
        case (.postgresURL, .text(let text)):
            guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme?.lowercased() ?? ""),
                  !(url.host ?? "").isEmpty, !(url.user ?? "").isEmpty, url.path.count > 1 else {
                return "\(Self.redactingPassword(text)) is not a postgres://USER@HOST/DATABASE URL"
            }
            return nil
        case (.principalRoles, .list(let entries)):
            for entry in entries where Self.principalRole(entry) == nil {
                return "\(entry) is not NAME=reader|operator|admin"
            }
            return nil
        default:
            return nil
        }
    }

    /// `NAME=ROLE` split, or nil when the entry is not one.
    public static func principalRole(_ entry: String) -> (name: String, role: AccessRole)? {
        let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, let role = AccessRole(rawValue: parts[1]) else { return nil }
        return (parts[0], role)
    }

    /// How a value is shown (`config check`, errors): a URL's password as `***`.
    public func display(_ value: SettingValue) -> String {
        guard case .text(let text) = value, rule == .postgresURL else { return value.text }
        return Self.redactingPassword(text)
    }

    /// `text` with the password of a URL's user information (`user:password@`) replaced by `***`.
    public static func redactingPassword(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<rest.index(after: colon)]) + "***" + String(text[at...])
    }
}
