/// The state of a sync run.
public enum SyncRunStatus: String, WireEnum {
    /// Started, not finished (or the server stopped during it; a server that stops during a sync records it `failed` when it starts again).
    case running
    /// Read everything and applied the snapshot.
    case succeeded
    /// Stopped part-way; the last good snapshot was kept.
    case partial
    /// Nothing applied.
    case failed
}
