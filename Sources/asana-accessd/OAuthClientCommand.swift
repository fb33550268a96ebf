import AccessProtocol
import AccessStore
import ArgumentParser
import Foundation

/// `asana-accessd oauth-client put|list|delete`: the client secrets of OAuth apps, sealed like credentials.
///
/// `oauthStart`/`oauthFinish` (and `asana-access oauth`) need the secret of the app they name, to exchange
/// the code and, later, to refresh the tokens.
struct OAuthClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauth-client", abstract: "Store, list and delete the sealed client secrets of OAuth apps.",
        subcommands: [Put.self, List.self, Delete.self])

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal and store an OAuth app's client secret, read from stdin or --secret-file, never from the command line.")
        @OptionGroup var data: DataOptions
        @Option(help: "The app's client id, from Asana's developer console.") var clientId: String
        @Option(name: .customLong("secret-file"), help: "Read the secret from this file instead of stdin.", completion: .file())
        var secretFile: String?

        func run() async throws {
            let raw: Data
            if let secretFile {
                guard let contents = FileManager.default.contents(atPath: secretFile) else { throw CommandFailure("cannot read --secret-file \(secretFile)") }
                raw = contents
            } else {
                guard isatty(STDIN_FILENO) == 0 else {
                    throw CommandFailure("reading the client secret from a terminal would show it as typed: pipe it on stdin or pass --secret-file")
                }
                raw = FileHandle.standardInput.readDataToEndOfFile()
            }
            let secret = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw CommandFailure("the client secret is empty: pipe it on stdin or pass --secret-file") }
            guard !secret.contains(where: \.isNewline) else { throw CommandFailure("the client secret has more than one line") }
            let (store, lock) = try data.openStoreForWriting(purpose: "oauth-client put")
            defer { lock.release() }
            let summary: OAuthClientSummary
            do {
                summary = try await store.putOAuthClient(clientId: clientId, secret: secret, at: Date())
            } catch let error as AccessStoreError {
                throw CommandFailure("\(error)")
            }
            _ = try await store.appendAuditEvent(AuditEventDraft(
                at: Date(), principal: "local:\(ProcessInfo.processInfo.userName)", method: "oauthClient.put",
                params: jsonText(["clientId": clientId]), result: jsonText(["fingerprint": summary.fingerprint]), outcome: "ok"))
            print("stored OAuth app \(clientId): secret \(summary.fingerprint)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored OAuth apps (secret fingerprints only).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let summaries = try await data.openStore().oauthClientSummaries()
            guard !summaries.isEmpty else {
                print("no OAuth apps stored")
                return
            }
            print("CLIENT ID\tFINGERPRINT\tUPDATED")
            for summary in summaries {
                print("\(summary.clientId)\t\(summary.fingerprint)\t\(summary.updatedAt.ISO8601Format())")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a stored OAuth app; credentials it issued can no longer be refreshed.")
        @OptionGroup var data: DataOptions
        @Option(help: "The app's client id.") var clientId: String

        func run() async throws {
            let (store, lock) = try data.openStoreForWriting(purpose: "oauth-client delete")
            defer { lock.release() }
            guard try await store.deleteOAuthClient(clientId: clientId) else { throw CommandFailure("no OAuth app \(clientId) is stored") }
            _ = try await store.appendAuditEvent(AuditEventDraft(
                at: Date(), principal: "local:\(ProcessInfo.processInfo.userName)", method: "oauthClient.delete",
                params: jsonText(["clientId": clientId]), result: "{}", outcome: "ok"))
            print("deleted OAuth app \(clientId)")
        }
    }
}
