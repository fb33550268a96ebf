import AccessProtocol
import Logging
import NIOCore

/// Serves one connection on its event loop: starts its lines in order, answers at once what needs no
/// task (immediate methods such as `ping`, lines that are not valid requests, unknown methods), hands
/// the other requests to the server's ``RPCRequestRunner`` as ``Job``s, writes every answer, and closes
/// the connection once no line will come and everything has been answered.
///
/// Why no task of its own: a connection is idle most of its life, and a task parked waiting for
/// work costs about 11 KiB; a connection with nothing in flight holds no task, only this handler.
///
/// Answers made while a read is handled are gathered and written with one flush when the read is
/// done (`channelReadComplete`): the requests a client pipelines in one write are answered in one
/// TLS record and one `write(2)`, not one per answer. Answers from the task are flushed as they come.
///
/// Before starting each line it checks every bound of ``ConnectionLimits`` (requests in flight,
/// answer bytes not yet taken, lines a second before authentication) and, with an identity, the
/// server's total of answer bytes. While one is reached it starts nothing and holds back `read`: the
/// socket is not read, and TCP pushes back on the client. Every answer written must be taken within
/// the write timeout, or the connection is closed (``WriteDeadline``: one timer per connection).
///
/// Sits last in the pipeline, after the line decoder. Created with the channel; it starts serving
/// lines once the server has admitted the connection (``start(jobs:)``).
final class RPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = LineFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A request (or batch) that needs a task, with what its task needs of the connection.
    struct Job: Sendable {
        let message: RPCIncomingMessage
        /// Bulk work (``RPCMethodTable/Method/bulk``): runs on the bulk-work threads.
        let isBulk: Bool
        /// The connection's request context.
        let context: RPCRequestContext
        /// The handler that writes the answer (``finish(answer:written:)``).
        let handler: NIOLoopBound<RPCConnectionHandler>
        /// The connection's answer bytes not yet taken.
        let queue: ByteBudget
    }

    private enum State {
        /// Not admitted yet: lines wait.
        case admitting
        /// Serving; requests that need a task go to `jobs`, the server's queue.
        case serving(jobs: AsyncStream<Job>.Continuation)
        /// Every line has been answered and the connection closed.
        case ended
    }

    /// A number unique to the connection within this server process, for logs.
    let connectionID: UInt64
    let session: RPCSession
    /// This connection's answer bytes not yet taken.
    let queue = ByteBudget()
    private let configuration: RPCServerConfiguration
    private let dispatcher: RPCDispatcher
    private let lineLimit: LineLengthLimit
    /// The server's total of answer bytes not yet taken.
    private let serverQueue: ByteBudget
    private let logger: Logger
    private var requestContext: RPCRequestContext?
    private var context: ChannelHandlerContext?
    private var state = State.admitting

    /// Lines read and not yet started, in order. Small at first: most connections send a line at a time.
    private var pending = CircularBuffer<LineFrame>(initialCapacity: 2)
    /// An exclusive request waiting for the requests in flight to finish.
    private var exclusive: RPCIncomingMessage?
    private var exclusiveRunning = false
    /// Requests handed to the task and not yet answered (their answer not yet written).
    private var inFlight = 0
    /// A bound is reached: no line starts and the socket is not read.
    private var blocked = false
    /// A `read` was held back.
    private var readHeld = false
    /// No line will come any more (EOF, half-close, error, shutdown).
    private var inputEnded = false
    /// Graceful shutdown: lines not yet started are dropped.
    private var stopping = false
    /// Between a read's first `channelRead` and its `channelReadComplete`: answers wait for the latter's flush.
    private var reading = false
    private var pacer = LinePacer()
    private var pacerWakeup: Scheduled<Void>?
    private var waitingForServerRoom = false
    /// Answers made and not yet flushed, already charged to the budgets.
    private var answers = ByteBuffer()
    /// Lines are being processed or answers flushed: a write that completes meanwhile (NIO completes
    /// writes within the flush that made them) asks for another pass instead of starting one inside.
    private var busy = false
    private var processAgain = false
    private var writeDeadline: WriteDeadline
    private var writeTimer: Scheduled<Void>?

    init(connectionID: UInt64, session: RPCSession, configuration: RPCServerConfiguration, dispatcher: RPCDispatcher,
         lineLimit: LineLengthLimit, serverQueue: ByteBudget, logger: Logger) {
        self.connectionID = connectionID
        self.session = session
        self.configuration = configuration
        self.dispatcher = dispatcher
        self.lineLimit = lineLimit
        self.serverQueue = serverQueue
        self.logger = logger
        self.writeDeadline = WriteDeadline(timeout: configuration.writeTimeout)
    }

    // MARK: Driven by the server and the request tasks

    /// Starts serving lines once the server has admitted the connection: those that need a task go
    /// to `jobs`, the server's queue (``RPCRequestRunner``).
    func start(jobs: AsyncStream<Job>.Continuation) {
        guard case .admitting = state, let context else { return }  // the channel went away first
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        // Holds this handler (a notification is written by it): released in `handlerRemoved`.
        requestContext = RPCRequestContext(connectionID: connectionID, session: session, logger: logger, limits: configuration.limits,
                                           sendNotification: { notification in
            guard let line = try? AnswerLine.line(notification) else { return }
            let written = eventLoop.makePromise(of: Void.self)
            eventLoop.execute { handler.value.send(line, written: written) }
            try? await written.futureResult.get()
        })
        state = .serving(jobs: jobs)
        processLines()
    }

    /// Graceful shutdown (or the server's job queue ended): starts no further line; the requests in
    /// flight still answer, then the connection closes.
    func stop() {
        stopping = true
        inputEnded = true
        dropLines()
        processLines()
    }

    /// The task finished a job; `answer` is its line (LF included), if it has one. `written` completes
    /// when the answer has been written (or failed to be).
    func finish(answer: ByteBuffer?, written: EventLoopPromise<Void>) {
        // An identity this request set (or lost) applies from here: the client may send its next line,
        // as long as an authenticated one may be, as soon as it has this answer.
        _ = currentLimits()
        guard let answer, let context, context.channel.isActive else {
            written.succeed()
            jobDone()
            return
        }
        flushAnswers()
        let bytes = answer.readableBytes
        charge(bytes)
        write(answer, charged: bytes) { result in
            written.completeWith(result)
            self.jobDone()
        }
    }

    /// Writes a line from a running request (a notification) now; `written` completes once it was written.
    func send(_ line: ByteBuffer, written: EventLoopPromise<Void>) {
        guard let context, context.channel.isActive else {
            written.fail(ChannelError.ioOnClosedChannel)
            return
        }
        flushAnswers()
        let bytes = line.readableBytes
        charge(bytes)
        write(line, charged: bytes) { written.completeWith($0) }
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ended()
        self.context = nil
        requestContext = nil  // it holds this handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !inputEnded else { return }
        pending.append(unwrapInboundIn(data))
        reading = true
        processLines()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        flushAnswers()
    }

    /// No `channelReadComplete` may follow (lines decoded at EOF): answers are flushed as they come.
    private func readEnded() {
        reading = false
        inputEnded = true
        processLines()
    }

    func read(context: ChannelHandlerContext) {
        if pending.isEmpty, !blocked, !stopping {
            context.read()
        } else {
            readHeld = true
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // Half-close: the lines read so far are still answered, then the connection ends.
            readEnded()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The peer went away or TLS failed; answers to requests already read are still attempted.
        logger.debug("read ended", metadata: ["error": "\(error)"])
        readEnded()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Lines read before the connection closed are not run: nobody would get their answers.
        dropLines()
        pacerWakeup?.cancel()
        writeTimer?.cancel()
        readEnded()
        context.fireChannelInactive()
    }

    // MARK: Lines

    /// Starts the lines that may start now, in order, then flushes (outside a read) and lets the
    /// socket be read again when nothing holds it back.
    private func processLines() {
        guard !busy else {
            processAgain = true
            return
        }
        busy = true
        repeat {
            processAgain = false
            processPendingLines()
        } while processAgain
        busy = false
    }

    private func processPendingLines() {
        guard case .serving(let jobs) = state, let context, let requestContext else { return }
        var blocked = false
        while true {
            if exclusiveRunning {
                blocked = true
                break
            }
            if let barrier = exclusive {
                // Alone: what runs finishes first, then this, and nothing after it until it has answered.
                guard inFlight == 0 else {
                    blocked = true
                    break
                }
                exclusive = nil
                exclusiveRunning = true
                startJob(barrier, jobs: jobs, context: requestContext)
                continue
            }
            guard let frame = pending.first else { break }
            let limits = currentLimits()
            guard inFlight < limits.inFlight, hasRoom(limits), takeTurn(limits) else {
                blocked = true
                break
            }
            pending.removeFirst()
            let message: RPCIncomingMessage
            switch frame {
            case .tooLong(let maximum):
                message = .single(.invalid(id: .null, error: .lineTooLong(maximum: maximum)))
            case .line(let bytes):
                message = RPCMessageParser(maximumJSONDepth: configuration.maximumJSONDepth, maximumBatchLength: limits.batchLength,
                                           maximumJSONValues: limits.jsonValues).parse(bytes)
            }
            if case .empty = message { continue }
            if dispatcher.methods.isExclusive(message) {
                exclusive = message
            } else if dispatcher.answersAtOnce(message) {
                answerAtOnce(message, limits: limits, context: requestContext)
            } else {
                startJob(message, jobs: jobs, context: requestContext)
            }
        }
        self.blocked = blocked
        if !reading { flushAnswers() }
        if readHeld, pending.isEmpty, !blocked, !stopping, !inputEnded {
            readHeld = false
            context.read()
        }
        endIfDone()
    }

    private func dropLines() {
        pending.removeAll()
        exclusive = nil
    }

    private func startJob(_ message: RPCIncomingMessage, jobs: AsyncStream<Job>.Continuation, context requestContext: RPCRequestContext) {
        guard let context else { return }
        inFlight += 1
        session.callsInProgress.add(1, ordering: .relaxed)
        let job = Job(message: message, isBulk: dispatcher.methods.isBulk(message), context: requestContext,
                      handler: NIOLoopBound(self, eventLoop: context.eventLoop), queue: queue)
        if case .terminated = jobs.yield(job) {
            // The server stopped taking jobs (its task was cancelled): this one will not run.
            inFlight -= 1
            session.callsInProgress.subtract(1, ordering: .relaxed)
            exclusiveRunning = false
            stopping = true
            inputEnded = true
            dropLines()
        }
    }

    private func jobDone() {
        inFlight -= 1
        session.callsInProgress.subtract(1, ordering: .relaxed)
        exclusiveRunning = false
        processLines()
    }

    /// Answers `message` now, into the answers of this read.
    private func answerAtOnce(_ message: RPCIncomingMessage, limits: ConnectionLimits, context: RPCRequestContext) {
        let cap = limits.answerBytes
        switch message {
        case .empty:
            return
        case .single(let entry):
            guard let response = dispatcher.answerAtOnce(entry, context: context) else { return }
            charge(AnswerLine.append(response, to: &answers, room: cap, cap: cap, logger: logger))
        case .batch(let entries):
            var batch = BatchAnswer(limits: limits, serverLimit: session.isAuthenticated ? configuration.maximumQueuedBytes : nil,
                                    connectionBudget: queue, serverBudget: serverQueue, logger: logger)
            for entry in entries {
                if batch.isFull {
                    batch.skip(entry)
                } else if let response = dispatcher.answerAtOnce(entry, context: context) {
                    batch.add(response)
                }
            }
            guard var line = batch.finish() else { return }
            charge(line.readableBytes)
            answers.writeBuffer(&line)
        }
        // An identity this request set (or lost) applies from the next line.
        _ = currentLimits()
    }

    /// The limits that apply now, which also sets the line length the decoder accepts next.
    private func currentLimits() -> ConnectionLimits {
        let limits = configuration.connectionLimits(authenticated: session.isAuthenticated)
        if lineLimit.value != limits.lineBytes { lineLimit.value = limits.lineBytes }
        return limits
    }

    /// `true` when this connection is under its room for untaken answers and, for a connection with
    /// an identity, the server under its total. A connection without one is left out of the total: its
    /// own room (16 KiB) bounds it, and token holders whose clients stopped reading must not keep a
    /// newcomer's `ping` waiting. When the server's total is reached, its release wakes this connection.
    private func hasRoom(_ limits: ConnectionLimits) -> Bool {
        // This connection's own room is given back by its writes completing, which process the lines again.
        guard queue.used < limits.queuedBytes else { return false }
        guard session.isAuthenticated else { return true }
        let maximum = configuration.maximumQueuedBytes
        guard serverQueue.used >= maximum else { return true }
        if !waitingForServerRoom, let context {
            waitingForServerRoom = true
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            serverQueue.whenBelow(maximum) {
                eventLoop.execute {
                    handler.value.waitingForServerRoom = false
                    handler.value.processLines()
                }
            }
        }
        return false
    }

    /// Takes the next line's turn when the connection is paced (before authentication); when none is
    /// left, the lines are processed again once one has accrued.
    private func takeTurn(_ limits: ConnectionLimits) -> Bool {
        guard let rate = limits.linesPerSecond else { return true }
        guard pacerWakeup == nil else { return false }
        guard let wait = pacer.takeToken(rate: rate), let context else { return true }
        let nanoseconds = Int64(wait.components.seconds) * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
        pacerWakeup = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(max(nanoseconds, 1))) {
            self.pacerWakeup = nil
            self.processLines()
        }
        return false
    }

    // MARK: Writing

    private func charge(_ bytes: Int) {
        queue.charge(bytes)
        serverQueue.charge(bytes)
    }

    /// Writes the answers gathered so far, as one buffer, and flushes.
    private func flushAnswers() {
        guard answers.readableBytes > 0 else { return }
        let wasBusy = busy
        busy = true
        let bytes = answers.readableBytes
        write(answers, charged: bytes) { _ in }
        // Not kept: the connection may now stay idle, and an empty `ByteBuffer()` holds no storage.
        answers = ByteBuffer()
        busy = wasBusy
        if !wasBusy, processAgain { processLines() }
    }

    /// Writes and flushes `buffer`, charged `charged` bytes until the write completes; then gives them
    /// back, calls `completed` and processes the lines again (there may be room now).
    private func write(_ buffer: ByteBuffer, charged: Int, completed: @escaping (Result<Void, any Error>) -> Void) {
        guard let context else {
            queue.release(charged)
            serverQueue.release(charged)
            completed(.failure(ChannelError.ioOnClosedChannel))
            return
        }
        if let deadline = writeDeadline.writeStarted(at: .now()) { armWriteTimer(at: deadline) }
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { result in
            self.writeDeadline.writeCompleted()
            self.queue.release(charged)
            self.serverQueue.release(charged)
            completed(result)
            self.processLines()
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
    }

    private func armWriteTimer(at deadline: NIODeadline) {
        guard let context else { return }
        writeTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.writeTimerFired()
        }
    }

    /// A client that does not take its answers within the write timeout is disconnected: it cannot
    /// hold requests and memory for longer than that.
    private func writeTimerFired() {
        writeTimer = nil
        switch writeDeadline.fired(at: .now()) {
        case .close:
            logger.info("answer not taken within the write timeout; closing the connection")
            context?.close(promise: nil)
        case .rearm(let deadline):
            armWriteTimer(at: deadline)
        case .idle:
            break
        }
    }

    // MARK: End

    /// Closes the connection once no line will come, none is left, no request is in flight and
    /// every answer has been written.
    private func endIfDone() {
        let active = context?.channel.isActive ?? false
        guard inputEnded || !active, inFlight == 0, exclusive == nil, pending.isEmpty || !active,
              answers.readableBytes == 0, writeDeadline.pending == 0 else { return }
        ended()
    }

    private func ended() {
        guard case .serving = state else {
            state = .ended
            return
        }
        state = .ended
        pacerWakeup?.cancel()
        writeTimer?.cancel()
        guard let context else { return }
        // On a later tick, not inside the write completion that may have got us here: TLS must be free
        // to flush its close_notify (closed from within its own flush, the peer gets an unclean shutdown).
        let channel = context.channel
        context.eventLoop.execute { channel.close(promise: nil) }
    }
}

extension RPCIncomingEntry {
    /// The id an answer to this entry carries; `nil` for a notification (no answer).
    var answerID: RPCID? {
        switch self {
        case .request(let request): request.id
        case .invalid(let id, _): id
        }
    }
}
