import AccessProtocol
@testable import AccessService
import AccessStore
import AsanaAPI
import Foundation
import LineRPC
import Logging
import TestSupport
import Testing

/// The method table, `rpc.discover` and protocol.md describe the same methods.
@Suite("Contract: method table, rpc.discover and protocol.md agree")
struct ContractTests {
    private func service() throws -> AccessService {
        let store = try SQLiteAccessStore.inMemory(masterKey: MasterKey.generate())
        return ServiceRuntime(configuration: .init(asanaBaseURL: "http://127.0.0.1:9"), logger: Logger(label: "test")).makeService(store: store)
    }

    private var protocolText: String {
        get throws {
            let url = Repository.root.appendingPathComponent("protocol.md")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    @Test("every registered method is documented in protocol.md, with each of its params")
    func documented() throws {
        let text = try protocolText
        for method in try service().methodTable().all {
            #expect(text.contains("`\(method.name)`"), "protocol.md does not mention `\(method.name)`")
            for param in method.paramNames {
                #expect(text.contains("`\(param)`"), "protocol.md does not mention param `\(param)` of \(method.name)")
            }
        }
    }

    @Test("rpc.discover lists exactly the registered methods (the protocol's) with their params")
    func discovery() async throws {
        let table = try service().methodTable()
        let discover = try #require(table.method(named: "rpc.discover"))
        let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "cert:auditor", role: "reader")),
                                        logger: Logger(label: "test"), sendNotification: { _ in })
        let response = await table.answer(RPCRequest(id: .integer(1), method: "rpc.discover", params: nil), context: context)
        guard case .result(let value)? = response?.outcome else {
            Issue.record("rpc.discover failed: \(String(describing: response?.outcome))")
            return
        }
        let document = try JSONDecoder().decode(Discover.Result.self, from: try JSONEncoder().encode(value))
        #expect(Set(document.methods.map(\.name)) == Set(table.all.map(\.name)))
        #expect(table.all.map(\.name).sorted() == allAccessMethods.map { $0.name }.sorted(), "the server registers exactly the protocol's methods")
        for method in table.all {
            #expect(document.methods.first { $0.name == method.name }.map { Set($0.params.map(\.name)) } == Set(method.paramNames))
        }
        #expect(discover.access == .atLeast(.reader))
    }
}

@Suite("Authentication throttling")
struct AuthenticationThrottleTests {
    @Test("failed authentications wait 250 ms, doubling, at most 4 s")
    func schedule() {
        #expect((1...7).map { AccessService.failedAuthenticationDelay(afterFailures: $0) }
            == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
    }
}
