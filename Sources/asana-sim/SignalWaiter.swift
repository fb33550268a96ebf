import Dispatch
import Foundation

/// Waits for the first of some POSIX signals (SIGINT, SIGTERM) using Dispatch signal sources; the signals'
/// default actions are ignored from `init` on, so the process can shut down cleanly.
final class SignalWaiter: Sendable {
    private let stream: AsyncStream<Int32>
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The number of the first signal received.
    func wait() async -> Int32 {
        for await number in stream { return number }
        return 0
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
