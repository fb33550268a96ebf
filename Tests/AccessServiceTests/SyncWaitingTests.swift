import AccessProtocol
import AsanaAPI
import Synchronization
import Testing

@testable import AccessService

/// How a sync turns the rate-limit waits of its requests into `waiting` notifications (``SyncReporter/waiting(_:)``).
@Suite("sync waiting: which waits are told")
struct SyncWaitingTests {
    /// A reporter for workspace 1000 and the notifications it sent.
    func reporter() -> (SyncReporter, @Sendable () -> [Sync.Progress]) {
        let sent = Mutex<[Sync.Progress]>([])
        let reporter = SyncReporter(workspace: "1000", phases: SyncPhases(), progress: { step in sent.withLock { $0.append(step) } })
        return (reporter, { sent.withLock { $0 } })
    }

    @Test("a budget wait of a second or less is not told; a longer one is, in whole seconds rounded up")
    func budgetThreshold() async {
        let (reporter, sent) = reporter()
        await reporter.waiting(AsanaRateLimitWait(reason: .requestBudget, duration: .milliseconds(999)))
        await reporter.waiting(AsanaRateLimitWait(reason: .requestBudget, duration: .seconds(1)))
        #expect(sent().isEmpty)
        await reporter.waiting(AsanaRateLimitWait(reason: .requestBudget, duration: .milliseconds(49_200)))
        #expect(sent() == [.waiting(workspace: "1000", seconds: 50, reason: .requestBudget)])
    }

    @Test("the requests held by one wait tell it once; a wait ending more than a second later is told again; a short 429 wait is told")
    func onceForOneWait() async {
        let (reporter, sent) = reporter()
        await reporter.waiting(AsanaRateLimitWait(reason: .rateLimited, duration: .milliseconds(300)))
        #expect(sent() == [.waiting(workspace: "1000", seconds: 1, reason: .rateLimited)])
        let (held, heldSent) = self.reporter()
        await held.waiting(AsanaRateLimitWait(reason: .rateLimited, duration: .seconds(30)))
        for _ in 0..<10 { await held.waiting(AsanaRateLimitWait(reason: .rateLimited, duration: .milliseconds(29_500))) }  // the same pause
        #expect(heldSent() == [.waiting(workspace: "1000", seconds: 30, reason: .rateLimited)])
        await held.waiting(AsanaRateLimitWait(reason: .rateLimited, duration: .seconds(45)))  // a new, longer pause
        #expect(heldSent().map(\.waitSeconds) == [30, 45])
    }

    @Test("whole seconds: rounded up, at least 1")
    func wholeSeconds() {
        #expect(SyncReporter.wholeSeconds(.zero) == 1)
        #expect(SyncReporter.wholeSeconds(.milliseconds(1)) == 1)
        #expect(SyncReporter.wholeSeconds(.seconds(2)) == 2)
        #expect(SyncReporter.wholeSeconds(.milliseconds(2001)) == 3)
    }
}
