import AccessProtocol
import AccessService
import AccessStore
import ArgumentParser
import AsanaAPI
import Foundation
import LineRPC
import Logging

/// `asana-accessd credentials put|list|delete|test`: manage the sealed Asana credentials, through the use cases of
/// `putCredential`, `listCredentials`, `deleteCredential` and `testCredential` (see ``AdminDoor``).
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Store, list and delete sealed Asana credentials.",
        subcommands: [Put.self, List.self, Delete.self, Test.self])

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a credential against Asana, then seal and store it; the secret is read from stdin or --secret-file, never from the command line.",
            discussion: """
                Before storing, the connection test runs (reads only, nothing is written to Asana): the token \
                works (GET /users/me) and whose it is; the workspace is visible; for provision, the token's user \
                is an active admin of the workspace; for sync, each read a sync makes is permitted (a 403 on \
                workspace memberships is a capability gap: flags would be unknown, not a failure). Each check is \
                printed with PASS or FAIL and, on failure, what to do. Nothing is stored when a check fails, \
                except with --force for a provision token whose user is not an admin. --no-check stores \
                without asking Asana, for when Asana is unreachable from this host (the workspace must then be a gid). \
                This is the putCredential RPC method's use case (--force and --no-check are its force and check: false), \
                run as local:<os user>: the audit event is putCredential.
                """)

        @OptionGroup var data: DataOptions
        @Option(help: "Workspace gid, or its exact name (resolved with this secret through GET /workspaces).") var workspace: String
        @Option(help: "pat (personal access token or service-account token) or oauth (access token).") var kind: CredentialKind = .pat
        @Option(help: "provision (admin token for add/remove) or sync (read access for sync).") var purpose: CredentialPurpose
        @Option(name: .customLong("secret-file"), help: "Read the secret from this file instead of stdin.", completion: .file())
        var secretFile: String?
        @Option(name: .customLong("asana-base-url"), help: "Asana API base URL for the checks (env ASANA_ACCESSD_ASANA_BASE_URL).")
        var asanaBaseURL: String = ProcessInfo.processInfo.environment["ASANA_ACCESSD_ASANA_BASE_URL"] ?? AsanaClientConfiguration.asanaBaseURL
        @Flag(help: "Store a provision credential even though its user is not an admin of the workspace (other failed checks still refuse).")
        var force = false
        @Flag(name: .customLong("no-check"), help: "Store without checking against Asana (when Asana is unreachable from this host); --workspace must be a gid.")
        var noCheck = false

        func validate() throws {
            guard let url = URL(string: asanaBaseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--asana-base-url \(asanaBaseURL) is not an http(s) URL; Asana's is https://app.asana.com/api/1.0")
            }
            guard !workspace.isEmpty else { throw ValidationError("--workspace must not be empty") }
        }

        func run() async throws {
            // The lock first (inside the door), so a running server refuses this at once, before any call to Asana.
            let door = try await AdminDoor.open(data, writing: "credentials put", asanaBaseURL: asanaBaseURL)
            defer { door.close() }
            let secret = try readSecret(file: secretFile, what: "the secret")
            let params = PutCredential.Params(workspace: workspace, purpose: purpose, kind: kind, secret: secret,
                                              force: force ? true : nil, check: noCheck ? false : nil)
            let stored: AccessService.StoredCredential
            do {
                stored = try await door.service.putCredential(params, principal: door.principal)
            } catch let error as RPCError where error.kind == .credentialChecksFailed {
                let gid = error.data?["workspace"]?.stringValue ?? workspace
                let checks = (try? error.data?["checks"]?.decoded(as: [TestCredential.Check].self)) ?? []
                print(Self.report(requested: workspace, workspace: WorkspaceName(gid: gid, name: nil), checks: checks), terminator: "")
                let failures = checks.filter { !$0.ok }
                let forceHint = purpose == .provision && failures.allSatisfy({ $0.name == "admin" }) ? " (--force stores it anyway)" : ""
                throw CommandFailure("\(failures.count) check\(failures.count == 1 ? "" : "s") failed (\(failures.map(\.name).joined(separator: ", "))): nothing stored\(forceHint)")
            } catch let error as RPCError {
                throw CommandFailure("\(error.commandMessage); nothing stored")
            }
            if noCheck { print("checks skipped (--no-check): nothing was asked of Asana") }
            if let result = stored.checks {
                print(Self.report(requested: workspace, workspace: result.workspace, checks: result.checks), terminator: "")
            }
            if stored.checked == "forced" {
                print("--force: storing although the admin check failed; provision calls will be refused by Asana until the user is an admin")
            }
            let summary = stored.summary
            print("stored \(purpose.rawValue) credential for workspace \(summary.workspaceGid): \(kind.rawValue) \(summary.fingerprint)")
        }

        /// The connection test as printed: the resolved gid when a name was given, then each check with
        /// PASS or FAIL and, on a failure or a capability gap, what to do.
        static func report(requested: String, workspace: WorkspaceName, checks: [TestCredential.Check]) -> String {
            var lines: [String] = []
            if workspace.gid != requested { lines.append("workspace \"\(requested)\" is \(workspace.gid)") }
            let purpose = checks.contains { $0.name == "admin" } ? "provision" : "sync"
            lines.append("checking the \(purpose) credential for \(CredentialChecker.label(workspace)) (reads only, nothing is written to Asana):")
            for check in checks {
                lines.append("  \(check.ok ? "PASS" : "FAIL") \(check.name): \(check.detail)")
                if let fix = check.fix { lines.append("       \(check.ok ? "note" : "fix"): \(fix)") }
            }
            return lines.map { $0 + "\n" }.joined()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored credentials (fingerprints only, never secrets).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let summaries = try await AdminDoor.open(data, writing: nil).service.listCredentials()
            guard !summaries.isEmpty else {
                print("no credentials stored")
                return
            }
            print("WORKSPACE\tPURPOSE\tKIND\tFINGERPRINT\tUPDATED\tSTATE")
            for summary in summaries {
                let state = summary.state.rawValue + (summary.stateReason.map { ": \($0)" } ?? "")
                print("\(summary.workspaceGid)\t\(summary.purpose.rawValue)\t\(summary.kind.rawValue)\t\(summary.fingerprint)\t\(summary.updatedAt.ISO8601Format())\t\(state)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a stored credential; an OAuth one is first revoked at Asana (as deleteCredential does).")
        @OptionGroup var data: DataOptions
        @Option(help: "Workspace gid, or its exact name (resolved with the stored credentials).") var workspace: String
        @Option(help: "provision or sync.") var purpose: CredentialPurpose
        @Option(name: .customLong("asana-base-url"), help: "Asana API base URL, for revoking an OAuth grant (env ASANA_ACCESSD_ASANA_BASE_URL).")
        var asanaBaseURL: String = ProcessInfo.processInfo.environment["ASANA_ACCESSD_ASANA_BASE_URL"] ?? AsanaClientConfiguration.asanaBaseURL

        func run() async throws {
            let door = try await AdminDoor.open(data, writing: "credentials delete", asanaBaseURL: asanaBaseURL)
            defer { door.close() }
            let result: DeleteCredential.Result
            do {
                result = try await door.service.deleteCredential(CredentialKey(workspace: workspace, purpose: purpose), principal: door.principal)
            } catch let error as RPCError {
                throw error.commandFailure
            }
            guard result.done else { throw CommandFailure("no \(purpose.rawValue) credential for workspace \(workspace)") }
            switch result.revokedAtAsana {
            case true?: print("revoked the OAuth grant at Asana")
            case false?: print("could not revoke the OAuth grant at Asana: revoke the app there (Asana's My settings → Apps)")
            case nil: break
            }
            print("deleted \(purpose.rawValue) credential for workspace \(workspace)")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the connection test on a stored credential (as testCredential does): reads only, nothing is written to Asana or the store.")
        @OptionGroup var data: DataOptions
        @Option(help: "Workspace gid, or its exact name (resolved with the stored credentials).") var workspace: String
        @Option(help: "provision or sync.") var purpose: CredentialPurpose
        @Option(name: .customLong("asana-base-url"), help: "Asana API base URL (env ASANA_ACCESSD_ASANA_BASE_URL).")
        var asanaBaseURL: String = ProcessInfo.processInfo.environment["ASANA_ACCESSD_ASANA_BASE_URL"] ?? AsanaClientConfiguration.asanaBaseURL

        func run() async throws {
            let door = try await AdminDoor.open(data, writing: nil, asanaBaseURL: asanaBaseURL)
            let result: TestCredential.Result
            do {
                result = try await door.service.testCredential(CredentialKey(workspace: workspace, purpose: purpose))
            } catch let error as RPCError {
                throw error.commandFailure
            }
            print(Put.report(requested: workspace, workspace: result.workspace, checks: result.checks), terminator: "")
            guard result.ok else {
                throw CommandFailure("\(result.failures.count) check\(result.failures.count == 1 ? "" : "s") failed (\(result.failures.map(\.name).joined(separator: ", ")))")
            }
        }
    }
}

extension CredentialKind: ExpressibleByArgument {}
extension CredentialPurpose: ExpressibleByArgument {}

