/// A typed setting of `asana-accessd serve`: a static member of ``ServerSettings`` (``ServerSettings/port`` is a
/// `Setting<Int>`), read as `settings[ServerSettings.port]` from ``EffectiveSettings``, a value of `Value` with no
/// second default at the reader: the default lives only here. A non-optional `Value` must be given a default; an
/// optional one (`Setting<Int?>`) may default to nil (unset).
public struct Setting<Value: SettingValueConvertible>: Sendable {
    /// The untyped row: key, variable, flag, default, unit, rule, secret, summary (what the loader, help and tables read).
    public let definition: SettingDefinition
    /// The value when no flag, variable or file gives one (nil: unset, for an optional `Value`).
    public let defaultValue: Value

    /// - Parameters:
    ///   - key: the key in a config file, dot-separated (`sync.interval`).
    ///   - env: the environment variable (`ASANA_ACCESSD_SYNC_INTERVAL`).
    ///   - flag: the flag without its dashes (`sync-interval`).
    ///   - defaultValue: the value when nothing gives one (nil for an optional `Value`: unset).
    ///   - defaultDescription: how the default reads in help when it is not a plain value (`master.key in data.directory`).
    ///   - unit: the unit of a number (`seconds`, `days`, `bytes`, `count`).
    ///   - rule: what a valid value is; nil: `Value`'s own (the cases of an enum, else any).
    ///   - secret: whether the value is never printed.
    ///   - summary: one sentence for help and the README.
    public init(_ key: String, env: String, flag: String, default defaultValue: Value, defaultDescription: String? = nil,
                unit: String? = nil, rule: SettingDefinition.Rule? = nil, secret: Bool = false, _ summary: String) {
        self.defaultValue = defaultValue
        definition = SettingDefinition(key, env: env, flag: flag, Value.settingKind, default: defaultValue.settingValue,
                                       defaultDescription: defaultDescription, unit: unit, rule: rule ?? Value.settingRule, secret: secret, summary)
    }

    /// The key in a config file (`sync.interval`).
    public var key: String { definition.key }
    /// The environment variable (`ASANA_ACCESSD_SYNC_INTERVAL`).
    public var environment: String { definition.environment }
    /// The flag without its dashes (`sync-interval`).
    public var flag: String { definition.flag }
}

/// A type a setting's value can have: `Int`, `String`, `[String]`, a `String` enum (``SettingWord``), or an
/// optional of one (unset when nothing gives it a value).
public protocol SettingValueConvertible: Sendable {
    /// How the value is written in flags, variables and files.
    static var settingKind: SettingDefinition.Kind { get }
    /// The values allowed when the setting names no rule of its own.
    static var settingRule: SettingDefinition.Rule { get }
    /// The value as the loader holds it; nil: unset.
    var settingValue: SettingValue? { get }
    /// The typed value of a loaded one (nil: unset); nil when `value` is not of this type.
    init?(settingValue value: SettingValue?)
}

extension SettingValueConvertible {
    public static var settingRule: SettingDefinition.Rule { .any }
}

extension Int: SettingValueConvertible {
    public static var settingKind: SettingDefinition.Kind { .integer }
    public var settingValue: SettingValue? { .integer(self) }
    public init?(settingValue value: SettingValue?) {
        guard case .integer(let number)? = value else { return nil }
        self = number
    }
}

extension String: SettingValueConvertible {
    public static var settingKind: SettingDefinition.Kind { .text }
    public var settingValue: SettingValue? { .text(self) }
    public init?(settingValue value: SettingValue?) {
        guard case .text(let text)? = value else { return nil }
        self = text
    }
}

extension Array: SettingValueConvertible where Element == String {
    public static var settingKind: SettingDefinition.Kind { .list }
    public var settingValue: SettingValue? { .list(self) }
    public init?(settingValue value: SettingValue?) {
        guard case .list(let entries)? = value else { return nil }
        self = entries
    }
}

extension Optional: SettingValueConvertible where Wrapped: SettingValueConvertible {
    public static var settingKind: SettingDefinition.Kind { Wrapped.settingKind }
    public static var settingRule: SettingDefinition.Rule { Wrapped.settingRule }
    public var settingValue: SettingValue? { self?.settingValue }
    public init?(settingValue value: SettingValue?) {
        guard let value else {
            self = .none
            return
        }
        guard let wrapped = Wrapped(settingValue: value) else { return nil }
        self = .some(wrapped)
    }
}

/// A setting whose value is one of a few words: its cases are the rule (`.oneOf`), so the enum and the check cannot differ.
public protocol SettingWord: SettingValueConvertible, CaseIterable, RawRepresentable where RawValue == String {}

extension SettingWord {
    public static var settingKind: SettingDefinition.Kind { .text }
    public static var settingRule: SettingDefinition.Rule { .oneOf(allCases.map(\.rawValue)) }
    public var settingValue: SettingValue? { .text(rawValue) }
    public init?(settingValue value: SettingValue?) {
        guard case .text(let text)? = value else { return nil }
        self.init(rawValue: text)
    }
}
