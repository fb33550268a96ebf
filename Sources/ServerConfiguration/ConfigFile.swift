import Configuration
import Foundation
import SystemPackage
import Yams

/// A config file (YAML; JSON is YAML too): checked before its values are used.
///
/// Refused, each with a message naming the file: a file that does not exist or cannot be read (``SettingsError/Kind/file``);
/// one that group or others may read while the table has a secret setting (`file`); one that is not YAML, whose top
/// level is not a mapping, or that has a key the table does not know (``SettingsError/Kind/usage``). Keys nest
/// (`sync: {interval: 600}`) or are written dotted (`sync.interval: 600`).
struct ConfigFile {
    let path: String
    /// Every leaf key of the file, dot-joined.
    let keys: [String]
    /// The file's values for the ConfigReader; nil for an empty file.
    let provider: FileProvider<YAMLSnapshot>?

    static func open(path: String, settings: [SettingDefinition]) async throws(SettingsError) -> ConfigFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw SettingsError(.file, ["cannot read the config file \(path): \(String(cString: strerror(errno)))"])
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SettingsError(.file, ["the config file \(path) is not a regular file"])
        }
        let secrets = settings.filter(\.secret).map(\.key)
        if !secrets.isEmpty, status.st_mode & 0o044 != 0 {
            throw SettingsError(.file, [
                "the config file \(path) may hold secrets (\(secrets.joined(separator: ", "))) but group or others may read it (mode \(String(status.st_mode & 0o777, radix: 8))): chmod 600 \(path)",
            ])
        }
        let descriptor = Foundation.open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SettingsError(.file, ["cannot read the config file \(path): \(String(cString: strerror(errno)))"])
        }
        let data = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingsError(.usage, ["the config file \(path) is not UTF-8 text"])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw SettingsError(.usage, ["the config file \(path) is not valid YAML: \(error)"])
        }
        guard let root else { return ConfigFile(path: path, keys: [], provider: nil) }
        guard let mapping = root.mapping else {
            throw SettingsError(.usage, ["the config file \(path) must be a mapping of settings (key: value), such as `sync: {interval: 86400}`"])
        }
        var keys: [String] = []
        flatten(mapping, prefix: [], into: &keys)
        let known = Set(settings.map(\.key))
        let unknown = keys.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw SettingsError(.usage, unknown.map { key in
                "the config file \(path) has an unknown key \(key)" + (suggestion(for: key, settings: settings).map { "; did you mean \($0)?" } ?? "")
                    + " (`asana-accessd config reference` lists the keys)"
            })
        }
        do {
            let secretsSpecifier: SecretsSpecifier<String, Void> = secrets.isEmpty ? .none : .specific(Set(secrets))
            let provider = try await FileProvider<YAMLSnapshot>(parsingOptions: .init(secretsSpecifier: secretsSpecifier), filePath: FilePath(path))
            return ConfigFile(path: path, keys: keys, provider: provider)
        } catch {
            throw SettingsError(.usage, ["the config file \(path) cannot be read as settings: \(error)"])
        }
    }

    private static func flatten(_ mapping: Node.Mapping, prefix: [String], into keys: inout [String]) {
        for (key, value) in mapping {
            let path = prefix + [key.string ?? "\(key)"]
            if let nested = value.mapping {
                flatten(nested, prefix: path, into: &keys)
            } else {
                keys.append(path.joined(separator: "."))
            }
        }
    }

    /// A known key a typo away (whole key, or the same last part under another section), else one with the same last part.
    private static func suggestion(for key: String, settings: [SettingDefinition]) -> String? {
        let keys = settings.map(\.key)
        if let close = Suggestion.closest(to: key, among: keys) { return close }
        let last = String(key.split(separator: ".").last ?? "")
        return settings.first { $0.key.split(separator: ".").last.map { Suggestion.closest(to: last, among: [String($0)]) != nil } ?? false }?.key
    }
}
