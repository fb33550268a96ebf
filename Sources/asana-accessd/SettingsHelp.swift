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

    /// The settings for `serve --help`: flag, variable, key, default and unit, then the sentence.
    static var text: String {
        var lines = [
            "SETTINGS: each is a flag, an environment variable and a config file key. Precedence: flag > environment > config file > default.",
            "  --config <file>  (env \(ServerSettings.configEnvironment)) a YAML (or JSON) config file of the keys below; `asana-accessd config check` shows the effective settings and their sources.",
        ]
        for setting in ServerSettings.all {
            let unit = setting.unit.map { " \($0)" } ?? ""
            lines.append("  --\(setting.flag) <\(setting.kind == .integer ? (setting.unit ?? "number") : "value")>  (env \(setting.environment); key \(setting.key); default \(setting.defaultText)\(setting.defaultValue != nil && setting.kind == .integer ? unit : ""))")
            lines.append("        \(setting.summary)")
        }
        return lines.joined(separator: "\n")
    }
}
