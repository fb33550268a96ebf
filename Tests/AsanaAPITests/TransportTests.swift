import Logging
import Testing

@testable import AsanaAPI

@Suite("HTTP types and the AsyncHTTPClient transport")
struct TransportTests {
    @Test("header lookup is case-insensitive and returns the first match")
    func headerLookup() {
        let response = AsanaHTTPResponse(status: 429, headers: [("retry-after", "7"), ("Retry-After", "9")])
        #expect(response.header("Retry-After") == "7")
        #expect(response.header("RETRY-AFTER") == "7")
        #expect(response.header("Location") == nil)
        let request = AsanaHTTPRequest(method: "GET", url: "http://x", headers: [("Accept", "application/json")])
        #expect(request.header("accept") == "application/json")
    }

    @Test("a refused connection is an AsanaConnectFailure at once, even with a long request deadline")
    func connectionRefused() async throws {
        // AsyncHTTPClient's own retry of connection establishment is off: no waiting out the 30 s deadline.
        let transport = HTTPClientAsanaTransport(timeout: .seconds(30))
        let request = AsanaHTTPRequest(method: "GET", url: "http://127.0.0.1:1/api/1.0/users/me")
        let started = ContinuousClock.now
        let error = await #expect(throws: AsanaConnectFailure.self) { _ = try await transport.send(request) }
        #expect(error?.detail.isEmpty == false)
        // The behaviour this guards against waits out the 30 s deadline; a refusal on a loaded 2-core machine
        // running the whole suite once took 12 s to be reported.
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test("one shared client per connect timeout and pool size; the default pool holds what the default governor lets run")
    func poolMatchesTheGovernor() {
        // That the pool really carries 16 reads at once is checked against the simulator (SyncTests, readsReachTheGovernorCap).
        let defaults = HTTPClientAsanaTransport(connectTimeout: .seconds(7))
        #expect(AsanaGovernorConfiguration().maxConcurrentRequests == 24)
        #expect(HTTPClientAsanaTransport(connectTimeout: .seconds(7), maxConnectionsPerHost: 24).httpClient === defaults.httpClient)
        let wider = HTTPClientAsanaTransport(connectTimeout: .seconds(7), maxConnectionsPerHost: 55)
        #expect(wider.httpClient !== defaults.httpClient)
        #expect(HTTPClientAsanaTransport(connectTimeout: .seconds(7)).httpClient === defaults.httpClient, "shared per connect timeout and pool size")
        #expect(AsanaGovernorConfiguration(maxConcurrentReads: 40, maxConcurrentWrites: 0).maxConcurrentRequests == 41)
    }

    @Test("an unsupported method is refused without a connection")
    func unsupportedMethod() async throws {
        let transport = HTTPClientAsanaTransport()
        await #expect(throws: AsanaAPIError.transport("unsupported HTTP method PATCH")) {
            _ = try await transport.send(AsanaHTTPRequest(method: "PATCH", url: "http://127.0.0.1:1/"))
        }
    }

    @Test("the HTTP convenience initialiser reports connection failures after GET retries")
    func clientOverHTTP() async throws {
        let client = AsanaClient(
            token: testToken,
            configuration: .init(
                baseURL: "http://127.0.0.1:1/api/1.0", maxAttempts: 2, backoffBase: .milliseconds(1),
                requestTimeout: .milliseconds(300)),
            logger: .init(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let error = await #expect(throws: AsanaAPIError.self) { _ = try await client.me() }
        guard case .transport(let detail) = error else {
            Issue.record("expected .transport, got \(String(describing: error))")
            return
        }
        #expect(!detail.contains(testToken))
        #expect(client.requestCount == 2)
    }
}
