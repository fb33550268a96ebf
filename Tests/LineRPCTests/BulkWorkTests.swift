import AccessProtocol
import Foundation
import LineRPC
import Synchronization
import TestSupport
import Testing

/// A gate that blocks the thread that waits on it (not just its task) until it is opened.
private final class ThreadGate: @unchecked Sendable {
    // @unchecked: every access to `isOpen` holds `condition`'s lock.
    private let condition = NSCondition()
    private var isOpen = false
    private let opener = Mutex<String?>(nil)

    /// Who opened the gate first.
    var openedBy: String? { opener.withLock { $0 } }

    func open(by who: String) {
        opener.withLock { if $0 == nil { $0 = who } }
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilOpen() {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
    }
}

/// Requests running at once, and the most seen.
private final class Concurrency: Sendable {
    private let state = Mutex<(now: Int, peak: Int, started: Int)>((0, 0, 0))
    func enter() { state.withLock { $0.now += 1; $0.started += 1; $0.peak = max($0.peak, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
    var started: Int { state.withLock { $0.started } }
}

@Suite("Bulk methods run on their own threads")
struct BulkWorkTests {
    @Test("bulk requests that hold their thread never make a small request wait, and run one at a time on one bulk thread")
    func bulkRequestsLeaveSmallOnesFree() async throws {
        let gate = ThreadGate()
        let holds = Concurrency()
        let (fixture, task) = try await ServerFixture.start(configure: { table in
            table.register("hold", summary: "holds its thread until the gate opens", access: .anyone, bulk: true, params: NoParams.self) { _, _ in
                holds.enter()
                defer { holds.leave() }
                gate.waitUntilOpen()
                return "held"
            }
        }, limits: { $0.bulkWorkThreads = 1 })
        // A watchdog on a thread of its own: if the holds took the cooperative threads, nothing else
        // would ever open the gate, and the test must fail, not hang.
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 60)
            gate.open(by: "watchdog")
        }
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { holder in
            // More holds than the machine has cores, one of them inside a batch.
            let count = ProcessInfo.processInfo.activeProcessorCount + 2
            var lines: [UInt8] = []
            for id in 1..<count { lines += line(#"{"jsonrpc":"2.0","id":\#(id),"method":"hold"}"#) }
            lines += line(#"[{"jsonrpc":"2.0","id":\#(count),"method":"hold"},{"jsonrpc":"2.0","id":"e","method":"echo","params":{"text":"in a batch"}}]"#)
            try await holder.sendRaw(lines)
            #expect(await eventually { holds.started == 1 })

            let answer = try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
                try await client.call("echo", params: .object(["text": .string("not kept waiting")]))
            }
            #expect(answer["text"] == .string("not kept waiting"))
            #expect(gate.openedBy == nil, "the small request was answered while every bulk request still held its thread")
            #expect(holds.started == 1, "the other bulk requests queue behind the one bulk thread")
            gate.open(by: "test")

            var answered: Set<JSONValue> = []
            for _ in 0..<count {
                let message = try await holder.readMessage()
                if case .array(let entries) = message {
                    #expect(entries.count == 2)
                    #expect(entries.first?["result"] == .string("held"))
                    #expect(entries.last?["result"]?["text"] == .string("in a batch"))
                    for entry in entries { if let id = entry["id"] { answered.insert(id) } }
                } else {
                    #expect(message["result"] == .string("held"))
                    if let id = message["id"] { answered.insert(id) }
                }
            }
            #expect(answered.count == count + 1)
        }
        #expect(holds.peak == 1)
        #expect(gate.openedBy == "test")
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }
}
