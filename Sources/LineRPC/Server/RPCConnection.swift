import AccessProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Serves one connection: reads lines in order, runs requests, writes answers.
///
/// Before reading each line it waits until the connection is under every bound of
/// ``ConnectionLimits`` (requests in flight, answer bytes not yet taken) and the server is under
/// its total of answer bytes; while it waits it does not read, so TCP pushes back on the client.
/// The limits before authentication are lower, and they change as soon as the identity does.
struct RPCConnection: Sendable {
    let id: UInt64
    let channel: any Channel
    let session: RPCSession
    let configuration: RPCServerConfiguration
    let dispatcher: RPCDispatcher
    let logger: Logger
    let lineLimit: LineLengthLimit
    /// The server's total of answer bytes not yet taken.
    let serverQueue: ByteBudget
    /// Where bulk requests run (see ``BulkWorkExecutor``).
    let bulkWork: BulkWorkExecutor
    /// This connection's answer bytes not yet taken.
    private let queue = ByteBudget()

    init(id: UInt64, channel: any Channel, session: RPCSession, configuration: RPCServerConfiguration, dispatcher: RPCDispatcher,
         logger: Logger, lineLimit: LineLengthLimit, serverQueue: ByteBudget, bulkWork: BulkWorkExecutor) {
        self.id = id
        self.channel = channel
        self.session = session
        self.configuration = configuration
        self.dispatcher = dispatcher
        self.logger = logger
        self.lineLimit = lineLimit
        self.serverQueue = serverQueue
        self.bulkWork = bulkWork
    }

    private var writer: RPCLineWriter {
        RPCLineWriter(channel: channel, timeout: configuration.writeTimeout, connectionBudget: queue, serverBudget: serverQueue)
    }

    /// The limits that apply now, which also sets the line length the decoder accepts next.
    private func currentLimits() -> ConnectionLimits {
        let limits = configuration.connectionLimits(authenticated: session.isAuthenticated)
        if lineLimit.value != limits.lineBytes { lineLimit.value = limits.lineBytes }
        return limits
    }

    func run(_ inbound: NIOAsyncChannelInboundStream<LineFrame>) async {
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var pacer = LinePacer()
            var lines = inbound.cancelOnGracefulShutdown().makeAsyncIterator()
            do {
                while true {
                    // Room first, then the next line: while there is none, nothing is read.
                    let limits = currentLimits()
                    while inFlight >= limits.inFlight, await group.next() != nil { inFlight -= 1 }
                    await waitForRoom(limits)
                    if let rate = limits.linesPerSecond { try await pacer.waitForTurn(rate: rate) }
                    // Lines read before the connection closed are not run: nobody would get their answers.
                    guard let frame = try await lines.next(), channel.isActive else { break }

                    let message: RPCIncomingMessage
                    switch frame {
                    case .tooLong(let maximum):
                        message = .single(.invalid(id: .null, error: .lineTooLong(maximum: maximum)))
                    case .line(let bytes):
                        // The identity may have changed while this line was awaited (a certificate at the handshake).
                        let now = currentLimits()
                        message = RPCMessageParser(maximumJSONDepth: configuration.maximumJSONDepth, maximumBatchLength: now.batchLength,
                                                   maximumJSONValues: now.jsonValues).parse(bytes)
                    }
                    if case .empty = message { continue }
                    if dispatcher.methods.isExclusive(message) {
                        // Alone: finish what runs, answer this, then read on (under the limits it leaves).
                        while await group.next() != nil {}
                        inFlight = 0
                        await respond(to: message)
                        continue
                    }
                    inFlight += 1
                    // A bulk request (a batch holding one included) runs, and is encoded, off the cooperative pool.
                    let executor: (any TaskExecutor)? = dispatcher.methods.isBulk(message) ? bulkWork : nil
                    group.addTask(executorPreference: executor) { await respond(to: message) }
                }
            } catch {
                // The peer went away or TLS failed; answers to requests already read are still attempted.
                logger.debug("read ended", metadata: ["error": "\(error)"])
            }
            await group.waitForAll()
        }
    }

    private func context() -> RPCRequestContext {
        let writer = self.writer
        return RPCRequestContext(connectionID: id, session: session, logger: logger, limits: configuration.limits,
                                 sendNotification: { notification in try? await writer.write(notification) })
    }

    private func respond(to message: RPCIncomingMessage) async {
        session.callsInProgress.add(1, ordering: .relaxed)
        defer { session.callsInProgress.subtract(1, ordering: .relaxed) }
        let context = context()
        let limits = configuration.connectionLimits(authenticated: session.isAuthenticated)
        let cap = limits.answerBytes
        // Room again, now that this request's turn has come: the requests read while there was room
        // must not all compute answers on it. Those waiting here compute nothing and pin nothing.
        await waitForRoom(limits)
        let text: String
        // A batch's answers are charged to the connection and the server as they are made, so the
        // answers being computed count against the same bounds as those waiting to be taken.
        var building = 0
        defer { release(building) }
        switch message {
        case .empty:
            return
        case .single(let entry):
            guard let response = await dispatcher.answer(entry, context: context) else { return }
            text = fitted(encoded(response), id: response.id, within: cap, cap: cap)
        case .batch(let entries):
            // In order, one at a time; once the answers fill the line, or the connection's (or the
            // server's) room for untaken answers, the rest are not run.
            var answers: [String] = []
            var full = false
            for entry in entries {
                guard !full else {
                    if let id = entry.answerID {
                        answers.append(encoded(RPCResponse(id: id, outcome: .error(.answerTooLarge(limit: cap, queuedLimit: limits.queuedBytes, ran: false)))))
                    }
                    continue
                }
                guard let response = await dispatcher.answer(entry, context: context) else { continue }
                let text = encoded(response)
                let room = cap - 2 - building - 1
                full = text.utf8.count + 1 > room
                let answer = full ? fitted(text, id: response.id, within: room, cap: cap) : text
                charge(answer.utf8.count + 1)
                building += answer.utf8.count + 1
                answers.append(answer)
                full = full || queue.used >= limits.queuedBytes || (session.isAuthenticated && serverQueue.used >= configuration.maximumQueuedBytes)
            }
            guard !answers.isEmpty else { return }
            text = "[" + answers.joined(separator: ",") + "]"
        }
        // The writer charges the whole line from here on.
        release(building)
        building = 0
        // An identity this request set (or lost) applies from here: the client may send its next line,
        // as long as an authenticated one may be, as soon as it has this answer.
        _ = currentLimits()
        do {
            try await writer.write(line: ByteBuffer(string: text + "\n"))
        } catch {
            logger.debug("answer not written", metadata: ["error": "\(error)"])
        }
    }

    /// Returns once this connection is under its room for untaken answers and, for a connection with an
    /// identity, the server under its total. A connection without one is left out of the total: its own
    /// room (16 KiB) bounds it, and token holders whose clients stopped reading must not keep a newcomer's
    /// `ping` waiting (a fresh ping went unanswered for 20 s behind 20 such readers).
    private func waitForRoom(_ limits: ConnectionLimits) async {
        await queue.waitUntilBelow(limits.queuedBytes)
        if session.isAuthenticated { await serverQueue.waitUntilBelow(configuration.maximumQueuedBytes) }
    }

    private func charge(_ bytes: Int) {
        queue.charge(bytes)
        serverQueue.charge(bytes)
    }

    private func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        queue.release(bytes)
        serverQueue.release(bytes)
    }

    /// `response` as JSON text, or an internal error for its id when its result cannot be encoded.
    private func encoded(_ response: RPCResponse) -> String {
        let encoder = RPCLineWriter.makeEncoder()
        if let text = try? response.jsonText(encoder: encoder) { return text }
        logger.error("a result could not be encoded as JSON", metadata: ["id": "\(response.id)"])
        return (try? RPCResponse(id: response.id, outcome: .error(.internalError("The result could not be encoded as JSON"))).jsonText(encoder: encoder)) ?? ""
    }

    /// `text` when it fits in `room` bytes (its LF included), else a `limit.answer_bytes` error for `id`
    /// naming `cap`, the answer line's limit.
    private func fitted(_ text: String, id: RPCID, within room: Int, cap: Int) -> String {
        guard text.utf8.count + 1 > room else { return text }
        logger.info("answer over the answer limit replaced by an error", metadata: ["bytes": "\(text.utf8.count + 1)", "room": "\(room)"])
        return encoded(RPCResponse(id: id, outcome: .error(.answerTooLarge(limit: cap, queuedLimit: nil, ran: true))))
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
