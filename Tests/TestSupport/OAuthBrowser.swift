import AsyncHTTPClient
import Foundation

/// The browser's part of Asana's OAuth flow against the simulator: open the authorize URL as a signed-in user
/// (the simulator takes that user's token as the session) and read the redirect, without following it.
public enum OAuthBrowser {
    /// Asana's redirect after consent: `redirect_uri?code=…&state=…`, or `?error=…&state=…`.
    public struct Redirect: Sendable {
        /// The HTTP status of the authorize answer (302 for a redirect).
        public var status: Int
        /// The `Location` header.
        public var location: String
        /// The query items of `location` (the first value of a repeated name).
        public var items: [String: String]
        /// The authorization code, when consent was given.
        public var code: String? { items["code"] }
        /// The state, echoed verbatim.
        public var state: String? { items["state"] }
        /// The OAuth error, when the authorization was refused.
        public var error: String? { items["error"] }
    }

    /// Failures of the browser itself (no redirect, an unreadable `Location`).
    public struct BrowserError: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// GETs `authorizeURL` as the user of `sessionToken` (no session when nil), without following the redirect.
    /// Throws ``BrowserError`` when the answer has no `Location`.
    public static func consent(_ authorizeURL: String, sessionToken: String?) async throws -> Redirect {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var request = HTTPClientRequest(url: authorizeURL)
        if let sessionToken { request.headers.add(name: "Authorization", value: "Bearer \(sessionToken)") }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 16)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        guard let location = response.headers.first(name: "Location") else {
            throw BrowserError(description: "no redirect: HTTP \(response.status.code)")
        }
        guard let items = queryItems(of: location) else { throw BrowserError(description: "unreadable redirect: \(location)") }
        return Redirect(status: Int(response.status.code), location: location, items: items)
    }

    /// ``consent(_:sessionToken:)`` with `authorizeURL` rewritten to `simulatorRoot` (its `/-/oauth_authorize…` part kept).
    public static func consent(_ authorizeURL: String, simulatorRoot: String, sessionToken: String) async throws -> Redirect {
        guard let path = authorizeURL.range(of: "/-/oauth_authorize")?.lowerBound else {
            throw BrowserError(description: "no authorize path")
        }
        return try await consent(simulatorRoot + authorizeURL[path...], sessionToken: sessionToken)
    }

    /// The query items of a redirect's `Location`, by name (the first value of a repeated name); nil when it is no URL.
    public static func queryItems(of location: String) -> [String: String]? {
        guard let components = URLComponents(string: location) else { return nil }
        return Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }
}
