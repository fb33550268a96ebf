import Foundation

/// Log lines written to a file descriptor (standard error) in batches by a thread of its own, so that a logging call
/// on the request path (the access log's line per RPC call, made on an event loop) costs a copy into memory rather
/// than a `write(2)`.
///
/// - A line waits at most ``flushInterval`` (10 ms), or less once ``batchBytes`` (64 KiB) are pending.
/// - Nothing is dropped: when ``capacity`` (4 MiB) is pending (the descriptor is slow: a full pipe), the caller
///   writes the batch itself, so logging slows down instead of losing lines or memory growing without bound.
/// - Lines are written in the order they were given, each whole (a batch is only whole lines).
/// - ``flush()`` writes what is pending now: `serve` calls it when it stops, and before it reports why it could
///   not start. A process killed with SIGKILL loses at most the last ``flushInterval`` of lines.
public final class BufferedLineWriter: @unchecked Sendable {
    /// The writer of standard error that `serve`'s log handlers share.
    public static let standardError = BufferedLineWriter(fileDescriptor: STDERR_FILENO)

    /// Longest time a line waits before it is written, in seconds.
    public static let flushInterval: TimeInterval = 0.010
    /// Pending bytes that wake the writer thread before the interval is up.
    public static let batchBytes = 64 << 10
    /// Pending bytes above which the caller writes the batch itself (back-pressure).
    public static let capacity = 4 << 20

    private let descriptor: Int32
    /// Guards `pending`; the writer thread waits on it.
    private let condition = NSCondition()
    /// Taken before `condition` is released by whoever writes a batch, so batches reach the descriptor in order.
    private let writing = NSLock()
    private var pending: [UInt8] = []
    private var stopped = false

    /// Starts the writer thread, which runs until ``stop()``.
    public init(fileDescriptor: Int32) {
        self.descriptor = fileDescriptor
        let thread = Thread { [self] in run() }
        thread.name = "log-writer"
        thread.start()
    }

    /// Queues `line` (one or more whole lines, newline included).
    public func write(_ line: Data) {
        condition.lock()
        pending.append(contentsOf: line)
        if pending.count >= Self.capacity || stopped {
            writePending()  // releases `condition`
            return
        }
        if pending.count >= Self.batchBytes { condition.signal() }
        condition.unlock()
    }

    /// Writes every line queued so far before it returns.
    public func flush() {
        condition.lock()
        writePending()
    }

    /// Writes what is pending and ends the writer thread; later lines are written by their callers, at once. The
    /// descriptor stays open (it is the caller's).
    public func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        writePending()
    }

    private func run() {
        while true {
            condition.lock()
            if stopped {
                condition.unlock()
                return
            }
            if pending.count < Self.batchBytes { _ = condition.wait(until: Date(timeIntervalSinceNow: Self.flushInterval)) }
            writePending()
        }
    }

    /// Takes the pending bytes and writes them; called holding `condition`, which it releases.
    private func writePending() {
        let batch = pending
        pending.removeAll(keepingCapacity: pending.capacity <= Self.batchBytes * 2)
        writing.lock()
        condition.unlock()
        defer { writing.unlock() }
        batch.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR || errno == EAGAIN {
                    continue
                } else {
                    return  // the descriptor is gone (closed stderr): nothing else to do with a log line
                }
            }
        }
    }
}
