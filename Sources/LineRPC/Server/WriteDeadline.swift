import NIOCore

/// The write timeout of one connection, kept with a single timer: every write handed to the channel
/// must complete (its bytes taken by the socket) within `timeout`, or the connection is closed.
///
/// Writes complete in the order they were made, so only the oldest one not yet completed matters:
/// the timer is armed for it when a write starts while none is armed, and when it fires it either
/// closes the connection (that write is overdue), or is re-armed for the oldest write still pending,
/// or, with none pending, is left off. A busy connection thus schedules about one timer per
/// `timeout`, not one per answer.
struct WriteDeadline {
    /// What to do when the timer fires.
    enum Expiry: Equatable {
        /// The oldest pending write is overdue: close the connection.
        case close
        /// Arm the timer again for this deadline.
        case rearm(NIODeadline)
        /// Nothing is pending: leave the timer off.
        case idle
    }

    let timeout: TimeAmount
    /// When each pending write started, oldest first. Small at first: an idle connection has none.
    private var started = CircularBuffer<NIODeadline>(initialCapacity: 2)
    /// The timer is scheduled.
    private(set) var isArmed = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// Writes handed to the channel and not completed yet.
    var pending: Int { started.count }

    /// A write started at `now`. Returns the deadline to arm the timer for, when it is not armed.
    mutating func writeStarted(at now: NIODeadline) -> NIODeadline? {
        started.append(now)
        guard !isArmed else { return nil }
        isArmed = true
        return now + timeout
    }

    /// The oldest pending write completed (or failed).
    mutating func writeCompleted() {
        _ = started.popFirst()
    }

    /// The timer fired at `now`.
    mutating func fired(at now: NIODeadline) -> Expiry {
        isArmed = false
        guard let oldest = started.first else { return .idle }
        if now - oldest >= timeout { return .close }
        isArmed = true
        return .rearm(oldest + timeout)
    }
}
