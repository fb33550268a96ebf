import AccessProtocol
import AccessService
import Foundation
import LineRPC

extension ServiceHarness {
    /// The simulator's root (`http://127.0.0.1:PORT`), where the `/-/oauth_*` endpoints live.
    public var simulatorRoot: String { String(simulator.baseURL.dropLast("/api/1.0".count)) }

    /// oauthStart → consent as `sessionToken`'s user → oauthFinish, with the simulator's demo app.
    public func authorizeOAuth(clientId: String = "demo-client", purpose: String = "sync", scopes: [String]? = nil,
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
    /// `oauthStart` params with the members given (decoded as the server decodes them).
    public static func make(workspace: String, clientId: String, redirectUri: String, scopes: [String]? = nil, purpose: String? = nil) -> OAuthStart.Params {
        var members: [String: JSONValue] = ["workspace": .string(workspace), "clientId": .string(clientId), "redirectUri": .string(redirectUri)]
        if let scopes { members["scopes"] = .array(scopes.map(JSONValue.string)) }
        if let purpose { members["purpose"] = .string(purpose) }
        return try! JSONDecoder().decode(OAuthStart.Params.self, from: JSONEncoder().encode(JSONValue.object(members)))
    }
}

extension OAuthFinish.Params {
    /// `oauthFinish` params (decoded as the server decodes them).
    public static func make(state: String, code: String, force: Bool = false) -> OAuthFinish.Params {
        try! JSONDecoder().decode(OAuthFinish.Params.self, from: JSONEncoder().encode(JSONValue.object([
            "state": .string(state), "code": .string(code), "force": .bool(force)])))
    }
}
