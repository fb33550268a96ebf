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
        // Answered on the event loop, without a task: it only reads the clock and the session.
        table.registerImmediate(Ping.self) { context, _ in
            Ping.Result(server: "asana-accessd", version: Self.serverVersion, protocolVersion: Self.protocolVersion, time: now(),
                        identity: context.identity.map { Identity(principal: $0.principal, role: $0.role) }, limits: context.limits)
        }
        table.register(Authenticate.self, exclusive: true) { context, params in
            try await authenticate(params, session: context.session)
        }
        table.register(Sync.self, bulk: true) { context, params in
            let wantsProgress = params.progress ?? false
            let workspace = try await resolveWorkspace(params.workspace)
            return try await sync(workspace: workspace, principal: context.identity?.principal) { step in
                guard wantsProgress else { return }
                var step = step
                step.requestId = context.requestID
                await context.notify(Sync.progressNotification, params: step)
            }
        }
        table.register(ListUsers.self, bulk: true) { _, params in
            var params = params
            params.workspace = try await resolveWorkspace(params.workspace)
            return try await listUsers(params)
        }
        table.register(ListAccessChanges.self, bulk: true) { _, params in
            var params = params
            params.workspace = try await resolveWorkspace(params.workspace)
            return try await listAccessChanges(params)
        }
        table.register(ExportAccessReview.self, bulk: true) { context, params in
            var params = params
            params.workspace = try await resolveWorkspace(params.workspace)
            return try await exportAccessReview(params, principal: context.identity?.principal)
        }
        table.register(Provision.self) { context, params in
            try await provision(params, principal: context.identity?.principal)
        }
        registerAdministration(in: &table)
        registerOAuth(in: &table)
        let document = Discover.document(version: Self.protocolVersion, methods: allAccessMethods)
        table.register(Discover.self) { _, _ in document }
        return table
    }
}
