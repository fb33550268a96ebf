import AccessProtocol
import AccessService
import AccessStore
import ArgumentParser
import Foundation
import Logging

/// `asana-accessd rotate-key`: a new master key, every credential re-sealed under it in one transaction.
struct RotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Make a new master key and re-seal every stored credential under it; refuses while a server runs on the data directory.",
        discussion: """
            Steps: the new key is written next to the current one as <key>.new (mode 0600); every \
            credential is re-sealed under it in one database transaction; then the current key file is \
            renamed <key>.retired-<time> and the new one takes its name. The audit chain is re-MACed under \
            the new key in the same transaction (its MACs derive from the master key): heads recorded with \
            `audit head` before the rotation no longer match; the rotateKey event records the chain's state and \
            head before it (previousChain), and the new head is printed. Keep the retired key as long as \
            you keep database backups made before the rotation: they need it. It takes the data directory's \
            lock first, so it refuses at once (exit 1, naming the pid) while `serve` runs on the data directory: \
            stop the server, rotate, start it again.
            """)

    @OptionGroup var data: DataOptions

    func run() async throws {
        let keyPath = data.resolvedMasterKeyPath
        let newKeyPath = keyPath + ".new"
        let (store, lock) = try data.openStoreForWriting(purpose: "rotate-key")
        defer { lock.release() }
        let oldKey = try MasterKey.load(from: keyPath)
        guard !FileManager.default.fileExists(atPath: newKeyPath) else {
            throw CommandFailure("\(newKeyPath) exists, left by an earlier rotation that did not finish. If the database opens with it (asana-accessd credentials list --master-key \(newKeyPath)), move it to \(keyPath); otherwise delete it, then run rotate-key again.")
        }
        // Re-sealing also re-MACs the audit chain under the new key (same transaction): check it under
        // the old key first and record what was found, so a chain broken before is not made to look intact.
        let chainBefore = try await store.verifyAuditChain()
        let newKey = try MasterKey.create(at: newKeyPath)
        let (rotated, count) = try await store.resealCredentials(with: newKey, at: Date())
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let retiredPath = keyPath + ".retired-" + stamp
        do {
            try FileManager.default.moveItem(atPath: keyPath, toPath: retiredPath)
            try FileManager.default.moveItem(atPath: newKeyPath, toPath: keyPath)
        } catch {
            throw CommandFailure("the credentials are re-sealed under the new key \(newKeyPath), but moving the key files failed (\(error)): move \(newKeyPath) to \(keyPath) by hand")
        }
        let runtime = ServiceRuntime(configuration: ServiceRuntime.Configuration(), logger: Logger(label: "asana-accessd.admin"))
        try await runtime.makeService(store: rotated).recordKeyRotation(
            oldKey: oldKey.fingerprint, newKey: newKey.fingerprint, credentials: count, previousChain: Self.summary(chainBefore),
            chainWasIntact: chainBefore.isIntact, principal: AccessService.localPrincipal())
        let head = try await rotated.auditChainHead().anchor
        let apps = try await rotated.oauthClientSummaries().count
        print("re-sealed \(count) credential(s), \(apps) OAuth app secret(s) and any pending OAuth authorization under the new master key \(keyPath) (\(newKey.fingerprint)); the old key is now \(retiredPath): keep it for older backups, then delete it. Restart a running server.")
        print("the audit chain is re-MACed under the new key: every MAC changed; record the new head \(head) (asana-accessd audit head)")
    }

    /// `intact: N events, head SEQ:MAC` or `broken at event N: …`, for the rotateKey audit event.
    static func summary(_ report: AuditChainReport) -> String {
        let head = "\(report.lastId ?? 0):\(AuditEvent.hex(report.lastHash ?? Data(repeating: 0, count: 32)))"
        guard let problem = report.problem else { return "intact: \(report.checkedCount) events, head \(head)" }
        return "broken at event \(problem.eventId.map(String.init) ?? "head"): \(problem) (\(report.checkedCount) events verified before it, up to \(head))"
    }
}
