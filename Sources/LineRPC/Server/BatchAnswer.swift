import AccessProtocol
import Logging
import NIOCore

/// The answer line of a batch, built one element at a time, in order.
///
/// Each answer is charged to the connection's and the server's ``ByteBudget`` as it is made, so
/// the answers being built count against the same bounds as those waiting to be taken. Once the
/// answers fill the line (`cap`), or the connection's (or, with an identity, the server's) room for
/// untaken answers, the batch is full: the elements left are not run and get `limit.answer_bytes`
/// with `ran: false`.
struct BatchAnswer {
    private let limits: ConnectionLimits
    private let serverLimit: Int?
    private let connectionBudget: ByteBudget
    private let serverBudget: ByteBudget
    private let logger: Logger
    private var body = ByteBuffer(integer: UInt8(ascii: "["))
    private var answers = 0
    /// Bytes charged to the budgets so far (each answer and its separator).
    private var charged = 0
    /// No further element runs.
    private(set) var isFull = false

    /// - Parameter serverLimit: the server's total of untaken answer bytes, for a connection with an identity; `nil` without one.
    init(limits: ConnectionLimits, serverLimit: Int?, connectionBudget: ByteBudget, serverBudget: ByteBudget, logger: Logger) {
        self.limits = limits
        self.serverLimit = serverLimit
        self.connectionBudget = connectionBudget
        self.serverBudget = serverBudget
        self.logger = logger
    }

    /// Adds the answer of an element that ran.
    mutating func add(_ response: RPCResponse) {
        let cap = limits.answerBytes
        // The room left in the line: its brackets, its LF, and what the earlier answers (each with its separator) took.
        let room = cap - 2 - charged - 1
        var element = ByteBuffer()
        let length = AnswerLine.append(response, to: &element, room: .max, cap: cap, logger: logger)
        if length > room {
            isFull = true
            element.clear()
            AnswerLine.append(response, to: &element, room: room, cap: cap, logger: logger)
        }
        element.moveWriterIndex(to: element.writerIndex - 1)  // the element's LF stands for its separator
        append(element, charging: true)
        isFull = isFull || connectionBudget.used >= limits.queuedBytes || serverLimit.map { serverBudget.used >= $0 } == true
    }

    /// Answers an element that was not run because the batch is full (nothing for a notification).
    mutating func skip(_ entry: RPCIncomingEntry) {
        guard let id = entry.answerID else { return }
        let error = RPCError.answerTooLarge(limit: limits.answerBytes, queuedLimit: limits.queuedBytes, ran: false)
        var element = ByteBuffer()
        AnswerLine.append(RPCResponse(id: id, outcome: .error(error)), to: &element, room: .max, cap: limits.answerBytes, logger: logger)
        element.moveWriterIndex(to: element.writerIndex - 1)
        append(element, charging: false)
    }

    /// The batch's answer line (LF included), `nil` when every element was a notification. Gives back
    /// what was charged while building: whoever writes the line charges it whole.
    consuming func finish() -> ByteBuffer? {
        release()
        guard answers > 0 else { return nil }
        body.writeStaticString("]\n")
        return body
    }

    /// Gives back what was charged, for a batch that will not be written.
    mutating func release() {
        guard charged > 0 else { return }
        connectionBudget.release(charged)
        serverBudget.release(charged)
        charged = 0
    }

    private mutating func append(_ element: ByteBuffer, charging: Bool) {
        if answers > 0 { body.writeInteger(UInt8(ascii: ",")) }
        var element = element
        body.writeBuffer(&element)
        answers += 1
        if charging {
            let bytes = element.writerIndex + 1
            connectionBudget.charge(bytes)
            serverBudget.charge(bytes)
            charged += bytes
        }
    }
}
