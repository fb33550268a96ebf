import AccessProtocol
import Foundation
import Testing
@testable import AccessStore

/// Where a store read runs: on the calling thread in a task that prefers an executor of its own (the
/// server's bulk methods), so that a `listUsers` page does not hop to GRDB's queue and back.
@Suite("Where a store read runs")
struct ReadPlacementTests {
    @Test("a read in a task with an executor preference runs on that executor's thread, cancelled or not",
          arguments: [false, true])
    func readRunsOnThePreferredExecutor(fileStore: Bool) async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let store = try makeStore(fileStore: fileStore, in: dir)
        defer { try? store.close() }
        _ = try await store.startSyncRun(workspaceGid: "1000", trigger: "schedule", at: T.t0)
        let executor = OneThreadExecutor(name: "read-placement-test")
        defer { executor.stop() }

        let here = try await withTaskExecutorPreference(executor) {
            return try await store.dbWriter.read { _ in executor.isCurrent() }
        }
        #expect(here)
        // The store's own methods take the same path, and a cancelled task still gets its answer.
        let task = Task(executorPreference: executor) {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await store.syncRuns(workspaceGid: "1000", limit: 10).map(\.trigger)
        }
        #expect(try await task.value == ["schedule"])

        let elsewhere = try await store.dbWriter.read { _ in executor.isCurrent() }
        #expect(!elsewhere)
    }
}

/// A task executor with one thread of its own, standing in for the server's bulk-work threads.
private final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `stopped` are read and written only under `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    /// The thread's id, set before it runs any job.
    private var thread: pthread_t?

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs queued so far have run.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    /// Whether the caller runs on this executor's thread.
    func isCurrent() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    private func run() {
        condition.lock()
        thread = pthread_self()
        condition.unlock()
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
