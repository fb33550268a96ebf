import AccessProtocol
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import LineRPC

/// The connection handler on an `EmbeddedChannel` (no TLS, no timing): what it writes, and when.
private struct HandlerFixture {
    let channel = EmbeddedChannel()
    let handler: RPCConnectionHandler
    let jobs: AsyncStream<RPCConnectionHandler.Job>

    init(authenticated: Bool = true) throws {
        var table = RPCMethodTable()
        table.registerImmediate("ping", summary: "ping", access: .anyone, params: NoParams.self) { _, _ in "pong" }
        table.register("slow", summary: "answered by a task", access: .anyone, params: NoParams.self) { _, _ in "late" }
        let session = RPCSession(certificateCommonName: nil, identity: authenticated ? RPCIdentity(principal: "t", role: "admin") : nil)
        handler = RPCConnectionHandler(connectionID: 1, session: session, configuration: RPCServerConfiguration(tls: .makeClientConfiguration()),
                                       dispatcher: RPCDispatcher(methods: table), lineLimit: LineLengthLimit(4096),
                                       serverQueue: ByteBudget(), logger: Logger(label: "test"))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let (jobs, continuation) = AsyncStream.makeStream(of: RPCConnectionHandler.Job.self)
        self.jobs = jobs
        handler.start(jobs: continuation)
    }

    /// Delivers `lines` as one read: each line, then one `channelReadComplete`.
    func read(_ lines: [String]) {
        for line in lines { channel.pipeline.fireChannelRead(LineFrame.line(ByteBuffer(string: line))) }
        channel.pipeline.fireChannelReadComplete()
    }

    /// Every buffer written so far, each as its lines.
    func writes() throws -> [[String]] {
        var writes: [[String]] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            writes.append(String(buffer: buffer).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
        }
        return writes
    }
}

private func ping(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# }

@Suite("Answers coalesced per read")
struct AnswerCoalescingTests {
    @Test("pipelined pings read at once are answered in one write, in the order of their ids")
    func onePerRead() throws {
        let fixture = try HandlerFixture()
        fixture.read((1...5).map(ping))
        let writes = try fixture.writes()
        #expect(writes.count == 1, "one buffer, one flush for the whole read")
        #expect(writes.first == (1...5).map { #"{"id":\#($0),"jsonrpc":"2.0","result":"pong"}"# })
        // The next read gets its own write.
        fixture.read([ping(6), "", #"{"jsonrpc":"2.0","id":7,"method":"nope"}"#, "[" + ping(8) + "," + ping(9) + "]"])
        let next = try fixture.writes()
        #expect(next.count == 1)
        #expect(next.first?.count == 3, "a blank line is not answered; a batch is one line")
        #expect(next.first?[0] == #"{"id":6,"jsonrpc":"2.0","result":"pong"}"#)
        #expect(next.first?[1].contains(#""code":-32601"#) == true)
        #expect(next.first?[2] == #"[{"id":8,"jsonrpc":"2.0","result":"pong"},{"id":9,"jsonrpc":"2.0","result":"pong"}]"#)
        try fixture.channel.close().wait()
    }

    @Test("a request that needs a task goes to the server's job queue; pings after it are answered meanwhile")
    func taskRequestsDoNotHoldPings() async throws {
        let fixture = try HandlerFixture()
        fixture.read([#"{"jsonrpc":"2.0","id":"s","method":"slow"}"#, ping(2)])
        var iterator = fixture.jobs.makeAsyncIterator()
        let job = try #require(await iterator.next())
        guard case .single(.request(let request)) = job.message else {
            Issue.record("expected the slow request, got \(job.message)")
            return
        }
        #expect(request.id == .string("s"))
        #expect(try fixture.writes() == [[#"{"id":2,"jsonrpc":"2.0","result":"pong"}"#]])
        let written = fixture.channel.eventLoop.makePromise(of: Void.self)
        fixture.handler.finish(answer: ByteBuffer(string: #"{"id":"s","jsonrpc":"2.0","result":"late"}"# + "\n"), written: written)
        #expect(try fixture.writes() == [[#"{"id":"s","jsonrpc":"2.0","result":"late"}"#]])
        try await fixture.channel.close().get()
    }

    @Test("before authentication the answers of one read still go out together, within the 16 KiB room")
    func unauthenticatedRoom() throws {
        let fixture = try HandlerFixture(authenticated: false)
        fixture.read((1...3).map(ping))
        let writes = try fixture.writes()
        #expect(writes.flatMap { $0 }.count == 3)
        try fixture.channel.close().wait()
    }
}

@Suite("Write deadline with one timer")
struct WriteDeadlineTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test("many writes arm the timer once; it is re-armed for the oldest write still pending")
    func oneTimer() {
        var deadline = WriteDeadline(timeout: .seconds(30))
        #expect(deadline.writeStarted(at: start) == start + .seconds(30))
        for second in 1...100 { #expect(deadline.writeStarted(at: start + .milliseconds(Int64(second))) == nil, "armed already") }
        #expect(deadline.pending == 101)
        for _ in 0..<50 { deadline.writeCompleted() }
        // The oldest pending write started 50 ms after the first: it gets its full timeout.
        #expect(deadline.fired(at: start + .seconds(30)) == .rearm(start + .milliseconds(50) + .seconds(30)))
        for _ in 0..<51 { deadline.writeCompleted() }
        #expect(deadline.fired(at: start + .seconds(31)) == .idle, "nothing pending: the timer stays off")
        #expect(deadline.writeStarted(at: start + .seconds(40)) == start + .seconds(70), "armed again by the next write")
    }

    @Test("a write not completed within the timeout closes the connection")
    func overdue() {
        var deadline = WriteDeadline(timeout: .milliseconds(300))
        _ = deadline.writeStarted(at: start)
        _ = deadline.writeStarted(at: start + .milliseconds(100))
        #expect(deadline.fired(at: start + .milliseconds(300)) == .close)
    }
}
