import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging

/// The use cases of asana-access (`sync`, `listUsers`, `provision`, `ping`, `rpc.discover`) and their method table.
///
/// Holds no sockets and writes no SQL: it talks to Asana through ``AsanaClientFactory`` and to the
/// database through an `AccessStore` (``SQLiteAccessStore`` in the server; any implementation of the protocol will do).
public struct AccessService: Sendable {
    /// The server's own version, reported by `ping` (``ProductVersion/current``, the same as `--version`).
    public static let serverVersion = ProductVersion.current
    /// The protocol version (protocol.md, "Versioning"): the major changes only on incompatible changes.
    public static let protocolVersion = "1.0"

    public let store: any AccessStore
    public let asana: AsanaClientFactory
    public let logger: Logger
    /// One sync per workspace, across every server on the store (lease `sync:<workspace gid>`).
    var syncGate: LeaseGate
    /// One run per idempotency key, across every server on the store (lease `idempotency:<key>`).
    var idempotencyGate: LeaseGate
    /// Held by each provision call that writes (lease `provision:<call id>`), and by the reconciliation of a call's
    /// intents: intents whose call holds it have a live writer and are left alone.
    var provisionCallGate: LeaseGate
    /// Names this service in the leases it holds (``LeaseStore``): `host:pid:random`, each holder being this
    /// followed by `/` and what holds it.
    public let instance: String
    let workspaceNames = WorkspaceNameCache()
    let oauthTokenSources = OAuthTokenSources()
    let revokedTokens = RevokedTokens()
    /// The sync schedule: kept by ``SyncScheduler`` and by `sync`'s outcomes, shown by `getWorkspaceStatus`.
    public let schedule: SyncSchedule
    /// Closed while ``ProvisionReconciler`` settles the intents left open by a previous run: `provision`
    /// (not a dry run) waits for it before reading or changing Asana.
    public let provisionGate = ProvisionGate()
    let now: @Sendable () -> Date
    /// The longest one sync may spend reading Asana (``AccessService/defaultSyncDeadline``, one hour, unless set;
    /// `serve --sync-deadline`). When it passes, the sync's Asana calls are cancelled and it fails with
    /// `sync.deadline_exceeded` (1021): the run is recorded failed with the reason, nothing is committed, and
    /// the workspace is free for the next sync.
    public var syncDeadline: Duration = AccessService.defaultSyncDeadline
    /// How much file text one `exportAccessReview` answer aims at, in UTF-8 bytes (default 256 KiB): people
    /// are added a store page at a time until a chunk reaches it, so an answer stays far below the answer line
    /// limit (4 MiB) even when a page's people are in hundreds of teams.
    public var exportChunkBytes = 256 << 10

    /// How long a lease outlives a server that stopped renewing it, in seconds (30 unless set; `serve --lease-ttl`):
    /// the longest a dead server's sync, idempotency key, provision call or workspace schedule stays taken from the
    /// servers sharing its store. Leases are renewed every third of it.
    public var leaseTTL: TimeInterval {
        get { syncGate.ttl }
        set {
            syncGate.ttl = newValue
            idempotencyGate.ttl = newValue
            provisionCallGate.ttl = newValue
        }
    }

    public init(store: any AccessStore, asana: AsanaClientFactory, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.asana = asana
        self.logger = logger
        self.now = now
        let instance = LeaseGate.makeInstance()
        self.instance = instance
        self.syncGate = LeaseGate(store: store, prefix: "sync:", instance: instance, logger: logger)
        self.idempotencyGate = LeaseGate(store: store, prefix: "idempotency:", instance: instance, logger: logger)
        self.provisionCallGate = LeaseGate(store: store, prefix: "provision:", instance: instance, logger: logger)
        self.schedule = SyncSchedule(store: store, logger: logger)
    }

    /// Checks that `gid` looks like an Asana gid: 1 to 32 ASCII digits (Asana ids are digit strings, Asana OpenAPI schema `AsanaResource.gid`).
    /// - Throws: `-32602` naming `field`.
    static func checkGid(_ gid: String, field: String = "workspace") throws(RPCError) {
        guard (1...32).contains(gid.utf8.count), gid.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw .invalidParams("Invalid params: \"\(field)\" must be an Asana gid (1 to 32 digits), got \"\(gid.prefix(40))\"", field: field)
        }
    }

    /// The token source of the credential for (workspace, purpose): the token itself for a PAT, an
    /// ``OAuthTokenSource`` (refreshing as needed) for an OAuth credential. Fails fast, before any call to Asana.
    /// - Throws: `credential.missing`, `credential.unreadable`, `credential.reauthorization_required`.
    func tokenSource(workspace: String, purpose: CredentialPurpose) async throws -> any AsanaTokenSource {
        let opened = try await Self.openUsableCredential(store: store, workspace: workspace, purpose: purpose)
        switch opened.kind {
        case .pat:
            return StaticTokenSource(opened.secret)
        case .oauth:
            // A bare token stored by hand as `oauth` cannot be refreshed: it is used as it is.
            guard OAuthTokenSet.decode(opened.secret) != nil else { return StaticTokenSource(opened.secret) }
            return oauthTokenSources.source(workspace: workspace, purpose: purpose) {
                OAuthTokenSource(workspace: workspace, purpose: purpose, store: store, oauth: asana.oauthClient(), logger: logger, now: now)
            }
        }
    }

    /// The credential of (workspace, purpose), opened, unless it waits for a new authorization.
    /// - Returns: its kind, secret and fingerprint.
    /// - Throws: `credential.missing`, `credential.unreadable`, `credential.reauthorization_required`.
    static func openUsableCredential(store: any AccessStore, workspace: String, purpose: CredentialPurpose) async throws
        -> (kind: CredentialKind, secret: String, fingerprint: String)
    {
        let opened: (summary: CredentialSummary, secret: String)?
        do {
            opened = try await store.openCredentialWithSummary(workspaceGid: workspace, purpose: purpose)
        } catch AccessStoreError.credentialTampered {
            throw AccessError.credentialUnreadable(workspace, purpose: purpose)
        }
        guard let opened else { throw AccessError.credentialMissing(workspace, purpose: purpose) }
        if opened.summary.state == .reauthorizationRequired {
            throw AccessError.credentialReauthorizationRequired(workspace, purpose: purpose, reason: opened.summary.stateReason)
        }
        return (opened.summary.kind, opened.secret, opened.summary.fingerprint)
    }

    /// A client for the credential of (workspace, purpose), paced by that credential's governor.
    /// - Throws: what ``tokenSource(workspace:purpose:)`` throws.
    func client(workspace: String, purpose: CredentialPurpose) async throws -> AsanaClient {
        asana.client(tokenSource: try await tokenSource(workspace: workspace, purpose: purpose), governorKey: "\(workspace)/\(purpose.rawValue)")
    }

    /// Appends an audit event; a failure to audit fails the call rather than leave an unrecorded change.
    func audit(principal: String?, method: String, params: some Encodable, result: some Encodable, outcome: String) async throws {
        let encoder = JSONEncoder.protocolEncoder()
        let paramsText = String(decoding: try encoder.encode(params), as: UTF8.self)
        let resultText = String(decoding: try encoder.encode(result), as: UTF8.self)
        _ = try await store.appendAuditEvent(AuditEventDraft(
            at: now(), principal: principal ?? "anonymous", method: method,
            params: paramsText, result: resultText, outcome: outcome))
    }
}
