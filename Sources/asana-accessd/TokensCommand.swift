#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AccessProtocol
import AccessService
import AccessStore
import LineRPC
import ArgumentParser
import Foundation

/// `asana-accessd tokens create|list|revoke`: API tokens that clients present with `authenticate`, through the
/// use cases of `createToken`, `listTokens` and `revokeToken` (see ``AdminDoor``).
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke API tokens (stored as hashes only).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token; it is printed once (on stdout, or into --output FILE with mode 0600) and cannot be shown again.")
        @OptionGroup var data: DataOptions
        @Option(help: "A unique name: 1-64 of A-Z a-z 0-9 . _ -") var name: String
        @Option(help: "reader (listUsers, sync runs), operator (+ sync) or admin (+ provision, credentials, tokens).") var role: AccessRole
        @Option(name: .customLong("expires-in"), help: ArgumentHelp("Lifetime: Nd (days), Nh (hours) or Nm (minutes), between 1 minute and 3650 days, e.g. 90d; default: never expires.", valueName: "duration"))
        var expiresIn: String?
        @Option(help: ArgumentHelp("Write the token to this file (created with mode 0600; an existing file is refused unless --force) instead of stdout.", valueName: "file"),
                completion: .file())
        var output: String?
        @Flag(help: "With --output: replace an existing file.") var force = false

        func validate() throws {
            if let expiresIn, APITokenLifetime.parse(expiresIn) == nil {
                throw ValidationError("--expires-in must be a positive whole number of days, hours or minutes: Nd, Nh or Nm (e.g. 90d)")
            }
            if force, output == nil { throw ValidationError("--force only applies to --output") }
        }

        func run() async throws {
            let door = try await AdminDoor.open(data, writing: "tokens create")
            defer { door.close() }
            // The file first: if it cannot be made, no token exists that nobody holds.
            let file = try output.map { try Self.createPrivateFile($0, replace: force) }
            let created: CreateToken.Result
            do {
                created = try await door.service.createToken(CreateToken.Params(name: name, role: role, expiresIn: expiresIn), principal: door.principal)
            } catch let error as RPCError {
                if let output, let file { _ = close(file); _ = unlink(output) }
                throw error.commandFailure
            }
            let expiry = created.summary.expiresAt.map { ", expires \($0.ISO8601Format())" } ?? ""
            if let output, let file {
                try Self.write(created.token + "\n", to: file, path: output)
                print("token \(name) (\(role.rawValue)\(expiry)) written to \(output) (mode 0600); only its hash is kept")
            } else {
                print(created.token)
                FileHandle.standardError.write(Data("token \(name) (\(role.rawValue)\(expiry)) created; store it now: only its hash is kept\n".utf8))
            }
        }

        /// Creates `path` with mode 0600 (`O_EXCL`): an existing file is refused, or with `replace` removed first.
        /// - Returns: the open descriptor.
        static func createPrivateFile(_ path: String, replace: Bool) throws -> Int32 {
            if replace, unlink(path) != 0, errno != ENOENT {
                throw CommandFailure("cannot replace --output \(path): \(String(cString: strerror(errno)))")
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd < 0 {
                if errno == EEXIST { throw CommandFailure("--output \(path) exists: choose another file, or pass --force to replace it") }
                throw CommandFailure("cannot create --output \(path): \(String(cString: strerror(errno)))")
            }
            _ = fchmod(fd, 0o600)  // whatever the umask
            return fd
        }

        /// Writes `text` to `fd`, syncs and closes it.
        static func write(_ text: String, to fd: Int32, path: String) throws {
            let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            do {
                try file.write(contentsOf: Data(text.utf8))
                try file.synchronize()
                try file.close()
            } catch {
                throw CommandFailure("writing --output \(path) failed (\(error.localizedDescription)): the token was created but not saved; revoke it with `asana-accessd tokens revoke` and create another")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens: name, role, dates (expiry included); never the token text.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let tokens = try await AdminDoor.open(data, writing: nil).service.listTokens()
            guard !tokens.isEmpty else {
                print("no tokens")
                return
            }
            let now = Date()
            print("NAME\tROLE\tCREATED\tLAST USED\tREVOKED\tEXPIRES")
            for token in tokens {
                let expires = token.expiresAt.map { $0.ISO8601Format() + (token.isExpired(at: now) ? " (expired)" : "") } ?? "never"
                print("\(token.name)\t\(token.role.rawValue)\t\(token.createdAt.ISO8601Format())\t\(token.lastUsedAt?.ISO8601Format() ?? "-")\t\(token.revokedAt?.ISO8601Format() ?? "-")\t\(expires)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: new connections can no longer authenticate with it.")
        @OptionGroup var data: DataOptions
        @Option(help: "The token's name.") var name: String

        func run() async throws {
            let door = try await AdminDoor.open(data, writing: "tokens revoke")
            defer { door.close() }
            guard try await door.service.revokeToken(RevokeToken.Params(name: name), principal: door.principal).done else {
                throw CommandFailure("no active token named \(name)")
            }
            print("revoked token \(name)")
        }
    }
}

extension AccessRole: ExpressibleByArgument {}
