import Foundation
import Logging
import Testing

@testable import AsanaAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP socket bound to 127.0.0.1 on a free port. With `listening`, the kernel completes connections into its
/// backlog but nobody ever accepts or answers them (a host that takes the connection and then says nothing);
/// without, the port stays bound but not listening, so connecting to it is refused, and no other test's server can
/// be given that port while this value lives (closing it at once let a parallel test's server take the port).
final class SilentListener: @unchecked Sendable {
    let port: Int
    private var descriptor: Int32

    init(listening: Bool) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound, !listening || listen(fd, 64) == 0 else {
            _ = systemClose(fd)
            throw POSIXError(.EADDRINUSE)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        descriptor = fd
    }

    func close() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
    }

    deinit { close() }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}

@Suite("An unreachable or silent Asana fails fast")
struct UnreachableAsanaTests {
    private static let quiet = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test("a refused connection fails with a transport error within seconds, after 3 connect attempts, not after the request deadline")
    func refusedFailsFast() async throws {
        let closed = try SilentListener(listening: false)
        // Defaults apart from the base URL: 5 attempts, 30 s request timeout, 500 ms backoff. Before the fix
        // AsyncHTTPClient retried the refused connect until each 30 s deadline: about 150 s in all.
        let client = AsanaClient(
            token: testToken, configuration: .init(baseURL: "http://127.0.0.1:\(closed.port)/api/1.0"), logger: Self.quiet)
        let started = ContinuousClock.now
        let error = await #expect(throws: AsanaAPIError.self) { _ = try await client.users(workspace: "1000") }
        let elapsed = ContinuousClock.now - started
        guard case .transport(let detail)? = error else {
            Issue.record("expected .transport, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("could not connect"), "\(detail)")
        #expect(detail.contains("3 attempts"), "\(detail)")
        #expect(client.requestCount == 3)
        // Seconds when it works (3 refused connects and 1.5 s of backoff); the bug took ~150 s. 50 s leaves a loaded
        // 2-core machine room (28 s seen there with a release build beside the tests) and still catches it.
        #expect(elapsed < .seconds(50), "took \(elapsed)")
        withExtendedLifetime(closed) {}
    }

    @Test("a host that accepts the connection but never answers the TLS handshake fails after the connect timeout, not the request deadline")
    func silentTLSHostTimesOut() async throws {
        let silent = try SilentListener(listening: true)
        defer { silent.close() }
        let client = AsanaClient(
            token: testToken,
            configuration: .init(baseURL: "https://127.0.0.1:\(silent.port)/api/1.0", requestTimeout: .seconds(60),
                                 connectTimeout: .seconds(1)),
            logger: Self.quiet)
        let started = ContinuousClock.now
        let error = await #expect(throws: AsanaAPIError.self) { _ = try await client.me() }
        let elapsed = ContinuousClock.now - started
        guard case .transport(let detail)? = error else {
            Issue.record("expected .transport, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("could not connect"), "\(detail)")
        #expect(client.requestCount == 3)
        // 3 × 1 s connect timeout plus at most 1.5 s of backoff; the 60 s request deadline never comes into it
        // (the bound leaves a loaded machine room, below that deadline).
        #expect(elapsed < .seconds(50), "took \(elapsed)")
    }

    @Test("a POST whose connection is refused is retried like a GET (nothing reached Asana), then fails")
    func refusedPostIsRetried() async throws {
        let closed = try SilentListener(listening: false)
        let client = AsanaClient(
            // A connect timeout far above what a refusal takes: in a test process whose event loops are busy
            // (the whole suite runs at once on 2 cores) a refusal can arrive late, and must not be taken
            // for a timeout (seen once: 2 tries after 19.6 s).
            token: testToken, configuration: .init(baseURL: "http://127.0.0.1:\(closed.port)/api/1.0", backoffBase: .milliseconds(1),
                                                   connectTimeout: .seconds(20)),
            logger: Self.quiet)
        await #expect(throws: AsanaAPIError.self) { _ = try await client.addUser("a@acme.example", toWorkspace: "1000") }
        #expect(client.requestCount == 3)
        withExtendedLifetime(closed) {}
    }

    @Test("a listing whose next_page never ends stops at maxListPages with malformedResponse naming the listing and the bound")
    func endlessListingIsBounded() async throws {
        let replies: [FakeTransport.Reply] = (0..<10).map { index in
            .response(AsanaHTTPResponse(status: 200, body: Array(#"{"data":[{"gid":"\#(index)","name":"n"}],"next_page":{"offset":"o\#(index)","path":"/x","uri":"/x"}}"#.utf8)))
        }
        let transport = FakeTransport(replies)
        let client = AsanaClient(
            token: testToken, configuration: .init(baseURL: "http://asana.test/api/1.0", maxListPages: 4), transport: transport,
            logger: Self.quiet)
        let error = await #expect(throws: AsanaAPIError.self) { _ = try await client.teams(workspace: "1000") }
        guard case .malformedResponse(let detail)? = error else {
            Issue.record("expected .malformedResponse, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("/workspaces/1000/teams"), "\(detail)")
        #expect(detail.contains("4 pages"), "\(detail)")
        #expect(detail.contains("maxListPages"), "\(detail)")
        #expect(client.requestCount == 4)
    }

    @Test("the default bound is 20,000 pages and the default connect timeout 5 s, with 3 connect attempts")
    func defaults() {
        let configuration = AsanaClientConfiguration()
        #expect(configuration.maxListPages == 20_000)
        #expect(configuration.connectTimeout == .seconds(5))
        #expect(configuration.connectAttempts == 3)
    }
}
