/// `serve --log-format`: how log lines are written to standard error.
enum LogFormat: String, CaseIterable {
    /// swift-log's stream handler: `2026-01-02T03:04:05+0000 info asana-accessd: connection=7 … rpc call` (the default).
    case text
    /// One JSON object per line (``JSONLogHandler``).
    case json
}
