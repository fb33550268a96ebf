#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Client of Asana's OAuth 2.0 endpoints: the authorize URL, the code exchange, the refresh and the
/// revocation (https://developers.asana.com/docs/oauth).
///
/// - Endpoints below ``AsanaClientConfiguration/effectiveOAuthBaseURL`` (`https://app.asana.com` by
///   default): `GET /-/oauth_authorize` (a browser URL, built here), `POST /-/oauth_token`,
///   `POST /-/oauth_revoke`; bodies `application/x-www-form-urlencoded`, answers JSON.
/// - Retries: ``refresh(refreshToken:clientId:clientSecret:)`` and ``revoke(refreshToken:clientId:clientSecret:)``
///   retry 429 (after `Retry-After` or backoff), 5xx and transport failures per ``RetryPolicy``, like
///   GETs of ``AsanaClient``; ``exchangeCode(_:codeVerifier:clientId:clientSecret:redirectUri:)`` is
///   never retried, as a code is single-use.
/// - Secrets (code, verifier, client secret, access and refresh tokens) are never logged and are removed
///   from the text of every thrown ``AsanaAPIError``; a ``OAuthTokenGrant`` prints without its tokens.
public struct AsanaOAuthClient: Sendable {
    /// The configuration: OAuth root, retry settings.
    public let configuration: AsanaClientConfiguration
    /// The retry rules derived from ``configuration``.
    public let retryPolicy: RetryPolicy

    private let transport: any AsanaTransport
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let root: String

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: ``AsanaClientConfiguration/effectiveOAuthBaseURL`` is the OAuth root; the retry
    ///     settings apply to refresh and revoke.
    ///   - transport: sends the HTTP requests (``HTTPClientAsanaTransport`` in production).
    ///   - logger: one debug line per request (path, attempt, status) and a notice per retry; never a
    ///     body, header, code, secret or token.
    ///   - sleep: waits between retries; tests inject a recorder.
    public init(
        configuration: AsanaClientConfiguration, transport: any AsanaTransport, logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.retryPolicy = RetryPolicy(configuration: configuration)
        self.transport = transport
        self.logger = logger
        self.sleep = sleep
        self.root = configuration.effectiveOAuthBaseURL
    }

    /// The URL to send the user's browser to (https://developers.asana.com/docs/oauth):
    /// `{root}/-/oauth_authorize?client_id=…&redirect_uri=…&response_type=code&state=…&code_challenge_method=S256&code_challenge=…[&scope=a%20b]`.
    ///
    /// Values are percent-encoded (everything but `A-Z a-z 0-9 - . _ ~`, so a space is `%20` and
    /// `https://x/cb` is `https%3A%2F%2Fx%2Fcb`). `scopes` are joined with spaces; when empty `scope` is
    /// left out, which asks for `default` (full permissions) and is refused for an app registered with
    /// granular scopes (https://developers.asana.com/docs/oauth-scopes, https://github.com/amp-labs/connectors/issues/3356). An empty
    /// `codeChallenge` leaves out both PKCE parameters (PKCE is optional, https://developers.asana.com/docs/oauth).
    public func authorizeURL(
        clientId: String, redirectUri: String, state: String, codeChallenge: String, scopes: [String]
    ) -> String {
        var query: [(String, String)] = [
            ("client_id", clientId),
            ("redirect_uri", redirectUri),
            ("response_type", "code"),
            ("state", state),
        ]
        if !codeChallenge.isEmpty {
            query.append(("code_challenge_method", "S256"))
            query.append(("code_challenge", codeChallenge))
        }
        if !scopes.isEmpty {
            query.append(("scope", scopes.joined(separator: " ")))
        }
        return root + "/-/oauth_authorize?" + PercentEncoding.form(query)
    }

    /// Exchanges an authorization code: `POST /-/oauth_token` with
    /// `grant_type=authorization_code&client_id=…&client_secret=…&redirect_uri=…&code=…&code_verifier=…`
    /// (`code_verifier` left out when empty: no PKCE). Sent once, never retried (a code is single-use).
    ///
    /// - Returns: the grant, normally with a refresh token and the user's `data` (https://developers.asana.com/docs/oauth).
    /// - Throws: ``AsanaAPIError/oauth(status:error:description:)`` when Asana answers an OAuth error
    ///   (e.g. 400 `invalid_grant`: code used, expired or for another redirect URI);
    ///   ``AsanaAPIError/rateLimited(retryAfter:)`` for a 429; ``AsanaAPIError/server(status:message:phrase:)``,
    ///   ``AsanaAPIError/transport(_:)``, ``AsanaAPIError/malformedResponse(_:)`` (no `access_token` or
    ///   `expires_in`), other 4xx as ``AsanaClient`` maps them; ``AsanaAPIError/badRequest(message:)``
    ///   before sending when the code, client id or secret is empty.
    public func exchangeCode(
        _ code: String, codeVerifier: String, clientId: String, clientSecret: String, redirectUri: String
    ) async throws -> OAuthTokenGrant {
        let secrets = [code, codeVerifier, clientSecret]
        try requireNonEmpty([("code", code), ("client id", clientId), ("client secret", clientSecret)])
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"),
            ("client_id", clientId),
            ("client_secret", clientSecret),
            ("redirect_uri", redirectUri),
            ("code", code),
        ]
        if !codeVerifier.isEmpty { form.append(("code_verifier", codeVerifier)) }
        let response = try await post("/-/oauth_token", form: form, secrets: secrets, retrying: false)
        return try grant(from: response, secrets: secrets)
    }

    /// Gets a new access token: `POST /-/oauth_token` with
    /// `grant_type=refresh_token&client_id=…&client_secret=…&refresh_token=…`; retried per ``RetryPolicy``.
    ///
    /// - Returns: the grant; its ``OAuthTokenGrant/refreshToken`` may be `nil`, then keep the old one
    ///   (https://developers.asana.com/docs/oauth; https://github.com/NangoHQ/nango/issues/455).
    /// - Throws: ``AsanaAPIError/oauth(status:error:description:)`` when Asana refuses (400 `invalid_grant`:
    ///   the refresh token is revoked or unknown, the user must authorize again; not retried, https://github.com/raycast/extensions/issues/10582);
    ///   otherwise as ``exchangeCode(_:codeVerifier:clientId:clientSecret:redirectUri:)`` after the retries.
    public func refresh(refreshToken: String, clientId: String, clientSecret: String) async throws -> OAuthTokenGrant {
        let secrets = [refreshToken, clientSecret]
        try requireNonEmpty([("refresh token", refreshToken), ("client id", clientId), ("client secret", clientSecret)])
        let form: [(String, String)] = [
            ("grant_type", "refresh_token"),
            ("client_id", clientId),
            ("client_secret", clientSecret),
            ("refresh_token", refreshToken),
        ]
        let response = try await post("/-/oauth_token", form: form, secrets: secrets, retrying: true)
        return try grant(from: response, secrets: secrets)
    }

    /// Revokes a refresh token and every access token made from it: `POST /-/oauth_revoke` with
    /// `client_id=…&client_secret=…&token=<refresh token>` (a bearer token is refused). Asana answers
    /// 200 for revoked or unknown tokens (https://developers.asana.com/docs/oauth). Retried per ``RetryPolicy``.
    ///
    /// - Throws: ``AsanaAPIError/oauth(status:error:description:)`` or ``AsanaAPIError/badRequest(message:)``
    ///   for a 400 (malformed, or a bearer token given); otherwise as ``refresh(refreshToken:clientId:clientSecret:)``.
    public func revoke(refreshToken: String, clientId: String, clientSecret: String) async throws {
        let secrets = [refreshToken, clientSecret]
        try requireNonEmpty([("refresh token", refreshToken), ("client id", clientId), ("client secret", clientSecret)])
        let form: [(String, String)] = [
            ("client_id", clientId),
            ("client_secret", clientSecret),
            ("token", refreshToken),
        ]
        _ = try await post("/-/oauth_revoke", form: form, secrets: secrets, retrying: true)
    }

    // MARK: - Sending

    /// POSTs a form to `path` below the OAuth root and returns the 2xx answer.
    ///
    /// `retrying`: whether 429, 5xx and transport failures are retried per ``retryPolicy``.
    /// - Throws: ``AsanaAPIError`` with `secrets` removed from its text; `CancellationError`.
    private func post(_ path: String, form: [(String, String)], secrets: [String], retrying: Bool) async throws
        -> AsanaHTTPResponse
    {
        let request = AsanaHTTPRequest(
            method: "POST", url: root + path,
            headers: [
                ("Accept", "application/json"),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("User-Agent", "asana-access"),
            ],
            body: Array(PercentEncoding.form(form).utf8))
        let maxAttempts = retrying ? retryPolicy.maxAttempts : 1
        var logger = self.logger
        logger[metadataKey: "asana.method"] = "POST"
        logger[metadataKey: "asana.path"] = "\(path)"

        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            logger.debug("Asana OAuth request", metadata: ["asana.attempt": "\(attempt)"])
            let response: AsanaHTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as CancellationError {
                throw error
            } catch {
                let failure = (error as? AsanaAPIError) ?? .transport(String(describing: error))
                guard case .transport = failure, attempt < maxAttempts else {
                    throw failure.redacted(with: { redact($0, secrets) })
                }
                let delay = retryPolicy.backoff(retry: attempt)
                logger.notice(
                    "Asana OAuth request failed in transport, retrying",
                    metadata: ["asana.attempt": "\(attempt)", "asana.delay": "\(delay)"])
                try await sleep(delay)
                continue
            }

            logger.debug("Asana OAuth response", metadata: ["asana.attempt": "\(attempt)", "asana.status": "\(response.status)"])
            switch response.status {
            case 200..<300:
                return response
            case 429:
                let retryAfter = RetryPolicy.parseRetryAfter(response.header("Retry-After"))
                if let retryAfter, retryAfter > retryPolicy.maxRetryAfter {
                    throw AsanaAPIError.rateLimited(retryAfter: retryAfter)
                }
                guard attempt < maxAttempts else { throw AsanaAPIError.rateLimited(retryAfter: retryAfter) }
                let delay = retryAfter ?? retryPolicy.backoff(retry: attempt)
                logger.notice(
                    "Asana OAuth rate limit (429), retrying",
                    metadata: ["asana.attempt": "\(attempt)", "asana.delay": "\(delay)"])
                try await sleep(delay)
            case 500..<600:
                guard attempt < maxAttempts else {
                    throw Self.serverError(response).redacted(with: { redact($0, secrets) })
                }
                let delay = retryPolicy.backoff(retry: attempt)
                logger.notice(
                    "Asana OAuth server error, retrying",
                    metadata: [
                        "asana.attempt": "\(attempt)", "asana.status": "\(response.status)", "asana.delay": "\(delay)",
                    ])
                try await sleep(delay)
            case 400..<500:
                let error = Self.oauthError(response) ?? AsanaClient.clientError(response)
                throw error.redacted(with: { redact($0, secrets) })
            default:
                throw AsanaAPIError.malformedResponse("\(path): unexpected HTTP status \(response.status)")
            }
        }
    }

    /// Decodes a token answer; a body without a usable `access_token` or `expires_in` is malformed.
    private func grant(from response: AsanaHTTPResponse, secrets: [String]) throws -> OAuthTokenGrant {
        let body: OAuthTokenBody
        do {
            body = try JSONDecoder().decode(OAuthTokenBody.self, from: Data(response.body))
        } catch let error as DecodingError {
            throw AsanaAPIError.malformedResponse("/-/oauth_token: \(describe(error))")
        } catch {
            throw AsanaAPIError.malformedResponse(redact("/-/oauth_token: \(error)", secrets))
        }
        guard !body.accessToken.isEmpty else {
            throw AsanaAPIError.malformedResponse("/-/oauth_token: empty access_token")
        }
        return body.grant
    }

    /// `{"error": "...", "error_description"?: "..."}` of an OAuth refusal as ``AsanaAPIError/oauth(status:error:description:)``;
    /// `nil` when the body has no non-empty `error` string. Texts over 1,000 characters are cut.
    static func oauthError(_ response: AsanaHTTPResponse) -> AsanaAPIError? {
        struct Body: Decodable {
            let error: String
            let errorDescription: String?
            enum CodingKeys: String, CodingKey {
                case error
                case errorDescription = "error_description"
            }
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(response.body)), !body.error.isEmpty else {
            return nil
        }
        return .oauth(status: response.status, error: cut(body.error), description: body.errorDescription.map(cut))
    }

    /// A 5xx as ``AsanaAPIError/server(status:message:phrase:)``: Asana's `errors[].message`, else the
    /// OAuth `error` and `error_description`, else a fallback text.
    static func serverError(_ response: AsanaHTTPResponse) -> AsanaAPIError {
        let details = AsanaClient.errorDetails(response)
        if details.phrase == nil, case .oauth(_, let error, let description)? = oauthError(response) {
            let message = description.map { "\(error): \($0)" } ?? error
            return .server(status: response.status, message: message, phrase: nil)
        }
        return .server(status: response.status, message: details.message, phrase: details.phrase)
    }

    /// Throws ``AsanaAPIError/badRequest(message:)`` naming the first empty value.
    private func requireNonEmpty(_ values: [(name: String, value: String)]) throws {
        if let empty = values.first(where: { $0.value.isEmpty }) {
            throw AsanaAPIError.badRequest(message: "the OAuth \(empty.name) must not be empty")
        }
    }
}

/// `text` with every secret of 6 or more characters replaced by `<redacted secret>` (longest first);
/// shorter values are left alone so they cannot garble ordinary words.
private func redact(_ text: String, _ secrets: [String]) -> String {
    var result = text
    for secret in secrets.filter({ $0.count >= 6 }).sorted(by: { $0.count > $1.count }) {
        result = result.replacing(secret, with: "<redacted secret>")
    }
    return result
}

/// `text` cut to 1,000 characters (with `…`).
private func cut(_ text: String) -> String {
    text.count > 1000 ? String(text.prefix(1000)) + "…" : text
}
