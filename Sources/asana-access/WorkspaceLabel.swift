import AccessProtocol
import LineRPC

/// How a workspace `{gid, name, isOrganization}` is named in human output: `Acme Corp (1000)`.
enum WorkspaceLabel {
    static func text(_ workspace: JSONValue?) -> String {
        let gid = workspace?["gid"]?.asText ?? "?"
        guard let name = workspace?["name"]?.asText else { return gid }
        return "\(name) (\(gid))"
    }
}
