import AccessProtocol
import AccessService
import AccessStore
import LineRPC
import ArgumentParser
import Foundation

/// `asana-accessd oauth-client put|list|delete`: the client secrets of OAuth apps, sealed like credentials, through the
/// use cases of `putOAuthClient`, `listOAuthClients` and `deleteOAuthClient` (see ``AdminDoor``).
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
            let secret = try readSecret(file: secretFile, what: "the client secret")
            let door = try await AdminDoor.open(data, writing: "oauth-client put")
            defer { door.close() }
            let summary: OAuthClientSummary
            do {
                summary = try await door.service.putOAuthClient(PutOAuthClient.Params(clientId: clientId, clientSecret: secret), principal: door.principal)
            } catch let error as RPCError {
                throw error.commandFailure
            }
            print("stored OAuth app \(clientId): secret \(summary.fingerprint)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored OAuth apps (secret fingerprints only).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let summaries = try await AdminDoor.open(data, writing: nil).service.listOAuthClients()
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
            let door = try await AdminDoor.open(data, writing: "oauth-client delete")
            defer { door.close() }
            let done: Done
            do {
                done = try await door.service.deleteOAuthClient(DeleteOAuthClient.Params(clientId: clientId), principal: door.principal)
            } catch let error as RPCError {
                throw error.commandFailure
            }
            guard done.done else { throw CommandFailure("no OAuth app \(clientId) is stored") }
            print("deleted OAuth app \(clientId)")
        }
    }
}
