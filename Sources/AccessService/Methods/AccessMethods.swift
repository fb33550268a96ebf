import AccessProtocol
import AccessStore
import Foundation
import LineRPC

extension AccessService {
    /// The method table served over RPC: every method, its summary and its params.
    public func methodTable() -> RPCMethodTable {
        var table = RPCMethodTable()
        // A full disk (or another storage failure) is named, not "Internal error".
        table.errorMapper = { AccessError.storage($0) }
        table.register(Ping.self) { context, _ in
            Ping.Result(server: "asana-accessd", version: Self.serverVersion, protocolVersion: Self.protocolVersion, time: now(),
                        identity: context.identity.map { Identity(principal: $0.principal, role: $0.role) })
        }
        table.register("authenticate", summary: "Present an API token; the connection then runs as its principal and role.", access: .anyone, exclusive: true, params: AuthenticateParams.self) { context, params in
            try await authenticate(params, session: context.session)
        }
        table.register(Sync.self, bulk: true) { context, params in
            let wantsProgress = params.progress ?? false
            let workspace = try await resolveWorkspace(params.workspace)
            return try await sync(workspace: workspace, principal: context.identity?.principal) { step in
                guard wantsProgress else { return }
                await context.notify(Sync.progressNotification, params: step)
            }
        }
        table.register(ListUsers.self, bulk: true) { _, params in
            var params = params
            params.workspace = try await resolveWorkspace(params.workspace)
            return try listUsers(params)
        }
        table.register("provision", summary: "Add a person to, or remove them from, a workspace and its teams in Asana.", access: Self.access(.admin), params: ProvisionParams.self) { context, params in
            try await provision(params, principal: context.identity?.principal)
        }
        registerAdministration(in: &table)
        registerOAuth(in: &table)
        let summaries = table.all.map { DiscoveryDocument.Method(name: $0.name, summary: $0.summary, params: $0.paramNames.map { .init(name: $0) }) }
        table.register("rpc.discover", summary: "This server's methods as an OpenRPC document.", access: .anyone, params: NoParams.self) { _, _ in
            DiscoveryDocument(
                openrpc: "1.3.2",
                info: .init(title: "asana-access", version: Self.protocolVersion),
                methods: summaries + [.init(name: "rpc.discover", summary: "This server's methods as an OpenRPC document.", params: [])])
        }
        return table
    }
}

/// A minimal OpenRPC document (https://spec.open-rpc.org): methods with their summaries and param names.
public struct DiscoveryDocument: Codable, Sendable {
    public struct Info: Codable, Sendable {
        public var title: String
        public var version: String
    }
    public struct Param: Codable, Sendable {
        public var name: String
    }
    public struct Method: Codable, Sendable {
        public var name: String
        public var summary: String
        public var params: [Param]
    }
    public var openrpc: String
    public var info: Info
    public var methods: [Method]
}
