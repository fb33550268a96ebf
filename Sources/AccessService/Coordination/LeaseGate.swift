import AccessStore
import Foundation
import Logging

/// Lets one call at a time hold a key — one sync per workspace, one run per idempotency key — across every server
/// on the store, through a lease (``LeaseStore``) named `<prefix><key>`.
///
/// The holder is this server's ``instance`` and a fresh id per call, so two calls on one server exclude each other
/// like calls on two servers. While the body runs, the lease is renewed every third of ``ttl``; a server that dies
/// holding it stops renewing, and the key is free again within ``ttl`` (``defaultTTL``, 30 s, unless set).
struct LeaseGate: Sendable {
    /// How long a lease lives without renewal unless set (`serve --lease-ttl`), in seconds.
    static let defaultTTL: TimeInterval = 30

    let store: any LeaseStore
    /// How long a lease lives without renewal, in seconds: the longest a dead server's key stays taken.
    var ttl: TimeInterval = Self.defaultTTL
    let prefix: String
    /// Names this server in lease holders: `host:pid:random`.
    let instance: String
    let logger: Logger

    /// Runs `body` holding `key`'s lease, released afterwards whatever `body` does.
    /// - Throws: `busy()` at once when another call (on this server or another) holds the key; what the store
    ///   throws when it cannot be reached; what `body` throws.
    func withLease<T: Sendable>(_ key: String, busy: () -> any Error, _ body: () async throws -> T) async throws -> T {
        let name = prefix + key
        let holder = "\(instance)/\(UUID().uuidString.prefix(8).lowercased())"
        guard try await store.acquireLease(name, holder: holder, ttl: ttl) else { throw busy() }
        let heartbeat = Task { [store, logger, ttl] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(ttl / 3))
                guard !Task.isCancelled else { return }
                do {
                    if try await !store.renewLease(name, holder: holder, ttl: ttl) {
                        logger.warning("lost a lease while holding it (the store was unreachable for longer than its time to live)",
                                       metadata: ["lease": "\(name)"])
                        return
                    }
                } catch {
                    logger.warning("could not renew a lease", metadata: ["lease": "\(name)", "error": "\(error)"])
                }
            }
        }
        defer { heartbeat.cancel() }
        do {
            let result = try await body()
            await release(name, holder: holder)
            return result
        } catch {
            await release(name, holder: holder)
            throw error
        }
    }

    private func release(_ name: String, holder: String) async {
        do {
            try await store.releaseLease(name, holder: holder)
        } catch {
            // Not fatal: the lease expires within `ttl`.
            logger.warning("could not release a lease; it expires on its own", metadata: ["lease": "\(name)", "error": "\(error)"])
        }
    }

    /// A holder prefix naming this process: host name, pid and 8 random hex digits.
    static func makeInstance() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8).lowercased())"
    }
}
