import AccessProtocol
import Foundation
import LineRPC

// Checks of the OAuth methods' params, each throwing -32602 naming the field.
extension AccessService {
    /// Checks a client id or secret: 1 to 512 bytes, not blank, no control character (SQLite text ends at a NUL).
    /// - Throws: `-32602` naming `field`.
    static func checkOAuthText(_ text: String, field: String) throws(RPCError) {
        guard (1...512).contains(text.utf8.count), !text.trimmingCharacters(in: .whitespaces).isEmpty,
              !text.unicodeScalars.contains(where: \.isControlCharacter) else {
            throw .invalidParams("Invalid params: \"\(field)\" must be 1 to 512 bytes, not blank, without control characters", field: field)
        }
    }

    /// Accepts `https://…`, loopback `http://127.0.0.1…`, `http://[::1]…` or `http://localhost…`, and Asana's
    /// out-of-band `urn:ietf:wg:oauth:2.0:oob` (https://developers.asana.com/docs/oauth: non-native apps must use https).
    /// - Throws: `-32602` naming `redirectUri`.
    static func checkRedirectURI(_ uri: String) throws(RPCError) {
        if uri == "urn:ietf:wg:oauth:2.0:oob" { return }
        func fail(_ why: String) -> RPCError {
            .invalidParams("Invalid params: \"redirectUri\" \(why); it must be exactly the URI registered for the app in Asana: an https URL, a loopback http URL (127.0.0.1, [::1], localhost) or urn:ietf:wg:oauth:2.0:oob", field: "redirectUri")
        }
        guard uri.utf8.count <= 2048 else { throw fail("is longer than 2048 bytes") }
        guard uri.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) else {
            throw fail("holds a space, a control character or a non-ASCII character (percent-encode it)")
        }
        guard Self.hasValidPercentEscapes(uri) else { throw fail("has a % that does not start a %XX escape") }
        guard let url = URLComponents(string: uri), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else {
            throw fail("is not an absolute URL with a host")
        }
        guard url.fragment == nil else { throw fail("has a #fragment") }
        guard url.user == nil, url.password == nil else { throw fail("has a user or password") }
        guard url.port.map({ (1...65535).contains($0) }) ?? true else { throw fail("has a port outside 1 to 65535") }
        guard host.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || "0123456789.-[]:".unicodeScalars.contains($0) }) else {
            throw fail("has a host that is not ASCII letters, digits, dots and hyphens (use its punycode form)")
        }
        guard !(url.queryItems ?? []).contains(where: { ["code", "state", "error"].contains($0.name) }) else {
            throw fail("has a code, state or error query parameter, which Asana adds itself")
        }
        switch scheme {
        case "https": return
        case "http" where ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host): return
        case "http": throw fail("is plain http to a host other than the loopback (Asana requires https)")
        default: throw fail("has the scheme \(scheme)")
        }
    }

    /// Whether every `%` in `text` starts a `%XX` escape with two hex digits.
    static func hasValidPercentEscapes(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, Unicode.Scalar(bytes[index + 1]).properties.isASCIIHexDigit,
                      Unicode.Scalar(bytes[index + 2]).properties.isASCIIHexDigit else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// Checks scope names: `default` alone (full permissions), or granular scopes — `openid`, `email`, `profile`
    /// and `<resource>:<action>` of `a-z _ .`, each 1 to 64 bytes — which must include `workspaces:read`, because
    /// `oauthFinish` checks the workspace with the granted token (https://developers.asana.com/docs/oauth-scopes). 1 to 64 entries as
    /// given; duplicates are then dropped, order kept.
    /// - Throws: `-32602` naming `scopes`.
    static func checkScopes(_ scopes: [String]) throws(RPCError) -> [String] {
        guard (1...64).contains(scopes.count) else {
            throw .invalidParams("Invalid params: \"scopes\" must list 1 to 64 scopes", field: "scopes")
        }
        var seen: Set<String> = []
        let unique = scopes.filter { seen.insert($0).inserted }
        if unique.contains("default") && unique.count > 1 {
            throw .invalidParams("Invalid params: \"scopes\": \"default\" (full permissions) cannot be combined with other scopes; Asana apps use either full permissions or granular scopes", field: "scopes")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz_.")
        for scope in unique where !["default", "openid", "email", "profile"].contains(scope) {
            let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else {
                throw .invalidParams("Invalid params: \"scopes\": \"\(scope.prefix(64))\" is not a scope (expected default, openid, email, profile or <resource>:<action> such as users:read)", field: "scopes")
            }
            guard scope.utf8.count <= 64 else {
                throw .invalidParams("Invalid params: \"scopes\": a scope is at most 64 bytes", field: "scopes")
            }
        }
        if unique != ["default"], !unique.contains("workspaces:read") {
            throw .invalidParams("Invalid params: \"scopes\" must include workspaces:read (or be [\"default\"]): oauthFinish checks the workspace with the granted token", field: "scopes")
        }
        return unique
    }
}
