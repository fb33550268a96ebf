/// Whether a stored credential can be used.
public enum CredentialState: String, Codable, Sendable, CaseIterable {
    /// Usable.
    case active
    /// Asana refused the OAuth refresh token (`invalid_grant`, asana-api.md §4.2): the user must authorize
    /// again (`oauthStart` then `oauthFinish`). Nothing is sent to Asana with it until then.
    case reauthorizationRequired
}
