import ArgumentParser
import Foundation
import ServerConfiguration

/// `asana-accessd config`: the effective settings of `serve` and the table of settings.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the settings serve would run with, and the table of settings.",
        subcommands: [Check.self, Reference.self])

    /// `config check`: every setting's effective value and its source, secrets redacted; exit 0 when valid.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every effective setting of serve, its value and its source (flag, env NAME, file PATH or default); secrets redacted.",
            discussion: "Takes serve's flags (--config FILE and any setting) and reads the same environment. Exits 0 when valid; 64 for a bad flag, variable, key or value; 1 for a config file that cannot be read or may be read by others while it could hold a secret. No setting is secret today: the master key is a file path (data.masterKey), not the key.")

        @Flag(help: "One JSON object: {valid, configFile, settings: [{key, value, source, flag, environment, secret}]} or {valid: false, errors: [...]}.")
        var json = false

        @Argument(parsing: .allUnrecognized, help: .hidden)
        var settingArguments: [String] = []

        func run() async throws {
            let settings: EffectiveSettings
            do {
                settings = try await SettingsLoader.load(arguments: settingArguments, environment: ProcessInfo.processInfo.environment)
            } catch {
                if json {
                    print(Self.render(["valid": false, "errors": error.problems]))
                    throw ExitCode(error.kind == .usage ? 64 : 1)
                }
                throw SettingsHelp.failure(error)
            }
            // What serve checks beyond the table (the metrics address: its form, and not the RPC port; the database
            // URL: its parameters).
            do {
                _ = try ServeCommand.metricsAddress(settings)
                _ = try ServeCommand.databaseLocation(settings)
            } catch let error as ValidationError {
                guard json else { throw error }
                print(Self.render(["valid": false, "errors": [error.message]]))
                throw ExitCode(64)
            }
            if json {
                let rows: [[String: Any]] = settings.entries.map { entry in
                    var row: [String: Any] = [
                        "key": entry.setting.key, "source": entry.source.text, "flag": "--\(entry.setting.flag)",
                        "environment": entry.setting.environment, "secret": entry.setting.secret,
                    ]
                    switch entry.value {
                    case nil: row["value"] = NSNull()
                    case _ where entry.setting.secret: row["value"] = "<redacted>"
                    case .integer(let number)?: row["value"] = number
                    case .text?: row["value"] = entry.displayValue  // a database URL's password as ***
                    case .list(let entries)?: row["value"] = entries
                    }
                    return row
                }
                print(Self.render(["valid": true, "configFile": settings.configFile.map { $0 as Any } ?? NSNull(), "settings": rows]))
                return
            }
            print("config file: \(settings.configFile ?? "none (--config FILE or \(ServerSettings.configEnvironment))")")
            let keyWidth = settings.entries.map(\.setting.key.count).max() ?? 0
            let valueWidth = min(48, settings.entries.map(\.displayValue.count).max() ?? 0)
            for entry in settings.entries {
                let key = entry.setting.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
                let value = entry.displayValue.count >= valueWidth ? entry.displayValue : entry.displayValue.padding(toLength: valueWidth, withPad: " ", startingAt: 0)
                print("\(key)  \(value)  \(entry.source.text)")
            }
        }

        static func render(_ object: [String: Any]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// `config reference`: the table of settings as Markdown, as the README shows it.
    struct Reference: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the table of settings (key, flag, environment variable, default, unit, meaning) as Markdown.")

        func run() {
            print(ServerSettings.markdownTable)
        }
    }
}
