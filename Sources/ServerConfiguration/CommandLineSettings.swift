/// The settings given as flags on the command line: `--flag VALUE` or `--flag=VALUE`, a list flag repeated.
/// `--config FILE` names the config file. Flag values are typed here; their rules are checked with the others.
struct CommandLineSettings {
    var values: [String: SettingValue] = [:]
    var configFile: String?
    var problems: [String] = []

    init(_ arguments: [String], settings: [SettingDefinition]) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                problems.append("unexpected argument \(argument): serve takes only --flag VALUE options (see `asana-accessd serve --help`)")
                continue
            }
            let body = argument.dropFirst(2)
            let name: String
            var inline: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inline = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            let setting = settings.first(where: { $0.flag == name })
            guard setting != nil || name == ServerSettings.configFlag else {
                problems.append("unknown option --\(name)" + (Self.suggestion(for: name, settings: settings).map { "; did you mean --\($0)?" } ?? ""))
                continue
            }
            let text: String
            if let inline {
                text = inline
            } else if index < arguments.count {
                text = arguments[index]
                index += 1
            } else {
                problems.append("--\(name) needs a value: " + (setting?.expectation ?? "a config file path"))
                continue
            }
            guard let setting else {
                configFile = text
                continue
            }
            switch setting.kind {
            case .integer:
                guard let number = Int(text) else {
                    problems.append("--\(name) \(text): expected \(setting.expectation)")
                    continue
                }
                values[setting.key] = .integer(number)
            case .text:
                values[setting.key] = .text(text)
            case .list:
                if case .list(let earlier)? = values[setting.key] {
                    values[setting.key] = .list(earlier + [text])
                } else {
                    values[setting.key] = .list([text])
                }
            }
        }
    }

    /// A flag a typo away from `name`, else one that shares a word with it, for "did you mean".
    static func suggestion(for name: String, settings: [SettingDefinition]) -> String? {
        if let close = Suggestion.closest(to: name, among: settings.map(\.flag)) { return close }
        let words = Set(name.split(separator: "-"))
        return settings.map(\.flag).first { !words.isDisjoint(with: $0.split(separator: "-")) }
    }
}
