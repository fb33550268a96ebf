/// What Asana's token endpoint `POST /-/oauth_token` grants: a code exchange or a refresh
/// (https://developers.asana.com/docs/oauth).
///
/// Holds secrets: ``description`` and ``debugDescription`` print neither token.
public struct OAuthTokenGrant: Sendable, Equatable {
    /// The bearer token for API calls (`access_token`); opaque (https://developers.asana.com/docs/personal-access-token).
    public var accessToken: String
    /// `refresh_token`: present when a code was exchanged; a refresh answer may leave it out, and the
    /// caller then keeps the refresh token it has (https://developers.asana.com/docs/oauth; https://github.com/NangoHQ/nango/issues/455).
    public var refreshToken: String?
    /// `expires_in`: seconds the access token lives from now, normally 3600 (https://developers.asana.com/docs/oauth).
    public var expiresIn: Int
    /// `token_type`, `"bearer"`.
    public var tokenType: String
    /// `data.gid`, else `data.id` (Asana moved from numeric `id` to string `gid`; the token answer
    /// documents `id` only: https://developers.asana.com/docs/oauth, https://github.com/SocialiteProviders/Providers/issues/391). `nil` when the answer has no `data`.
    public var userGid: String?
    /// `data.name`: the authorizing user's name.
    public var userName: String?
    /// `data.email`: the authorizing user's email address.
    public var userEmail: String?

    /// Creates a grant.
    public init(
        accessToken: String, refreshToken: String? = nil, expiresIn: Int, tokenType: String = "bearer",
        userGid: String? = nil, userName: String? = nil, userEmail: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
        self.tokenType = tokenType
        self.userGid = userGid
        self.userName = userName
        self.userEmail = userEmail
    }
}

extension OAuthTokenGrant: CustomStringConvertible, CustomDebugStringConvertible {
    /// The grant without its tokens, e.g.
    /// `OAuthTokenGrant(accessToken: <redacted>, refreshToken: <redacted>, expiresIn: 3600, tokenType: bearer, userGid: 4673218951)`.
    public var description: String {
        var parts = [
            "accessToken: <redacted>",
            "refreshToken: \(refreshToken == nil ? "nil" : "<redacted>")",
            "expiresIn: \(expiresIn)",
            "tokenType: \(tokenType)",
        ]
        if let userGid { parts.append("userGid: \(userGid)") }
        if let userName { parts.append("userName: \(userName)") }
        if let userEmail { parts.append("userEmail: \(userEmail)") }
        return "OAuthTokenGrant(\(parts.joined(separator: ", ")))"
    }

    /// Same as ``description``: no tokens.
    public var debugDescription: String { description }
}

/// The JSON body of a token answer (https://developers.asana.com/docs/oauth):
/// `{"access_token","expires_in","token_type","refresh_token"?,"data"?:{"gid"?|"id","name","email"}}`.
struct OAuthTokenBody: Decodable {
    struct User: Decodable {
        let gid: String?
        let id: String?
        let name: String?
        let email: String?

        enum CodingKeys: String, CodingKey { case gid, id, name, email }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            gid = try Self.identifier(container, .gid)
            id = try Self.identifier(container, .id)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            email = try container.decodeIfPresent(String.self, forKey: .email)
        }

        /// A string id, or a number written as a string (older answers had numeric ids, https://github.com/SocialiteProviders/Providers/issues/391).
        private static func identifier(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws
            -> String?
        {
            if let text = try? container.decodeIfPresent(String.self, forKey: key) { return text }
            return try container.decodeIfPresent(Int64.self, forKey: key).map(String.init)
        }
    }

    let accessToken: String
    let expiresIn: Int
    let tokenType: String?
    let refreshToken: String?
    let data: User?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case tokenType = "token_type"
        case refreshToken = "refresh_token"
        case data
    }

    /// The grant; `token_type` defaults to `"bearer"` when absent, an empty `gid` falls back to `id`.
    var grant: OAuthTokenGrant {
        let gid = data?.gid.flatMap { $0.isEmpty ? nil : $0 } ?? data?.id
        return OAuthTokenGrant(
            accessToken: accessToken, refreshToken: refreshToken, expiresIn: expiresIn,
            tokenType: tokenType ?? "bearer", userGid: gid, userName: data?.name, userEmail: data?.email)
    }
}
