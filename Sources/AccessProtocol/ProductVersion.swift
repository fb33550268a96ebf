/// The release version of asana-access, defined here once: `asana-accessd --version`, `asana-access --version`,
/// `ping`'s `version` and the access review's provenance all print this value. (`ping`'s `protocolVersion` and
/// `rpc.discover`'s `info.version` are the wire protocol's version, protocol.md §9, which changes separately.)
public enum ProductVersion {
    /// `MAJOR.MINOR.PATCH`, e.g. `0.1.0`.
    public static let current = "0.2.0"
}
