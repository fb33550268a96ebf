import AccessProtocol
import Foundation

/// The workspace and team names this client has seen in answers, kept so that the shell can complete
/// `--workspace` and `--team` without asking a server: `$XDG_CACHE_HOME/asana-access/names.json` (default
/// `~/.cache/asana-access/names.json`), mode 0600, `{"workspaces": {gid: name}, "teams": {gid: name}}`. Names
/// only, never a secret; written after answers that name workspaces or teams (`sync`, `status`, `list-users`,
/// `provision`), at most 10,000 of each (the oldest entries beyond are dropped). A cache that cannot be read or
/// written is ignored: completion then offers nothing, and commands work as before.
struct NameCache: Codable, Equatable {
    var workspaces: [String: String] = [:]
    var teams: [String: String] = [:]

    /// Entries kept of each kind.
    static let maximumEntries = 10_000

    /// The cache file: under `XDG_CACHE_HOME`, else `~/.cache`.
    static var url: URL? {
        let environment = ProcessInfo.processInfo.environment
        let base: URL
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            base = URL(fileURLWithPath: cache)
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            base = URL(fileURLWithPath: home).appendingPathComponent(".cache")
        } else {
            return nil
        }
        return base.appendingPathComponent("asana-access").appendingPathComponent("names.json")
    }

    static func load() -> NameCache {
        guard let url, let data = try? Data(contentsOf: url), let cache = try? JSONDecoder().decode(NameCache.self, from: data) else {
            return NameCache()
        }
        return cache
    }

    /// Adds what an answer named and saves, best effort.
    static func record(workspaces: [(gid: String, name: String)] = [], teams: [(gid: String, name: String)] = []) {
        guard !workspaces.isEmpty || !teams.isEmpty, let url else { return }
        var cache = load()
        let before = cache
        for workspace in workspaces { cache.workspaces[workspace.gid] = workspace.name }
        for team in teams { cache.teams[team.gid] = team.name }
        guard cache != before else { return }
        if cache.workspaces.count > maximumEntries { cache.workspaces = Dictionary(uniqueKeysWithValues: cache.workspaces.sorted { $0.key < $1.key }.suffix(maximumEntries)) }
        if cache.teams.count > maximumEntries { cache.teams = Dictionary(uniqueKeysWithValues: cache.teams.sorted { $0.key < $1.key }.suffix(maximumEntries)) }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".names-\(getpid()).json")
            guard FileManager.default.createFile(atPath: temporary.path, contents: try encoder.encode(cache), attributes: [.posixPermissions: 0o600]) else { return }
            _ = rename(temporary.path, url.path)
        } catch {
            return
        }
    }

    /// Completions for a `--workspace` value starting with `prefix`: gids and names (a space in a name escaped
    /// with a backslash, as a shell word), sorted.
    static func completeWorkspace(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        complete(load().workspaces, prefix: prefix)
    }

    /// Completions for a `--team` value starting with `prefix`.
    static func completeTeam(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        complete(load().teams, prefix: prefix)
    }

    static func complete(_ names: [String: String], prefix: String) -> [String] {
        let candidates = Set(names.keys).union(names.values.map { $0.replacingOccurrences(of: " ", with: "\\ ") })
        let typed = prefix.replacingOccurrences(of: "\\ ", with: " ")
        return candidates.filter { $0.replacingOccurrences(of: "\\ ", with: " ").hasPrefix(typed) }.sorted()
    }
}
