import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

extension WorkspaceName {
    var jsonValue: JSONValue { .object(["gid": .string(gid), "name": name.map(JSONValue.string) ?? .null]) }
}

/// Name → visible workspaces, as last listed by `GET /workspaces`; entries live ``AccessService/workspaceNameLifetime``.
actor WorkspaceNameCache {
    private var entries: [String: (workspaces: [WorkspaceName], expires: Date)] = [:]

    /// The workspaces named `name` at the last listing, or nil when unknown or expired.
    func lookup(_ name: String, at now: Date) -> [WorkspaceName]? {
        guard let entry = entries[name], entry.expires > now else { return nil }
        return entry.workspaces
    }

    /// Remembers a whole listing: every name in it, with the workspaces that carry it.
    func record(_ listing: [WorkspaceName], expires: Date) {
        for (name, workspaces) in Dictionary(grouping: listing.filter { $0.name != nil }, by: { $0.name! }) {
            entries[name] = (workspaces, expires)
        }
    }

    /// Forgets everything (a credential was stored or deleted, so what is visible may have changed).
    func clear() { entries = [:] }
}

/// Workspace params accept a gid or an exact name (protocol.md §5, "Workspace by gid or name").
///
/// - A string of digits is a gid and is used as is (1 to 32 digits, else `-32602`); no call to Asana.
/// - Anything else is an exact, case-sensitive workspace name, resolved through `GET /workspaces`.
///   A name is what a caller has *before* it knows the gid, so it cannot pick "the credential of that
///   workspace": it is resolved with **every distinct stored credential** (any workspace, any purpose;
///   each token is asked once, concurrently) and the workspaces they can see are merged by gid. A
///   credential that fails (revoked, unreadable) is skipped; only when all fail is the call refused
///   with that `upstream.*` error.
/// - A name that exactly one visible workspace has resolves to its gid; the answer is cached in
///   memory for ``AccessService/workspaceNameLifetime`` (10 minutes). Unknown and ambiguous names are
///   never served from the cache: they are listed again, so a credential stored a moment ago counts.
///   Storing or deleting a credential clears the cache.
/// - No visible workspace has the name → `1002 workspace.unknown_name` listing `[{gid, name}]` of
///   what the credentials see; several do → `1005 workspace.ambiguous_name` listing their gids.
/// - `putCredential` resolves a name with the secret being stored only (see ``resolveWorkspace(_:token:)``).
extension AccessService {
    /// How long a resolved name is reused without asking Asana again.
    public static let workspaceNameLifetime: TimeInterval = 600

    /// Longest workspace name accepted, in UTF-8 bytes.
    static let maximumWorkspaceNameBytes = 1024

    /// The gid of `workspace`, given as a gid or an exact name.
    /// - Throws: `-32602` naming `field`; `workspace.unknown_name`, `workspace.ambiguous_name`; `upstream.*` when no credential could list workspaces.
    public func resolveWorkspace(_ workspace: String, field: String = "workspace") async throws -> String {
        guard try Self.isName(workspace, field: field) else { return workspace }
        if let cached = await workspaceNames.lookup(workspace, at: now()), cached.count == 1 { return cached[0].gid }
        let listing = try await Self.visibleWorkspaces(clients: try await distinctStoredClients())
        await workspaceNames.record(listing, expires: now().addingTimeInterval(Self.workspaceNameLifetime))
        return try Self.pick(workspace, from: listing)
    }

    /// The gid of `workspace` (a gid or an exact name), resolving a name with `token` only: for
    /// storing a credential, whose own secret is the one that must see the workspace.
    public func resolveWorkspace(_ workspace: String, token: String, field: String = "workspace") async throws -> String {
        try await Self.resolveWorkspace(workspace, token: token, asana: asana, field: field)
    }

    /// As ``resolveWorkspace(_:token:field:)``, without a service (for `asana-accessd credentials put`).
    public static func resolveWorkspace(_ workspace: String, token: String, asana: AsanaClientFactory, field: String = "workspace") async throws -> String {
        guard try isName(workspace, field: field) else { return workspace }
        let listing = try await visibleWorkspaces(clients: [asana.client(token: token)])
        return try pick(workspace, from: listing)
    }

    /// Whether `workspace` is a name (else a gid).
    /// - Throws: `-32602` for an empty or over-long value, a control character (U+0000–U+001F, U+007F: no
    ///   Asana name has one, and SQLite text would end at a NUL), or digits that are not a valid gid.
    static func isName(_ workspace: String, field: String) throws(RPCError) -> Bool {
        if !workspace.isEmpty, workspace.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            try checkGid(workspace, field: field)
            return false
        }
        guard !workspace.trimmingCharacters(in: .whitespaces).isEmpty, workspace.utf8.count <= maximumWorkspaceNameBytes,
              !workspace.unicodeScalars.contains(where: \.isControlCharacter) else {
            throw .invalidParams("Invalid params: \"\(field)\" must be a workspace gid (1 to 32 digits) or an exact workspace name (1 to \(maximumWorkspaceNameBytes) bytes, no control characters)", field: field)
        }
        return true
    }

    /// The one workspace of `listing` named exactly `name`.
    static func pick(_ name: String, from listing: [WorkspaceName]) throws -> String {
        let named = listing.filter { $0.name == name }
        switch named.count {
        case 1: return named[0].gid
        case 0: throw AccessError.workspaceUnknownName(name, visible: listing)
        default: throw AccessError.workspaceAmbiguousName(name, gids: named.map(\.gid))
        }
    }

    /// A client for each distinct stored credential (by fingerprint); credentials that cannot be used
    /// (unreadable, or waiting for a new OAuth authorization) are skipped.
    func distinctStoredClients() async throws -> [AsanaClient] {
        var seen: Set<String> = []
        var clients: [AsanaClient] = []
        for summary in try await store.credentialSummaries() where seen.insert(summary.fingerprint).inserted {
            guard let client = try? await client(workspace: summary.workspaceGid, purpose: summary.purpose) else { continue }
            clients.append(client)
        }
        return clients
    }

    /// Every workspace the clients' tokens can see (`GET /workspaces` with each, at once), merged by gid, sorted by gid.
    /// - Throws: `upstream.*` of the first failure when every token failed.
    static func visibleWorkspaces(clients: [AsanaClient]) async throws -> [WorkspaceName] {
        let outcomes = await withTaskGroup(of: Result<[AsanaWorkspace], AsanaAPIError>.self) { group in
            for client in clients {
                group.addTask {
                    do { return .success(try await client.workspaces()) } catch let error as AsanaAPIError { return .failure(error) } catch {
                        return .failure(.transport("\(error)"))
                    }
                }
            }
            var outcomes: [Result<[AsanaWorkspace], AsanaAPIError>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        var byGid: [String: WorkspaceName] = [:]
        var firstError: AsanaAPIError?
        var anySucceeded = false
        for outcome in outcomes {
            switch outcome {
            case .success(let workspaces):
                anySucceeded = true
                for workspace in workspaces { byGid[workspace.gid] = WorkspaceName(gid: workspace.gid, name: workspace.name) }
            case .failure(let error):
                firstError = firstError ?? error
            }
        }
        if !anySucceeded, let firstError { throw AccessError.upstream(firstError) }
        return byGid.values.sorted { ($0.gid.count, $0.gid) < ($1.gid.count, $1.gid) }
    }
}

extension Unicode.Scalar {
    /// U+0000–U+001F and U+007F: refused in names and ids, which never hold them (and SQLite text ends at a NUL).
    var isControlCharacter: Bool { value < 0x20 || value == 0x7F }
}
