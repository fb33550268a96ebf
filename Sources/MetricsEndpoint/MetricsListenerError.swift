/// Why the operator's HTTP listener could not start.
public enum MetricsListenerError: Error, Sendable, CustomStringConvertible {
    /// The address could not be bound (in use, not local, no permission); `reason` is the system's.
    case bindFailed(address: String, reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let address, let reason):
            "cannot listen for metrics on \(address): \(reason) (choose another --metrics-address, or leave it out to serve no metrics)"
        }
    }
}
