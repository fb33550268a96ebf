import ArgumentParser

/// `--action` of `provision`: the `action` param of the `provision` method.
/// `CaseIterable`, so shells complete `add` and `remove`.
enum ProvisionAction: String, ExpressibleByArgument, CaseIterable {
    /// Add the person to the workspace, then to each `--team`.
    case add
    /// Without `--team`: take the person out of the workspace (and so its teams). With `--team`:
    /// take them out of those teams only.
    case remove
}
