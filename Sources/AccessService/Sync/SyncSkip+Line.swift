import AccessProtocol

extension Sync.Skip {
    /// The skip as one line of a run's `error` text: `teams: <reason>` or `teamMemberships of team <gid> "<name>": <reason>`.
    var line: String {
        guard let team else { return "\(what): \(reason)" }
        return "\(what) of team \(team.gid) \"\(team.name)\": \(reason)"
    }
}
