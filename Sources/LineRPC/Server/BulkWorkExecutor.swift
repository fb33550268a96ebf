import NIOPosix

/// The threads that run bulk methods (see ``RPCMethodTable/Method/bulk``): requests whose cost grows
/// with the data, such as a page of 1,000 people read from SQLite and encoded as JSON.
///
/// Why a pool of its own: Swift's cooperative pool has one thread per core and never preempts a job,
/// so a few bulk requests would hold every thread and a `ping` from a fresh client would wait behind
/// them (seconds, measured in `Benchmarks/RESULTS.md`). On these threads the kernel preempts bulk
/// work, the cooperative pool stays free for small requests, and bulk requests from all connections
/// queue here first in, first out.
///
/// A request runs here through task-executor preference (SE-0417): its handler, the default actors it
/// calls and the encoding of its answer all run on these threads.
final class BulkWorkExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: NIOThreadPool is thread-safe; it is not declared Sendable.
    private let pool: NIOThreadPool

    /// Starts `threads` threads (at least 1).
    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        // Runs even when the pool is shutting down (state `.cancelled`): a job not run would leave its
        // task suspended forever. The pool is shut down only after every connection has ended.
        pool.submit { _ in job.runSynchronously(on: executor) }
    }

    /// Stops the threads once the jobs queued so far have run.
    func shutdown() async {
        try? await pool.shutdownGracefully()
    }
}
