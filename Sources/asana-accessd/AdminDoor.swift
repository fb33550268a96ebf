import AccessProtocol
import AccessService
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging

/// The offline admin commands' way in: they open the store, build the service through the same
/// composition root as `serve` (``ServiceRuntime``, without the listener) and call the use case the RPC
/// method calls, as the principal `local:<operating-system user>` (``AccessService/localPrincipal(userName:)``).
struct AdminDoor {
    let service: AccessService
    /// The data directory's lock for a command that writes (nil for one that only reads); kept until the command ends.
    let lock: DataDirectoryLock?
    let principal = AccessService.localPrincipal()

    /// Opens the store of `data` (taking the data-directory lock first when `writing`) and builds the service.
    /// - Parameters:
    ///   - writing: the command's name for the lock file (e.g. `credentials put`), or nil for a read-only command.
    ///   - asanaBaseURL: Asana's API base URL, for use cases that ask Asana (`putCredential`'s checks, `deleteCredential`'s revocation).
    /// - Throws: `AccessStoreError.dataDirectoryLocked` at once when a server holds the data directory; what ``DataOptions/openStore()`` throws.
    static func open(_ data: DataOptions, writing purpose: String?, asanaBaseURL: String = AsanaClientConfiguration.asanaBaseURL) async throws -> AdminDoor {
        // The lock first, so a running server refuses a writing command at once, before any call to Asana. A
        // PostgreSQL store is shared by design (the servers coordinate through it): no lock.
        let lock = data.databaseURL == nil ? try purpose.map { try data.lockDataDirectory(purpose: $0) } : nil
        let store = try await data.openStore()
        let runtime = ServiceRuntime(configuration: ServiceRuntime.Configuration(asanaBaseURL: asanaBaseURL), logger: Logger(label: "asana-accessd.admin"))
        return AdminDoor(service: runtime.makeService(store: store), lock: lock)
    }

    /// Releases the lock (if any). A PostgreSQL store's connections close when the command's process ends.
    func close() { lock?.release() }
}

extension RPCError {
    /// The message for a person at a terminal: without JSON-RPC's `Invalid params: ` prefix.
    var commandMessage: String {
        message.hasPrefix("Invalid params: ") ? String(message.dropFirst("Invalid params: ".count)) : message
    }

    /// A refusal of a use case as a command failure: ``commandMessage``, and `(name)` when it has one.
    var commandFailure: CommandFailure {
        CommandFailure(name.map { "\(commandMessage) (\($0))" } ?? commandMessage)
    }
}

/// Reads a one-line secret from `file`, or from stdin (which must not be a terminal), trimmed.
/// - Parameter what: how messages name it (`the secret`, `the client secret`).
/// - Throws: ``CommandFailure`` when the file cannot be read, stdin is a terminal, or the secret is empty or has more than one line.
func readSecret(file: String?, what: String) throws -> String {
    let raw: Data
    if let file {
        guard let contents = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read --secret-file \(file)") }
        raw = contents
    } else {
        guard isatty(STDIN_FILENO) == 0 else {
            throw CommandFailure("reading \(what) from a terminal would show it as typed: pipe it on stdin or pass --secret-file")
        }
        raw = FileHandle.standardInput.readDataToEndOfFile()
    }
    let secret = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard !secret.isEmpty else { throw CommandFailure("\(what) is empty: pipe it on stdin or pass --secret-file") }
    guard !secret.contains(where: \.isNewline) else { throw CommandFailure("\(what) has more than one line") }
    return secret
}
