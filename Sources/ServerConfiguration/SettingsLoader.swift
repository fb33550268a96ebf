import Configuration
import Foundation
import Synchronization

/// Reads the settings through one swift-configuration `ConfigReader` whose providers are, in precedence order:
/// the command-line flags, the environment (`ASANA_ACCESSD_*`, each setting's own name), the config file
/// (`--config FILE`, else `ASANA_ACCESSD_CONFIG`), the table's defaults. An access reporter records which
/// provider answered each key, so every value carries its source.
public enum SettingsLoader {
    /// - Parameters:
    ///   - arguments: `serve`'s arguments after the subcommand (`--port 0 --config /etc/asana-accessd.yaml`).
    ///   - environment: the process environment.
    ///   - settings: the table (``ServerSettings/all``; tests pass their own).
    /// - Throws: ``SettingsError`` with every problem found: an unknown flag or key, a value of the wrong type or out
    ///   of range (`.usage`), a config file that cannot be read or is readable by others while it could hold a secret (`.file`).
    public static func load(arguments: [String], environment: [String: String], settings: [SettingDefinition] = ServerSettings.all) async throws(SettingsError) -> EffectiveSettings {
        let flags = CommandLineSettings(arguments, settings: settings)
        guard flags.problems.isEmpty else { throw SettingsError(.usage, flags.problems) }
        let filePath = flags.configFile ?? environment[ServerSettings.configEnvironment].flatMap { $0.isEmpty ? nil : $0 }
        let file: ConfigFile? = if let filePath { try await ConfigFile.open(path: filePath, settings: settings) } else { nil }

        // The providers and, in the same order, the source each stands for.
        var providers: [any ConfigProvider] = []
        var layers: [(SettingDefinition) -> SettingSource] = []
        providers.append(InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: settings.compactMap { setting in
            flags.values[setting.key].map { (absoluteKey(setting.key), ConfigValue($0.content, isSecret: setting.secret)) }
        })))
        layers.append { .flag($0.flag) }
        let names = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0.environment) })
        let ours = environment.filter { name, value in !value.isEmpty && settings.contains { $0.environment == name } }
        providers.append(KeyMappingProvider(
            upstream: EnvironmentVariablesProvider(environmentVariables: ours, secretsSpecifier: .specific(Set(settings.filter(\.secret).map(\.environment)))),
            keyMapper: { key in AbsoluteConfigKey([names[key.components.joined(separator: ".")] ?? "ASANA_ACCESSD_UNKNOWN"]) }))
        layers.append { .environment($0.environment) }
        if let provider = file?.provider {
            providers.append(provider)
            layers.append { _ in .file(filePath ?? "") }
        }
        providers.append(InMemoryProvider(name: "defaults", values: Dictionary(uniqueKeysWithValues: settings.compactMap { setting in
            setting.defaultValue.map { (absoluteKey(setting.key), ConfigValue($0.content, isSecret: setting.secret)) }
        })))
        layers.append { _ in .defaultValue }

        let recorder = AccessRecorder()
        let reader = ConfigReader(providers: providers, accessReporter: recorder)
        var entries: [EffectiveSettings.Entry] = []
        var problems: [String] = []
        for setting in settings {
            let key = ConfigKey(setting.key)
            var value: SettingValue?
            var failed = false
            do {
                switch setting.kind {
                case .integer: value = try await reader.fetchInt(forKey: key, isSecret: setting.secret).map(SettingValue.integer)
                case .text: value = try await reader.fetchString(forKey: key, isSecret: setting.secret).map(SettingValue.text)
                case .list: value = try await reader.fetchStringArray(forKey: key, isSecret: setting.secret).map(SettingValue.list)
                }
            } catch {
                failed = true
            }
            let results = recorder.results(for: setting.key)
            // The provider that answered: the one that failed, else the first with a value.
            let answered = failed ? results.count - 1 : results.firstIndex { if case .success(let found) = $0.result { found.value != nil } else { false } }
            let source = answered.flatMap { layers.indices.contains($0) ? layers[$0](setting) : nil } ?? .defaultValue
            if failed {
                // A flag's place shows its value; a variable's is shown here (unless secret), so the operator sees what was read.
                var shown = place(of: setting, in: source)
                if case .environment(let name) = source, !setting.secret, let raw = environment[name] { shown += "=\(raw)" }
                problems.append("\(shown): expected \(setting.expectation)")
                continue
            }
            if let value, let violation = setting.violation(of: value) {
                problems.append("\(place(of: setting, in: source)): \(setting.secret ? "the value" : violation); expected \(setting.expectation)")
            }
            entries.append(.init(setting: setting, value: value, source: value == nil ? .defaultValue : source))
        }
        guard problems.isEmpty else { throw SettingsError(.usage, problems) }
        let effective = EffectiveSettings(entries: entries, configFile: filePath)
        if let problem = ServerSettings.crossCheck(effective) { throw SettingsError(.usage, [problem]) }
        return effective
    }

    /// Where a value was given, for messages: `--port`, `ASANA_ACCESSD_PORT`, `the config file F, key server.port`.
    public static func place(of setting: SettingDefinition, in source: SettingSource) -> String {
        switch source {
        case .flag(let flag): "--\(flag)"
        case .environment(let name): name
        case .file(let path): "the config file \(path), key \(setting.key)"
        case .defaultValue: "the default of \(setting.key)"
        }
    }

    static func absoluteKey(_ key: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(key.split(separator: ".").map(String.init))
    }
}

extension SettingValue {
    var content: ConfigContent {
        switch self {
        case .integer(let number): .int(number)
        case .text(let text): .string(text)
        case .list(let entries): .stringArray(entries)
        }
    }
}

/// Keeps, for each key read, what each provider answered (the `ConfigReader` reports every access).
final class AccessRecorder: AccessReporter {
    private let events = Mutex<[String: [AccessEvent.ProviderResult]]>([:])

    func report(_ event: AccessEvent) {
        events.withLock { $0[event.metadata.key.components.joined(separator: ".")] = event.providerResults }
    }

    func results(for key: String) -> [AccessEvent.ProviderResult] {
        events.withLock { $0[key] ?? [] }
    }
}
