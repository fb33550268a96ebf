import NIOCore

/// Closes a connection on which nothing happened for `timeout`: nothing read and, when `activity` is
/// ``Activity/readsAndWrites`` (the server), nothing written either. A connection whose server-side
/// `session` still has a request being answered is left open (a long call is not idleness) and looked
/// at again one timeout later. The client's read timeout uses it with ``Activity/reads`` and no session.
///
/// Why not NIO's `IdleStateHandler`: it makes a promise and a callback for every write to see it
/// complete, a few per cent of the server's CPU per `ping`. This notes the time of each read and each
/// flush instead (a clock read), and keeps one timer per connection, re-armed at most once per timeout.
/// A write counts when it is flushed, not when the client takes it: an answer left untaken is the
/// write timeout's business (``WriteDeadline``), not idleness.
final class IdleConnectionCloser: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    /// What keeps a connection from being idle.
    enum Activity {
        /// Bytes read.
        case reads
        /// Bytes read, or answers flushed.
        case readsAndWrites
    }

    private let timeout: TimeAmount
    private let activity: Activity
    private let session: RPCSession?
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount, activity: Activity, session: RPCSession? = nil) {
        self.timeout = timeout
        self.activity = activity
        self.session = session
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        if activity == .readsAndWrites { lastActivity = context.eventLoop.now }
        context.flush()
    }

    /// Starts the timer, from now, unless it runs.
    private func arm(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        lastActivity = context.eventLoop.now
        schedule(context: context, at: lastActivity + timeout)
    }

    private func schedule(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timerFired(context: loopBound.value)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        if now - lastActivity < timeout {
            schedule(context: context, at: lastActivity + timeout)
        } else if (session?.callsInProgress.load(ordering: .relaxed) ?? 0) > 0 {
            schedule(context: context, at: now + timeout)
        } else {
            context.close(promise: nil)
        }
    }
}
