import AccessProtocol
import AccessService
import AccessStore
import DevCertificates
import Foundation
import LineRPC
import Logging
import Testing

/// The composition root `serve` and `demo` run, with a real listener on loopback.
@Suite("ServiceRuntime: serve's composition root")
struct ServiceRuntimeTests {
    @Test("makeServiceGroup marks a crashed predecessor's running sync runs failed, listens on the port it reports, maps the certificate's CN to its role, and stops on graceful shutdown")
    func serviceGroup() async throws {
        let root = (NSTemporaryDirectory() as NSString).appendingPathComponent("service-runtime-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let certificates = try DevCertificates.make(in: (root as NSString).appendingPathComponent("certs"))
        let store = try SQLiteAccessStore.open(path: (root as NSString).appendingPathComponent("access.sqlite"), masterKey: MasterKey.generate(), mode: .create)
        let runId = try await store.startSyncRun(workspaceGid: "1000", trigger: "test", at: Date())
        let lock = try DataDirectoryLock.acquire(directory: root, purpose: "test")
        defer { lock.release() }

        var configuration = ServiceRuntime.Configuration(asanaBaseURL: "http://127.0.0.1:9")
        configuration.port = 0
        configuration.principalRoles = ["dev-admin": .operator]
        configuration.drainTimeout = .seconds(5)
        configuration.drainOnSignals = false
        let tls = try TLSSettings.server(certificateChain: certificates.serverCertificate, privateKey: certificates.serverKey,
                                         clientTrustRoots: certificates.caCertificate)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let group = try await ServiceRuntime(configuration: configuration, logger: Logger(label: "test"))
            .makeServiceGroup(store: store, lock: lock, tls: tls) { portContinuation.yield($0) }
        let run = try #require(try await store.syncRun(id: runId))
        #expect(run.status == .failed)
        #expect(run.error == "the server running this sync stopped before it finished")

        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(port > 0)
        let clientTLS = try TLSSettings.client(trustRoots: certificates.caCertificate, certificateChain: certificates.clientCertificate,
                                               privateKey: certificates.clientKey)
        let pong = try await RPCClient.withConnection(RPCClientConfiguration(port: port, tls: clientTLS)) { client in
            try await client.call("ping")
        }
        #expect(pong["identity"] == .object(["principal": .string("cert:dev-admin"), "role": .string("operator")]))
        #expect(pong["server"] == .string("asana-accessd"))
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
