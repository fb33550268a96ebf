import AccessStore
import ArgumentParser
import Foundation

/// `asana-accessd credentials put|list|delete`: manage the sealed Asana credentials.
struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Store, list and delete sealed Asana credentials.",
        subcommands: [Put.self, List.self, Delete.self])

    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal and store a credential; the secret is read from stdin or --secret-file, never from the command line.")

        @OptionGroup var data: DataOptions
        @Option(help: "Workspace gid.") var workspace: String
        @Option(help: "pat (personal access token or service-account token) or oauth (access token).") var kind: CredentialKind = .pat
        @Option(help: "provision (admin token for add/remove) or sync (read access for sync).") var purpose: CredentialPurpose
        @Option(name: .customLong("secret-file"), help: "Read the secret from this file instead of stdin.", completion: .file())
        var secretFile: String?

        func run() throws {
            let raw: Data
            if let secretFile {
                guard let contents = FileManager.default.contents(atPath: secretFile) else {
                    throw CommandFailure("cannot read --secret-file \(secretFile)")
                }
                raw = contents
            } else {
                raw = FileHandle.standardInput.readDataToEndOfFile()
            }
            let secret = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw CommandFailure("the secret is empty: pipe it on stdin or pass --secret-file") }
            guard !secret.contains(where: \.isNewline) else { throw CommandFailure("the secret has more than one line") }
            let (store, _) = try data.initializeStore()
            let summary = try store.putCredential(workspaceGid: workspace, purpose: purpose, kind: kind, secret: secret, at: Date())
            _ = try store.appendAuditEvent(AuditEventDraft(
                at: Date(), principal: "local:\(ProcessInfo.processInfo.userName)", method: "credentials.put",
                params: jsonText(["kind": kind.rawValue, "purpose": purpose.rawValue, "workspace": workspace]),
                result: jsonText(["fingerprint": summary.fingerprint]), outcome: "ok"))
            print("stored \(purpose.rawValue) credential for workspace \(workspace): \(kind.rawValue) \(summary.fingerprint)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored credentials (fingerprints only, never secrets).")
        @OptionGroup var data: DataOptions

        func run() throws {
            let summaries = try data.openStore().credentialSummaries()
            guard !summaries.isEmpty else {
                print("no credentials stored")
                return
            }
            print("WORKSPACE\tPURPOSE\tKIND\tFINGERPRINT\tUPDATED")
            for summary in summaries {
                print("\(summary.workspaceGid)\t\(summary.purpose.rawValue)\t\(summary.kind.rawValue)\t\(summary.fingerprint)\t\(summary.updatedAt.ISO8601Format())")
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored credential.")
        @OptionGroup var data: DataOptions
        @Option(help: "Workspace gid.") var workspace: String
        @Option(help: "provision or sync.") var purpose: CredentialPurpose

        func run() throws {
            let store = try data.openStore()
            guard try store.deleteCredential(workspaceGid: workspace, purpose: purpose) else {
                throw CommandFailure("no \(purpose.rawValue) credential for workspace \(workspace)")
            }
            _ = try store.appendAuditEvent(AuditEventDraft(
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
