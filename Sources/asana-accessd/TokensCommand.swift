import AccessStore
import ArgumentParser
import Foundation

/// `asana-accessd tokens create|list|revoke`: API tokens that clients present with `authenticate`.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke API tokens (stored as hashes only).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token; it is printed once, on stdout, and cannot be shown again.")
        @OptionGroup var data: DataOptions
        @Option(help: "A unique name: 1-64 of A-Z a-z 0-9 . _ -") var name: String
        @Option(help: "reader (listUsers, sync runs), operator (+ sync) or admin (+ provision, credentials, tokens).") var role: AccessRole

        func run() throws {
            let (store, _) = try data.initializeStore()
            let created: (token: String, summary: APITokenSummary)
            do {
                created = try store.createAPIToken(name: name, role: role, at: Date())
            } catch let error as AccessStoreError {
                throw CommandFailure("\(error)")
            }
            _ = try store.appendAuditEvent(AuditEventDraft(
                at: Date(), principal: "local:\(ProcessInfo.processInfo.userName)", method: "tokens.create",
                params: jsonText(["name": name, "role": role.rawValue]), result: jsonText(["id": created.summary.id]), outcome: "ok"))
            print(created.token)
            FileHandle.standardError.write(Data("token \(name) (\(role.rawValue)) created; store it now: only its hash is kept\n".utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens: name, role, dates; never the token text.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let tokens = try data.openStore().apiTokens()
            guard !tokens.isEmpty else {
                print("no tokens")
                return
            }
            print("NAME\tROLE\tCREATED\tLAST USED\tREVOKED")
            for token in tokens {
                print("\(token.name)\t\(token.role.rawValue)\t\(token.createdAt.ISO8601Format())\t\(token.lastUsedAt?.ISO8601Format() ?? "-")\t\(token.revokedAt?.ISO8601Format() ?? "-")")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: new connections can no longer authenticate with it.")
        @OptionGroup var data: DataOptions
        @Option(help: "The token's name.") var name: String

        func run() throws {
            let store = try data.openStore()
            guard try store.revokeAPIToken(name: name, at: Date()) else {
                throw CommandFailure("no active token named \(name)")
            }
            _ = try store.appendAuditEvent(AuditEventDraft(
                at: Date(), principal: "local:\(ProcessInfo.processInfo.userName)", method: "tokens.revoke",
                params: jsonText(["name": name]), result: "{}", outcome: "ok"))
            print("revoked token \(name)")
        }
    }
}

extension AccessRole: ExpressibleByArgument {}
