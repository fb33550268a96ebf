/// The form of a stored Asana credential.
public enum CredentialKind: String, WireEnum {
    /// A personal access token, sent as `Authorization: Bearer <token>`.
    case pat
    /// OAuth material (for example a refresh token, or JSON holding the token set).
    case oauth
}
