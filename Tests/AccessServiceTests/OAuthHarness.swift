import AccessProtocol
import AccessService
import AsyncHTTPClient
import Foundation
import LineRPC
import NIOHTTP1

/// The browser's part of Asana's OAuth flow against the simulator: open the authorize URL as a signed-in user
/// (the simulator takes that user's token as the session) and read the redirect.
enum OAuthBrowser {
    /// Asana's redirect after consent: `redirect_uri?code=…&state=…`, or `?error=…&state=…`.
    struct Redirect {
        var location: String
        var items: [String: String]
        var code: String? { items["code"] }
        var state: String? { items["state"] }
        var error: String? { items["error"] }
    }

    /// GETs `authorizeURL` (rewritten to the simulator's root) as the user of `sessionToken`, without following the redirect.
    static func consent(_ authorizeURL: String, simulatorRoot: String, sessionToken: String) async throws -> Redirect {
        let path = try require(authorizeURL.range(of: "/-/oauth_authorize"), "no authorize path").lowerBound
        let url = simulatorRoot + authorizeURL[path...]
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(sessionToken)")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 16)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let location = try require(response.headers.first(name: "Location"), "no redirect: HTTP \(response.status.code)")
        let items = URLComponents(string: location)?.queryItems ?? []
        return Redirect(location: location, items: Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first }))
    }
}

/// `#require` outside a test body: throws instead of recording.
private func require<T>(_ value: T?, _ message: String = "missing value") throws -> T {
    guard let value else { throw RPCError.internalError(message) }
    return value
}

extension ServiceHarness {
    /// The simulator's root (`http://127.0.0.1:PORT`), where the `/-/oauth_*` endpoints live.
    var simulatorRoot: String { String(simulator.baseURL.dropLast("/api/1.0".count)) }

    /// oauthStart → consent as `sessionToken`'s user → oauthFinish, with the simulator's demo app.
    func authorizeOAuth(clientId: String = "demo-client", purpose: String = "sync", scopes: [String]? = nil,
                        sessionToken: String = "demo-admin-token", principal: String = "test:admin", force: Bool = false) async throws -> OAuthFinish.Result {
        let start = try await service.oauthStart(
            OAuthStart.Params.make(workspace: workspace, clientId: clientId, redirectUri: "http://127.0.0.1/oauth/callback", scopes: scopes, purpose: purpose),
            principal: principal)
        let redirect = try await OAuthBrowser.consent(start.authorizeUrl, simulatorRoot: simulatorRoot, sessionToken: sessionToken)
        guard let code = redirect.code, redirect.state == start.state else {
            throw RPCError.internalError("consent failed: \(redirect.location)")
        }
        return try await service.oauthFinish(OAuthFinish.Params.make(state: start.state, code: code, force: force), principal: principal)
    }
}

extension OAuthStart.Params {
    static func make(workspace: String, clientId: String, redirectUri: String, scopes: [String]? = nil, purpose: String? = nil) -> OAuthStart.Params {
        var members: [String: JSONValue] = ["workspace": .string(workspace), "clientId": .string(clientId), "redirectUri": .string(redirectUri)]
        if let scopes { members["scopes"] = .array(scopes.map(JSONValue.string)) }
        if let purpose { members["purpose"] = .string(purpose) }
        return try! JSONDecoder().decode(OAuthStart.Params.self, from: JSONEncoder().encode(JSONValue.object(members)))
    }
}

extension OAuthFinish.Params {
    static func make(state: String, code: String, force: Bool = false) -> OAuthFinish.Params {
        try! JSONDecoder().decode(OAuthFinish.Params.self, from: JSONEncoder().encode(JSONValue.object([
            "state": .string(state), "code": .string(code), "force": .bool(force)])))
    }
}
