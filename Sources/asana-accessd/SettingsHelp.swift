import ArgumentParser
import Foundation
import ServerConfiguration

/// `serve`'s settings as the commands use them: loaded from the process's environment with errors turned into the
/// exit statuses of the other commands, and listed for `--help` from the table itself.
enum SettingsHelp {
    /// Loads the settings. - Throws: `ValidationError` (exit 64) for a bad flag, variable, key or value;
    ///   `CommandFailure` (exit 1) for a config file that cannot be read or may be read by others while it could hold a secret.
    static func load(_ arguments: [String]) async throws -> EffectiveSettings {
        do {
            return try await SettingsLoader.load(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw failure(error)
        }
    }

    static func failure(_ error: SettingsError) -> any Error {
        switch error.kind {
        case .usage: ValidationError(error.description)
        case .file: CommandFailure(error.description)
        }
    }

    /// The settings for `serve --help` and its man page (the command's discussion, which `--experimental-dump-help`
    /// carries): each flag with its value, variable, key, default and unit, then its sentence. Wrapped here, each
    /// line under ``width`` columns, so the argument parser (which wraps at 80 without keeping an indent) leaves it.
    static var text: String {
        var lines = [
            "SETTINGS: each is a flag, an environment variable and a config file key.",
            "Precedence: flag > environment > config file > default.",
            "",
            "  --config <file>",
        ]
        lines += wrap("env \(ServerSettings.configEnvironment). A YAML (or JSON) config file of the keys below; `asana-accessd config check` shows the effective settings and their sources.")
        for setting in ServerSettings.all {
            lines.append("  --\(setting.flag) <\(valueName(setting))>")
            lines += wrap("env \(setting.environment), key \(setting.key), default \(defaultText(setting)). \(setting.summary)")
        }
        return lines.joined(separator: "\n")
    }

    /// Help lines stay within this many columns: with the 5 columns `man` indents a DESCRIPTION by, under 80.
    static let width = 72

    /// `<seconds>`, `<required|optional>`, `<url>`, `<name=role>`, `<number>` or `<value>`.
    static func valueName(_ setting: SettingDefinition) -> String {
        switch (setting.kind, setting.rule) {
        case (.integer, _): setting.unit ?? "number"
        case (_, .oneOf(let words)): words.joined(separator: "|")
        case (_, .httpURL), (_, .postgresURL): "url"
        case (_, .principalRoles): "name=role"
        default: "value"
        }
    }

    /// The default with its unit (`86400 seconds`, `16`, `unset: kept forever`).
    static func defaultText(_ setting: SettingDefinition) -> String {
        guard setting.defaultValue != nil, setting.defaultDescription == nil, let unit = setting.unit, unit != "count" else { return setting.defaultText }
        return "\(setting.defaultText) \(unit)"
    }

    /// `text` in lines of at most ``width`` columns, each indented by six spaces.
    static func wrap(_ text: String) -> [String] {
        let indent = "      "
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, indent.count + line.count + 1 + word.count > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }
}
