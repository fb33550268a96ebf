import AccessProtocol
import LineRPC

/// How a workspace or team is named in human output: `Acme Corp (1000)`, or the gid alone when the name is unknown.
enum WorkspaceLabel {
    static func text(gid: String, name: String?) -> String {
        name.map { "\($0) (\(gid))" } ?? gid
    }

    /// The same for `{gid, name}` as JSON.
    static func text(_ workspace: JSONValue?) -> String {
        text(gid: workspace?["gid"]?.asText ?? "?", name: workspace?["name"]?.asText)
    }
}
