import ArgumentParser

/// `--active` / `--inactive` of `list-users`: the `active` filter of `listUsers`.
enum ActivityFilter: String, EnumerableFlag {
    case active, inactive

    static func help(for value: ActivityFilter) -> ArgumentHelp? {
        switch value {
        case .active: "Only people whose workspace membership is active."
        case .inactive: "Only people whose workspace membership is inactive (unknown matches neither)."
        }
    }
}
