/// The settings `serve` runs with: every setting of the table, its value (nil: unset) and where it came from.
/// Read a value by its typed setting: `settings[ServerSettings.port]` is an `Int`, its default from the table.
public struct EffectiveSettings: Sendable {
    /// One setting's effective value.
    public struct Entry: Sendable {
        public let setting: SettingDefinition
        public let value: SettingValue?
        public let source: SettingSource

        /// The value as `config check` prints it: `<redacted>` for a secret, a URL's password as `***`, `unset` for none.
        public var displayValue: String {
            guard let value else { return "unset" }
            return setting.secret ? "<redacted>" : setting.display(value)
        }
    }

    public let entries: [Entry]
    /// The config file read, if any (`--config`, `ASANA_ACCESSD_CONFIG`).
    public let configFile: String?

    /// The value of `setting`, typed. - Precondition: `setting` is in the table that was loaded (``ServerSettings/all``
    ///   for `serve`); the loader checked each value's type, so a mismatch is a bug.
    public subscript<Value>(setting: Setting<Value>) -> Value {
        let entry = entry(setting)
        guard let value = Value(settingValue: entry.value) else {
            preconditionFailure("setting \(setting.key) holds \(String(describing: entry.value)), not a \(Value.self)")
        }
        return value
    }

    /// The entry of `setting`: its value, source and definition. - Precondition: as for the subscript.
    public func entry<Value>(_ setting: Setting<Value>) -> Entry {
        entry(key: setting.key)
    }

    /// Where `setting`'s value came from.
    public func source<Value>(_ setting: Setting<Value>) -> SettingSource { entry(setting).source }

    func entry(key: String) -> Entry {
        guard let entry = entries.first(where: { $0.setting.key == key }) else { preconditionFailure("no setting \(key) in the table loaded") }
        return entry
    }
}
