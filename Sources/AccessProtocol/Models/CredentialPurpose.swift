/// What a stored Asana credential is used for; one credential per (workspace, purpose).
public enum CredentialPurpose: String, WireEnum {
    /// An admin's credential, used to add and remove people (POST addUser/removeUser).
    case provision
    /// A read-only credential, used to sync users, teams and memberships.
    case sync
}
