import AccessStore
import Foundation
import ServiceLifecycle

/// Prunes access history older than the retention (`serve --history-retention DAYS`) beside the server:
/// at start, then every ``Configuration/period``. Never the current picture (``HistoryStore/pruneHistory(before:)``).
public struct HistoryPruner: Service {
    public struct Configuration: Sendable {
        /// How long history is kept.
        public var retention: Duration
        /// Time between two prunes (default one hour).
        public var period: Duration

        public init(retention: Duration, period: Duration = .seconds(3600)) {
            self.retention = retention
            self.period = period
        }
    }

    public let service: AccessService
    public let configuration: Configuration

    public init(service: AccessService, configuration: Configuration) {
        self.service = service
        self.configuration = configuration
    }

    public func run() async throws {
        _ = try? await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                await prune()
                try await Task.sleep(for: configuration.period)
            }
        }
    }

    /// One prune at the service's time minus the retention; a failure is logged and tried again next period.
    func prune() async {
        let cutoff = service.now().addingTimeInterval(-configuration.retention.timeInterval)
        do {
            let counts = try await service.store.pruneHistory(before: cutoff)
            if counts.intervals + counts.changes > 0 {
                service.logger.info("pruned access history", metadata: [
                    "before": "\(JSONEncoder.protocolTimestamp(cutoff))", "intervals": "\(counts.intervals)", "changes": "\(counts.changes)",
                ])
            }
        } catch {
            service.logger.error("could not prune access history; trying again later: \(error)")
        }
    }
}
