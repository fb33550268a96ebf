import NIOCore
import NIOSSL
import Testing

@testable import LineRPC

@Suite("RPC client errors")
struct RPCClientErrorTests {
    @Test("a server gone without close_notify after the handshake is a closed connection, not a TLS failure")
    func uncleanShutdownIsAClosedConnection() {
        // What the client's channel reports when the server is killed in the middle of a call.
        guard case .connectionClosed(let reason) = RPCClient.wrap(NIOSSLError.uncleanShutdown) else {
            Issue.record("reported as \(RPCClient.wrap(NIOSSLError.uncleanShutdown))")
            return
        }
        #expect(reason.contains("went away"))
        // A real TLS refusal stays one.
        guard case .tlsFailed = RPCClient.wrap(NIOSSLError.handshakeFailed(.sslError([]))) else {
            Issue.record("a handshake failure is not reported as a TLS failure")
            return
        }
    }
}
