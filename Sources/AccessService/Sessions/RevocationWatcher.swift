import AccessStore
import Foundation
import ServiceLifecycle

/// On a store shared by several servers, a token can be revoked through another server: this reads the store's
/// revoked tokens every ``period`` into ``AccessService/revokedTokens``, so the connections that authenticated here
/// with one lose their identity at their next call, within about a second of the revocation.
///
/// (On a SQLite store only this server writes, and every revocation passes through it: it needs no watcher.)
public struct RevocationWatcher: Service {
    /// How often the store's revoked tokens are read: 1 s.
    public static let period: Duration = .seconds(1)

    public let service: AccessService

    public init(service: AccessService) {
        self.service = service
    }

    public func run() async throws {
        _ = try? await cancelWhenGracefulShutdown { [service] in
            while !Task.isCancelled {
                await service.refreshRevokedTokens()
                try await Task.sleep(for: Self.period)
            }
        }
    }
}

extension AccessService {
    /// Records every revoked token of the store in ``revokedTokens`` (names are never reused, so a name once revoked
    /// stays revoked); a store failure is logged and tried again at the next period.
    func refreshRevokedTokens() async {
        do {
            for token in try await store.apiTokens() where token.revokedAt != nil {
                revokedTokens.record(token.name)
            }
        } catch {
            logger.warning("could not read the revoked tokens; trying again", metadata: ["error": "\(error)"])
        }
    }
}
