/// The settings `serve` runs with: every setting of the table, its value (nil: unset) and where it came from.
public struct EffectiveSettings: Sendable {
    /// One setting's effective value.
    public struct Entry: Sendable {
        public let setting: Setting
        public let value: SettingValue?
        public let source: SettingSource

        /// The value as `config check` prints it: `<redacted>` for a secret, `unset` for none.
        public var displayValue: String {
            guard let value else { return "unset" }
            return setting.secret ? "<redacted>" : value.text
        }
    }

    public let entries: [Entry]
    /// The config file read, if any (`--config`, `ASANA_ACCESSD_CONFIG`).
    public let configFile: String?

    /// The entry of `key`. - Precondition: `key` is a setting of the table.
    public func entry(_ key: String) -> Entry {
        guard let entry = entries.first(where: { $0.setting.key == key }) else { preconditionFailure("no setting \(key)") }
        return entry
    }

    /// An integer setting's value, nil when unset.
    public func integer(_ key: String) -> Int? {
        if case .integer(let number)? = entry(key).value { return number }
        return nil
    }

    /// A text setting's value, nil when unset.
    public func text(_ key: String) -> String? {
        if case .text(let text)? = entry(key).value { return text }
        return nil
    }

    /// A list setting's entries, empty when unset.
    public func list(_ key: String) -> [String] {
        if case .list(let entries)? = entry(key).value { return entries }
        return []
    }

    /// Where `key`'s value came from.
    public func source(_ key: String) -> SettingSource { entry(key).source }
}
