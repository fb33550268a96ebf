import Foundation

/// `putCredential`: seal and store an Asana credential for a workspace and purpose, replacing the old one
/// (protocol.md §5, `putCredential`). Role: admin.
public enum PutCredential: AccessMethod {
    /// `{workspace, purpose, kind, secret, force?, check?}`.
    ///
    /// Before storing, the connection test of ``TestCredential`` runs with `secret` (reads only): when a
    /// check fails nothing is stored and the call fails with `credential.checks_failed` (1007) carrying
    /// the checks, unless `force` covers the failure. `asana-accessd credentials put` takes the same
    /// params (`--force`, `--no-check`).
    public struct Params: Codable, Sendable, Equatable {
        /// Workspace gid or exact name; a name is resolved with `secret` itself (a gid when `check` is `false`).
        public var workspace: String
        public var purpose: CredentialPurpose
        public var kind: CredentialKind
        /// The Asana token; sealed at once, never logged, never returned.
        public var secret: String
        /// `true`: store a `provision` credential although its user is not an admin of the workspace
        /// (the `admin` check is the only failed one); other failed checks still refuse. Default `false`.
        public var force: Bool?
        /// `false`: store without asking Asana anything (no check, no name resolution: `workspace` must
        /// be a gid), e.g. when Asana is unreachable from the server. Default `true`.
        public var check: Bool?

        public init(workspace: String, purpose: CredentialPurpose, kind: CredentialKind, secret: String, force: Bool? = nil, check: Bool? = nil) {
            self.workspace = workspace
            self.purpose = purpose
            self.kind = kind
            self.secret = secret
            self.force = force
            self.check = check
        }
    }

    /// The stored credential: its fingerprint, never the secret.
    public typealias Result = CredentialSummary

    public static let name = "putCredential"
    public static let summary = "Seal and store an Asana credential for a workspace and purpose (replaces the old one)."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["workspace", "purpose", "kind", "secret", "force", "check"]
}

/// Params naming a stored credential: `{workspace, purpose}` (`testCredential`, `deleteCredential`).
public struct CredentialKey: Codable, Sendable, Equatable {
    /// Workspace gid or exact name.
    public var workspace: String
    /// `provision` or `sync`.
    public var purpose: CredentialPurpose

    public init(workspace: String, purpose: CredentialPurpose) {
        self.workspace = workspace
        self.purpose = purpose
    }
}

/// `testCredential`: check a stored credential against Asana without writing anything
/// (protocol.md §5, `testCredential`). Role: admin.
public enum TestCredential: AccessMethod {
    public typealias Params = CredentialKey

    /// `{workspace, purpose, ok, checks, capabilities}`; also what `oauthFinish` ran before storing.
    public struct Result: Codable, Sendable, Equatable {
        /// The workspace: `{gid, name}`; `name` is `null` when the token could not see it.
        public var workspace: WorkspaceName
        public var purpose: CredentialPurpose
        /// `true` when every check passed (a capability gap is not a failure).
        public var ok: Bool
        /// In the order they ran; a failed `token` or `workspace` check stops the later ones.
        public var checks: [Check]
        /// What a sync with this credential could read: membership flags, and teams (organizations only).
        public var capabilities: Sync.Capabilities

        public init(workspace: WorkspaceName, purpose: CredentialPurpose, ok: Bool, checks: [Check], capabilities: Sync.Capabilities) {
            self.workspace = workspace
            self.purpose = purpose
            self.ok = ok
            self.checks = checks
            self.capabilities = capabilities
        }

        /// The failed checks.
        public var failures: [Check] { checks.filter { !$0.ok } }
    }

    /// One check: `{name, ok, detail, fix}`.
    public struct Check: Codable, Sendable, Equatable {
        /// `token`, `workspace`, `admin`, `users`, `workspaceMemberships`, `teams`, `teamMemberships`.
        public var name: String
        public var ok: Bool
        /// What was found, for a person.
        public var detail: String
        /// What to do: present on a failed check and on a capability gap, else `null`.
        @Nullable public var fix: String?

        public init(name: String, ok: Bool, detail: String, fix: String? = nil) {
            self.name = name
            self.ok = ok
            self.detail = detail
            self.fix = fix
        }
    }

    public static let name = "testCredential"
    public static let summary = "Check a stored credential against Asana without writing anything: the token works, the workspace is visible, an admin for provision, each read a sync needs."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["workspace", "purpose"]
}

/// `listCredentials`: every stored credential, fingerprints only (protocol.md §5, `listCredentials`). Role: admin.
public enum ListCredentials: AccessMethod {
    public typealias Params = EmptyParams
    public typealias Result = ItemList<CredentialSummary>

    public static let name = "listCredentials"
    public static let summary = "List stored credentials (fingerprints only, never secrets)."
    public static let minimumRole: AccessRole? = .admin
}

/// `deleteCredential`: delete a stored credential; an OAuth one is first revoked at Asana
/// (protocol.md §5, `deleteCredential`). Role: admin.
public enum DeleteCredential: AccessMethod {
    public typealias Params = CredentialKey

    /// `{done, revokedAtAsana}`.
    public struct Result: Codable, Sendable, Equatable {
        /// Whether a credential was deleted.
        public var done: Bool
        /// For an OAuth credential: whether Asana confirmed revoking its refresh token (and so its access tokens,
        /// RFC 7009; https://developers.asana.com/docs/oauth); `false` when the revocation failed (the credential
        /// is deleted anyway: revoke the app in Asana); `null` for a PAT, which only its owner can revoke in Asana.
        @Nullable public var revokedAtAsana: Bool?

        public init(done: Bool, revokedAtAsana: Bool?) {
            self.done = done
            self.revokedAtAsana = revokedAtAsana
        }
    }

    public static let name = "deleteCredential"
    public static let summary = "Delete a stored credential; an OAuth one is first revoked at Asana."
    public static let minimumRole: AccessRole? = .admin
    public static let paramNames: Set<String> = ["workspace", "purpose"]
}
