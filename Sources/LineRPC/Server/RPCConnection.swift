import AccessProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// The task of one connection: runs the requests its ``RPCConnectionHandler`` cannot answer at once
/// on the event loop, each in a child task (bulk ones on the bulk-work threads), and returns once the
/// handler has no more work for it and every answer has been written. On graceful shutdown it tells
/// the handler to start no further line; the requests running still finish and answer, unless the
/// drain limit cancels them (they then answer `server.shutting_down`).
struct RPCConnection: Sendable {
    let id: UInt64
    let channel: any Channel
    let handler: NIOLoopBound<RPCConnectionHandler>
    let session: RPCSession
    let configuration: RPCServerConfiguration
    let dispatcher: RPCDispatcher
    let logger: Logger
    /// This connection's answer bytes not yet taken (the handler's).
    let queue: ByteBudget
    /// The server's total of answer bytes not yet taken.
    let serverQueue: ByteBudget
    /// Where bulk requests run (see ``BulkWorkExecutor``).
    let bulkWork: BulkWorkExecutor

    func run() async {
        let (jobs, continuation) = AsyncStream.makeStream(of: RPCConnectionHandler.Job.self)
        let handler = self.handler
        let eventLoop = channel.eventLoop
        let context = requestContext()
        eventLoop.execute { handler.value.start(jobs: continuation, context: context) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    // A bulk request (a batch holding one included) runs, and is encoded, off the cooperative pool.
                    let executor: (any TaskExecutor)? = job.isBulk ? bulkWork : nil
                    group.addTask(executorPreference: executor) { await respond(to: job.message, context: context) }
                }
            }
        } onGracefulShutdown: {
            eventLoop.execute { handler.value.stop() }
        }
    }

    /// The context every request of this connection starts from.
    private func requestContext() -> RPCRequestContext {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        return RPCRequestContext(connectionID: id, session: session, logger: logger, limits: configuration.limits,
                                 sendNotification: { notification in
            guard let line = try? AnswerLine.line(notification) else { return }
            let written = eventLoop.makePromise(of: Void.self)
            eventLoop.execute { handler.value.send(line, written: written) }
            try? await written.futureResult.get()
        })
    }

    /// Runs one request (or batch) and hands its answer to the handler; returns once it was written.
    private func respond(to message: RPCIncomingMessage, context: RPCRequestContext) async {
        let limits = configuration.connectionLimits(authenticated: session.isAuthenticated)
        let cap = limits.answerBytes
        // Room again, now that this request's turn has come: the requests started while there was room
        // must not all compute answers on it. Those waiting here compute nothing and pin nothing.
        await queue.waitUntilBelow(limits.queuedBytes)
        if session.isAuthenticated { await serverQueue.waitUntilBelow(configuration.maximumQueuedBytes) }
        var answer: ByteBuffer?
        switch message {
        case .empty:
            break
        case .single(let entry):
            if let response = await dispatcher.answer(entry, context: context) {
                var line = ByteBuffer()
                AnswerLine.append(response, to: &line, room: cap, cap: cap, logger: logger)
                answer = line
            }
        case .batch(let entries):
            // In order, one at a time, until the answers fill the line or the room for untaken answers.
            var batch = BatchAnswer(limits: limits, serverLimit: session.isAuthenticated ? configuration.maximumQueuedBytes : nil,
                                    connectionBudget: queue, serverBudget: serverQueue, logger: logger)
            for entry in entries {
                if batch.isFull {
                    batch.skip(entry)
                } else if let response = await dispatcher.answer(entry, context: context) {
                    batch.add(response)
                }
            }
            answer = batch.finish()
        }
        let handler = self.handler
        let line = answer
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute { handler.value.finish(answer: line, written: written) }
        do {
            try await written.futureResult.get()
        } catch {
            logger.debug("answer not written", metadata: ["error": "\(error)"])
        }
    }
}

extension RPCError {
    /// `-32600 limit.line_bytes`: a line longer than `maximum` bytes, discarded up to its LF.
    static func lineTooLong(maximum: Int) -> RPCError {
        .invalidRequest("Line longer than \(maximum) bytes; it was discarded up to the next LF",
                        name: "limit.line_bytes", details: ["maximumLineBytes": .integer(Int64(maximum))])
    }

    /// `-32000 limit.answer_bytes`: an answer did not fit. `ran: true`: the request ran (its effects
    /// happened) but its answer is longer than the room left in the answer line (`limit` bytes);
    /// `ran: false`: a batch element not run because the batch's answers had filled the line, or the
    /// connection's room for answers not yet taken (`queuedLimit` bytes).
    static func answerTooLarge(limit: Int, queuedLimit: Int?, ran: Bool) -> RPCError {
        var details: [String: JSONValue] = ["maximumAnswerBytes": .integer(Int64(limit)), "ran": .bool(ran)]
        if let queuedLimit { details["maximumQueuedBytes"] = .integer(Int64(queuedLimit)) }
        return .limitExceeded(
            ran
                ? "The answer is longer than the \(limit) bytes an answer line may hold here; the request ran, but its answer is not sent: ask for less (a smaller limit, fewer fields) or send it on its own"
                : "The batch's answers filled the answer line (\(limit) bytes here) or the room this connection has for answers not yet read (\(queuedLimit ?? limit) bytes here); this request was not run: read the answers, then send it again, on its own or in a smaller batch",
            name: "limit.answer_bytes", details: details)
    }

    /// `-32007 auth.certificate_rejected`: the client certificate's subject holds more than one common name.
    static func certificateRejected(commonNameCount: Int) -> RPCError {
        RPCError(code: -32007, name: "auth.certificate_rejected",
                 message: "The client certificate's subject holds \(commonNameCount) common names; the server accepts certificates with at most one",
                 details: ["commonNames": .integer(Int64(commonNameCount))])
    }
}
