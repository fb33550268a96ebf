import AccessProtocol
import AccessService
import AccessStore
import ArgumentParser
import AsanaAPI
import Foundation
import LineRPC
import Logging

/// `asana-accessd credentials put|list|delete`: manage the sealed Asana credentials.
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Store, list and delete sealed Asana credentials.",
        subcommands: [Put.self, List.self, Delete.self])

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
                without asking Asana, for when Asana is unreachable from this host (the workspace must then be a gid).
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
            // The lock first, so a running server refuses this at once, before any call to Asana.
            let (store, lock) = try data.openStoreForWriting(purpose: "credentials put")
            defer { lock.release() }
            let raw: Data
            if let secretFile {
                guard let contents = FileManager.default.contents(atPath: secretFile) else {
                    throw CommandFailure("cannot read --secret-file \(secretFile)")
                }
                raw = contents
            } else {
                guard isatty(STDIN_FILENO) == 0 else {
                    throw CommandFailure("reading the secret from a terminal would show it as typed: pipe it on stdin or pass --secret-file")
                }
                raw = FileHandle.standardInput.readDataToEndOfFile()
            }
            let secret = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw CommandFailure("the secret is empty: pipe it on stdin or pass --secret-file") }
            guard !secret.contains(where: \.isNewline) else { throw CommandFailure("the secret has more than one line") }

            let gid: String
            let checked: String
            if noCheck {
                guard workspace.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), workspace.utf8.count <= 32 else {
                    throw CommandFailure("with --no-check the workspace must be a gid (1 to 32 digits): a name can only be resolved by asking Asana")
                }
                gid = workspace
                checked = "skipped"
                print("checks skipped (--no-check): nothing was asked of Asana")
            } else {
                let asana = AsanaClientFactory(
                    configuration: AsanaClientConfiguration(baseURL: asanaBaseURL, maxAttempts: 2, requestTimeout: .seconds(20)),
                    transport: HTTPClientAsanaTransport(timeout: .seconds(20)), logger: Logger(label: "asana-accessd.credentials"))
                (gid, checked) = try await check(secret: secret, asana: asana)
            }

            let summary = try await store.putCredential(workspaceGid: gid, purpose: purpose, kind: kind, secret: secret, at: Date())
            _ = try await store.appendAuditEvent(AuditEventDraft(
                at: Date(), principal: "local:\(ProcessInfo.processInfo.userName)", method: "credentials.put",
                params: jsonText(["checks": checked, "kind": kind.rawValue, "purpose": purpose.rawValue, "workspace": gid]),
                result: jsonText(["fingerprint": summary.fingerprint]), outcome: "ok"))
            print("stored \(purpose.rawValue) credential for workspace \(gid): \(kind.rawValue) \(summary.fingerprint)")
        }

        /// Resolves the workspace with the secret and runs the connection test, printing each check.
        /// - Returns: the gid, and `passed` or `forced`.
        /// - Throws: ``CommandFailure`` (nothing stored) when a check fails that `--force` does not cover.
        private func check(secret: String, asana: AsanaClientFactory) async throws -> (gid: String, checked: String) {
            let gid: String
            do {
                gid = try await AccessService.resolveWorkspace(workspace, token: secret, asana: asana)
            } catch let error as RPCError {
                throw CommandFailure("\(error.message); nothing stored")
            }
            if gid != workspace { print("workspace \"\(workspace)\" is \(gid)") }
            let result = await CredentialChecker(asana: asana).run(workspace: gid, purpose: purpose, token: secret)
            print("checking the \(purpose.rawValue) credential for \(CredentialChecker.label(result.workspace)) (reads only, nothing is written to Asana):")
            for check in result.checks {
                print("  \(check.ok ? "PASS" : "FAIL") \(check.name): \(check.detail)")
                if let fix = check.fix { print("       \(check.ok ? "note" : "fix"): \(fix)") }
            }
            let failures = result.failures
            if failures.isEmpty { return (gid, "passed") }
            if force, purpose == .provision, failures.allSatisfy({ $0.name == "admin" }) {
                print("--force: storing although the admin check failed; provision calls will be refused by Asana until the user is an admin")
                return (gid, "forced")
            }
            let forceHint = purpose == .provision && failures.allSatisfy({ $0.name == "admin" }) ? " (--force stores it anyway)" : ""
            throw CommandFailure("\(failures.count) check\(failures.count == 1 ? "" : "s") failed (\(failures.map(\.name).joined(separator: ", "))): nothing stored\(forceHint)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored credentials (fingerprints only, never secrets).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let summaries = try await data.openStore().credentialSummaries()
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
        static let configuration = CommandConfiguration(abstract: "Delete a stored credential.")
        @OptionGroup var data: DataOptions
        @Option(help: "Workspace gid.") var workspace: String
        @Option(help: "provision or sync.") var purpose: CredentialPurpose

        func run() async throws {
            let (store, lock) = try data.openStoreForWriting(purpose: "credentials delete")
            defer { lock.release() }
            guard try await store.deleteCredential(workspaceGid: workspace, purpose: purpose) else {
                throw CommandFailure("no \(purpose.rawValue) credential for workspace \(workspace)")
            }
            _ = try await store.appendAuditEvent(AuditEventDraft(
                at: Date(), principal: "local:\(ProcessInfo.processInfo.userName)", method: "credentials.delete",
                params: jsonText(["purpose": purpose.rawValue, "workspace": workspace]), result: "{}", outcome: "ok"))
            print("deleted \(purpose.rawValue) credential for workspace \(workspace)")
        }
    }
}

extension CredentialKind: ExpressibleByArgument {}
extension CredentialPurpose: ExpressibleByArgument {}

/// `values` as compact JSON text with sorted keys, for audit events.
func jsonText(_ values: [String: String]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
}
