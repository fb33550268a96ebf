import Metrics

/// Counts and times JSON-RPC calls by method and outcome (``ServerMetrics/rpcCalls``,
/// ``ServerMetrics/rpcCallDuration``).
///
/// The handles of every known method's successful call are made once, when the server starts, so a
/// call's recording is a dictionary read and two atomic adds, no lock and no allocation (the `ping`
/// path is a few µs). Errors, rarer, make or find their counter in the backend's registry.
/// Make it after `MetricsSystem.bootstrap` (handles made before record nowhere).
public final class RPCCallMetrics: Sendable {
    /// The `method` label of a name that is not in the method table.
    public static let unknownMethod = "unknown"
    /// The `outcome` label of a call that returned a result.
    public static let okOutcome = "ok"

    private struct MethodHandles: Sendable {
        let label: String
        let ok: Counter
        let duration: Timer
    }

    private let handles: [String: MethodHandles]
    private let unknown: MethodHandles

    /// - Parameter methodNames: the method table's names; any other name is recorded as `unknown`.
    public init(methodNames: [String]) {
        func make(_ label: String) -> MethodHandles {
            MethodHandles(label: label,
                          ok: Counter(label: ServerMetrics.rpcCalls.name, dimensions: [("method", label), ("outcome", Self.okOutcome)]),
                          duration: Timer(label: ServerMetrics.rpcCallDuration.name, dimensions: [("method", label)]))
        }
        handles = Dictionary(uniqueKeysWithValues: methodNames.map { ($0, make($0)) })
        unknown = make(Self.unknownMethod)
    }

    /// The `method` label for `name`: itself when the table has it, else `unknown`.
    public func methodLabel(_ name: String) -> String { (handles[name] ?? unknown).label }

    /// Records one answered call.
    /// - Parameters:
    ///   - method: the method name as called (unknown names become `unknown`).
    ///   - errorName: nil for a result; else the error's name (`auth.forbidden`) or, without one, its code.
    ///   - duration: from dispatch to answer.
    public func record(method: String, errorName: String?, duration: Duration) {
        let entry = handles[method] ?? unknown
        if let errorName {
            Counter(label: ServerMetrics.rpcCalls.name, dimensions: [("method", entry.label), ("outcome", errorName)]).increment()
        } else {
            entry.ok.increment()
        }
        entry.duration.record(duration: duration)
    }
}
