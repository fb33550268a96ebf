import AccessProtocol
import Foundation
import Logging
import NIOCore
import Synchronization

/// Runs the requests that connections cannot answer on their event loop (the handlers'
/// ``RPCConnectionHandler/Job``s), each in a child task of one task group for the whole server, bulk
/// ones on the bulk-work threads, and hands each answer back to its connection's handler.
///
/// Why one queue for the server and not a task per connection: a connection is idle most of its life,
/// and a task parked waiting for its next request costs about 11 KiB (Benchmarks/ping.sh); here a
/// connection with nothing in flight holds no task. The handler keeps the per-connection bounds
/// (requests in flight, exclusive methods, answer bytes): it hands over a job only when they allow.
///
/// A task ends once its answer has been written (or failed to be). When the server's task is cancelled
/// (the drain limit passed) the running requests are cancelled and answer `server.shutting_down`.
final class RPCRequestRunner: Sendable {
    private let configuration: RPCServerConfiguration
    private let dispatcher: RPCDispatcher
    /// The server's total of answer bytes not yet taken.
    private let serverQueue: ByteBudget
    /// Where bulk requests run (see ``BulkWorkExecutor``).
    private let bulkWork: BulkWorkExecutor
    private let running = Atomic<Int>(0)

    init(configuration: RPCServerConfiguration, dispatcher: RPCDispatcher, serverQueue: ByteBudget, bulkWork: BulkWorkExecutor) {
        self.configuration = configuration
        self.dispatcher = dispatcher
        self.serverQueue = serverQueue
        self.bulkWork = bulkWork
    }

    /// Request tasks running now, over all connections.
    var runningTasks: Int { running.load(ordering: .relaxed) }

    /// Runs every job of `jobs` in a task of its own; returns once `jobs` has finished (or this task
    /// was cancelled) and every task started has ended.
    func run(_ jobs: AsyncStream<RPCConnectionHandler.Job>) async {
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                // A bulk request (a batch holding one included) runs, and is encoded, off the cooperative pool.
                let executor: (any TaskExecutor)? = job.isBulk ? bulkWork : nil
                running.add(1, ordering: .relaxed)
                group.addTask(executorPreference: executor) {
                    await self.respond(to: job)
                    self.running.subtract(1, ordering: .relaxed)
                }
            }
        }
    }

    /// Runs one request (or batch) and hands its answer to the handler; returns once it was written.
    private func respond(to job: RPCConnectionHandler.Job) async {
        let (context, queue, session, logger) = (job.context, job.queue, job.context.session, job.context.baseLogger)
        let limits = configuration.connectionLimits(authenticated: session.isAuthenticated)
        let cap = limits.answerBytes
        // Room again, now that this request's turn has come: the requests started while there was room
        // must not all compute answers on it. Those waiting here compute nothing and pin nothing.
        await queue.waitUntilBelow(limits.queuedBytes)
        if session.isAuthenticated { await serverQueue.waitUntilBelow(configuration.maximumQueuedBytes) }
        var answer: ByteBuffer?
        switch job.message {
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
        let handler = job.handler
        let line = answer
        let written = handler.eventLoop.makePromise(of: Void.self)
        handler.eventLoop.execute { handler.value.finish(answer: line, written: written) }
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
