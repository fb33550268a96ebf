import Foundation

/// Who or what saw a change, recorded with it in history.
public enum ChangeProvenance: Sendable, Equatable {
    /// A sync run (its id; nil only for snapshots applied outside a run, e.g. by tests).
    case sync(runId: Int64?)
    /// A provision done through this server: its principal and call id (the `callId` of its
    /// `provision.intent` and `provision.outcome` audit events).
    case provision(principal: String, callId: String)
}
