import AccessProtocol
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access oauth client-put|start|finish`: authorize the server with Asana over OAuth.
    ///
    /// The flow: store the app's client secret once (`client-put`), then `start` prints Asana's authorize URL;
    /// open it signed in as the person granting access, approve, and hand the redirect URL (or its `code` and
    /// `state`) to `finish`, which stores the tokens sealed on the server.
    struct OAuth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "oauth",
            abstract: "Authorize the server with Asana over OAuth (PKCE): store the app secret, start, finish.",
            subcommands: [ClientPut.self, ClientList.self, ClientDelete.self, Start.self, Finish.self])
    }
}

extension AsanaAccessCommand.OAuth {
    /// `oauth client-put --client-id ID [--secret-file FILE]`: calls `putOAuthClient`; the secret comes from
    /// stdin or a file, never from the command line.
    struct ClientPut: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "client-put",
            abstract: "Store an OAuth app's client secret on the server (read from stdin or --secret-file).")

        @Option(help: ArgumentHelp("The app's client id from Asana's developer console.", valueName: "id"))
        var clientId: String

        @Option(help: ArgumentHelp("Read the client secret from this file instead of stdin.", valueName: "file"), completion: .file())
        var secretFile: String?

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if clientId.isEmpty { throw ValidationError("--client-id must not be empty.") }
        }

        func run() async throws {
            let secret = try SecretInput.read(file: secretFile, what: "the client secret", example: "asana-access oauth client-put …")
            let params: JSONValue = .object(["clientId": .string(clientId), "clientSecret": .string(secret)])
            let result = try await connection.withClient { try await $0.call("putOAuthClient", params: params) }
            switch connection.outputMode {
            case .json: try OutputMode.printJSON(result)
            case .human: print("stored OAuth app \(result["clientId"]?.asText ?? clientId), secret \(result["fingerprint"]?.asText ?? "?")")
            }
        }
    }

    /// `oauth client-list`: calls `listOAuthClients`.
    struct ClientList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "client-list", abstract: "List the OAuth apps whose client secret the server keeps (fingerprints only).")

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func run() async throws {
            let result = try await connection.withClient { try await $0.call("listOAuthClients", params: nil) }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                let items = result["items"]?.asArray ?? []
                if items.isEmpty { print("no OAuth apps stored") }
                for item in items {
                    print("\(item["clientId"]?.asText ?? "?")  secret \(item["fingerprint"]?.asText ?? "?"), stored \(item["updatedAt"]?.asText ?? "?")")
                }
            }
        }
    }

    /// `oauth client-delete --client-id ID`: calls `deleteOAuthClient`.
    struct ClientDelete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "client-delete", abstract: "Delete an OAuth app's stored secret; credentials it issued can no longer be refreshed.")

        @Option(help: ArgumentHelp("The app's client id.", valueName: "id"))
        var clientId: String

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if clientId.isEmpty { throw ValidationError("--client-id must not be empty.") }
        }

        func run() async throws {
            let result = try await connection.withClient { try await $0.call("deleteOAuthClient", params: .object(["clientId": .string(clientId)])) }
            switch connection.outputMode {
            case .json: try OutputMode.printJSON(result)
            case .human: print(result["done"]?.asBool == true ? "deleted OAuth app \(clientId)" : "no OAuth app \(clientId) was stored")
            }
        }
    }

    /// `oauth start --workspace W --client-id ID --redirect-uri URI [--scope S]… [--purpose sync|provision]`.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print Asana's authorize URL; open it in a browser, approve, then run `oauth finish`.",
            discussion: """
                The scopes must match the app's permission type in Asana's developer console. Without --scope, a \
                sync credential asks for the access-sync scopes (openid email profile users:read teams:read \
                team_memberships:read workspaces:read workspaces.typeahead:read), for an app with granular scopes: \
                Asana then refuses workspace memberships, so active/admin/guest/view-only flags are unknown (?). \
                `--scope default` asks for full permissions (a full-permission app): flags are read, and provision \
                works. The redirect URI needs nothing listening on it: after approving, copy the address the \
                browser was sent to (even if the page does not load) and pass it to `oauth finish`. The \
                authorization must be finished within 10 minutes.
                """)

        @Option(help: ArgumentHelp("Workspace: gid or exact name (checked with the granted token at finish).", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @Option(help: ArgumentHelp("The app's client id (its secret stored with `oauth client-put`).", valueName: "id"))
        var clientId: String

        @Option(help: ArgumentHelp("Redirect URI exactly as registered for the app: https, loopback http, or urn:ietf:wg:oauth:2.0:oob.", valueName: "uri"))
        var redirectUri: String

        @Option(name: .customLong("scope"), help: ArgumentHelp("A scope to ask for; repeat for several (default: see above).", valueName: "scope"))
        var scopes: [String] = []

        @Option(help: ArgumentHelp("What the credential is for.", valueName: "sync|provision"), completion: .list(["sync", "provision"]))
        var purpose: String = "sync"

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
            if clientId.isEmpty { throw ValidationError("--client-id must not be empty.") }
            if redirectUri.isEmpty { throw ValidationError("--redirect-uri must not be empty.") }
            if !["sync", "provision"].contains(purpose) { throw ValidationError("--purpose must be sync or provision, got \(purpose).") }
        }

        func run() async throws {
            var params: [String: JSONValue] = [
                "workspace": .string(workspace), "clientId": .string(clientId), "redirectUri": .string(redirectUri), "purpose": .string(purpose),
            ]
            if !scopes.isEmpty { params["scopes"] = .array(scopes.map { .string($0) }) }
            let result = try await connection.withClient { try await $0.call("oauthStart", params: .object(params)) }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                print("open this URL, signed in to Asana as the person granting access, and approve:")
                print(result["authorizeUrl"]?.asText ?? "?")
                print("")
                print("then, within 10 minutes (until \(result["expiresAt"]?.asText ?? "?")), pass the URL Asana redirects to:")
                print("  asana-access oauth finish --redirect-url '<the URL>'")
                print("state: \(result["state"]?.asText ?? "?")")
            }
        }
    }

    /// `oauth finish (--redirect-url URL | --state S --code C)`: calls `oauthFinish`.
    struct Finish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exchange the code from Asana's redirect; the server seals the tokens as the workspace's credential.")

        @Option(help: ArgumentHelp("The whole URL Asana redirected the browser to (holds code and state).", valueName: "url"))
        var redirectUrl: String?

        @Option(help: ArgumentHelp("The state printed by `oauth start` (with --code, instead of --redirect-url).", valueName: "state"))
        var state: String?

        @Option(help: ArgumentHelp("The code from the redirect (with --state, instead of --redirect-url).", valueName: "code"))
        var code: String?

        @Flag(help: "Store a provision credential even though its user is not an admin of the workspace (other failed checks still refuse).")
        var force = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if redirectUrl != nil, state != nil || code != nil {
                throw ValidationError("give either --redirect-url or --state with --code, not both.")
            }
            if redirectUrl == nil, state?.isEmpty ?? true || code?.isEmpty ?? true {
                throw ValidationError("give --redirect-url, or both --state and --code.")
            }
        }

        /// The state and code, from the redirect URL or the two options.
        /// - Throws: `ValidationError` when the URL has no code and state; ``ClientFailure/authorizationRefused(_:)``
        ///   when it carries Asana's `error` (Asana redirects refusals as `?error=…&state=…`, https://developers.asana.com/docs/oauth).
        func stateAndCode() throws -> (state: String, code: String) {
            if let redirectUrl {
                guard let items = URLComponents(string: redirectUrl)?.queryItems else {
                    throw ValidationError("--redirect-url has no query: expected …?code=…&state=…")
                }
                // Form encoding writes spaces as `+`, which URLComponents leaves alone.
                func item(_ name: String) -> String? {
                    items.first { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0.replacingOccurrences(of: "+", with: " ") }
                }
                if let error = item("error") {
                    throw ClientFailure.authorizationRefused(Self.refusal(error, description: item("error_description")))
                }
                guard let state = item("state"), let code = item("code") else {
                    throw ValidationError("--redirect-url must hold both code and state: …?code=…&state=…")
                }
                return (state, code)
            }
            guard let state, let code, !state.isEmpty, !code.isEmpty else {
                throw ValidationError("give --redirect-url, or both --state and --code.")
            }
            return (state, code)
        }

        /// What Asana's refusal means and what to do (https://developers.asana.com/docs/oauth, https://developers.asana.com/docs/oauth-scopes).
        static func refusal(_ error: String, description: String?) -> String {
            let said = "Asana refused the authorization: \(error)\(description.map { " (\($0))" } ?? "")"
            let fix: String
            switch error {
            case "forbidden_scopes":
                fix = "the scopes asked for do not match the app's permission type in Asana's developer console: a full-permission app needs `--scope default`; an app with granular scopes needs granular scopes (the default for sync). Start again with `asana-access oauth start`."
            case "access_denied":
                fix = "the person declined at Asana's consent screen. Start again with `asana-access oauth start` when they agree."
            case "invalid_scope":
                fix = "a scope is not one Asana knows or the app may ask for. Start again with `asana-access oauth start --scope …`."
            default:
                fix = "start again with `asana-access oauth start`."
            }
            return "\(said); \(fix)"
        }

        func run() async throws {
            let (state, code) = try stateAndCode()
            var members: [String: JSONValue] = ["state": .string(state), "code": .string(code)]
            if force { members["force"] = .bool(true) }
            let params: JSONValue = .object(members)
            let result = try await connection.withClient { try await $0.call("oauthFinish", params: params) }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                var lines = KeyValueList()
                lines.append("workspace", WorkspaceLabel.text(result["workspace"]))
                lines.append("purpose", result["purpose"]?.asText ?? "?")
                lines.append("credential", "oauth \(result["credential"]?["fingerprint"]?.asText ?? "?")")
                let user = result["authorizedUser"]
                lines.append("authorized by", [user?["name"]?.asText, user?["email"]?.asText.map { "<\($0)>" }, user?["gid"]?.asText.map { "(\($0))" }]
                    .compactMap { $0 }.joined(separator: " "))
                lines.append("scopes", (result["scopes"]?.asArray ?? []).compactMap(\.asText).joined(separator: " "))
                lines.append("access token expires", result["accessTokenExpiresAt"]?.asText ?? "?")
                lines.append("refreshable", (result["refreshable"]).yesNo)
                print(lines.render())
                print("checks with the granted token (reads only):")
                for check in result["checks"]?["checks"]?.asArray ?? [] {
                    let ok = check["ok"]?.asBool == true
                    print("  \(ok ? "PASS" : "FAIL") \(check["name"]?.asText ?? "?"): \(check["detail"]?.asText ?? "")")
                    if let fix = check["fix"]?.asText { print("       \(ok ? "note" : "fix"): \(fix)") }
                }
                let scopes = (result["scopes"]?.asArray ?? []).compactMap(\.asText)
                if !scopes.isEmpty, scopes != ["default"] {
                    print("note: with granular scopes Asana does not show workspace memberships: after a sync, active/admin/guest/view-only are unknown (?). Authorize a full-permission app with --scope default to read them.")
                }
            }
        }
    }
}
