/// Whether a stored credential can be used.
public enum CredentialState: String, WireEnum {
    /// Usable.
    case active
    /// Asana refused the OAuth refresh token (`invalid_grant`, RFC 6749 §5.2; https://developers.asana.com/docs/oauth): the user must authorize
    /// again (`oauthStart` then `oauthFinish`). Nothing is sent to Asana with it until then.
    case reauthorizationRequired
}
