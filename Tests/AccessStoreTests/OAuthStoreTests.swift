import AccessProtocol
import Foundation
import GRDB
import Testing
@testable import AccessStore

@Suite("OAuth apps, pending authorizations and credential state", .closesStores)
struct OAuthStoreTests {
    static func flow(_ state: String = "state-1", at: Date = T.t0, minutes: Int = 10) -> OAuthFlow {
        OAuthFlow(state: state, workspace: "Acme Corp", purpose: .sync, clientId: "app-1", redirectUri: "https://ops.example/cb",
                  scopes: ["users:read", "teams:read"], codeVerifier: "verifier-\(state)", principal: "ops", createdAt: at,
                  expiresAt: at.addingTimeInterval(Double(minutes) * 60))
    }

    @Test("a client secret is sealed: the row holds no plaintext, opens back, and an altered row is refused")
    func clientSecretSealed() async throws {
        let store = try makeStore()
        let summary = try await store.putOAuthClient(clientId: "app-1", secret: "client-secret-value", at: T.t0)
        #expect(summary == OAuthClientSummary(clientId: "app-1", fingerprint: CredentialSealer.fingerprint(of: "client-secret-value"), createdAt: T.t0, updatedAt: T.t0))
        #expect(try await store.openOAuthClientSecret(clientId: "app-1") == "client-secret-value")
        #expect(try await store.openOAuthClientSecret(clientId: "app-2") == nil)
        let raw = try await store.dbWriter.read { try Data.fetchOne($0, sql: "SELECT sealed FROM oauthClient") }
        #expect(try #require(raw).range(of: Data("client-secret-value".utf8)) == nil)

        let again = try await store.putOAuthClient(clientId: "app-1", secret: "rotated", at: T.at(minutes: 3))
        #expect(again.createdAt == T.t0)
        #expect(again.updatedAt == T.at(minutes: 3))
        #expect(try await store.oauthClientSummaries() == [again])

        // A sealed secret moved to another client id does not open.
        try await store.putOAuthClient(clientId: "app-2", secret: "second", at: T.t0)
        try await store.dbWriter.write { db in
            try db.execute(sql: "UPDATE oauthClient SET sealed = (SELECT sealed FROM oauthClient WHERE clientId = 'app-1') WHERE clientId = 'app-2'")
        }
        await #expect(throws: AccessStoreError.oauthClientTampered(clientId: "app-2")) { try await store.openOAuthClientSecret(clientId: "app-2") }
        #expect(try await store.deleteOAuthClient(clientId: "app-2"))
        #expect(try await store.deleteOAuthClient(clientId: "app-2") == false)
    }

    @Test("empty or over-long client ids and secrets are refused", arguments: StoreKind.available)
    func clientBadInput(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        await #expect(throws: AccessStoreError.self) { try await store.putOAuthClient(clientId: "", secret: "s", at: T.t0) }
        await #expect(throws: AccessStoreError.self) { try await store.putOAuthClient(clientId: "a", secret: "", at: T.t0) }
        await #expect(throws: AccessStoreError.self) { try await store.putOAuthClient(clientId: "a", secret: String(repeating: "x", count: 513), at: T.t0) }
        await #expect(throws: AccessStoreError.self) { try await store.putOAuthClient(clientId: "app\u{0}other", secret: "s", at: T.t0) }
        #expect(try await store.oauthClientSummaries().isEmpty)
    }

    @Test("a pending authorization is taken once; the state and verifier are not stored in clear")
    func flowTakenOnce() async throws {
        let store = try makeStore()
        let flow = Self.flow()
        try await store.insertOAuthFlow(flow)
        let row = try #require(try await store.dbWriter.read { try Row.fetchOne($0, sql: "SELECT * FROM oauthFlow") })
        #expect((row["stateHash"] as String) != "state-1")
        #expect((row["sealedVerifier"] as Data).range(of: Data("verifier-state-1".utf8)) == nil)
        #expect(try await store.takeOAuthFlow(state: "state-1", at: T.at(minutes: 1)) == flow)
        #expect(try await store.takeOAuthFlow(state: "state-1", at: T.at(minutes: 1)) == nil)
        #expect(try await store.takeOAuthFlow(state: "never-started", at: T.at(minutes: 1)) == nil)
    }

    @Test("an expired authorization cannot be taken, and is dropped")
    func flowExpires() async throws {
        let store = try makeStore()
        try await store.insertOAuthFlow(Self.flow())
        #expect(try await store.takeOAuthFlow(state: "state-1", at: T.at(minutes: 10)) == nil)
        #expect(try await store.dbWriter.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM oauthFlow") } == 0)
    }

    @Test("a duplicate pending state is refused; expired flows make room")
    func flowDuplicateAndPurge() async throws {
        let store = try makeStore()
        try await store.insertOAuthFlow(Self.flow())
        await #expect(throws: AccessStoreError.invalidArgument("this OAuth state is already pending")) { try await store.insertOAuthFlow(Self.flow()) }
        try await store.insertOAuthFlow(Self.flow("state-2", at: T.at(minutes: 11)))
        // state-1 expired at minute 10 and was dropped when state-2 was stored.
        #expect(try await store.dbWriter.read { try String.fetchAll($0, sql: "SELECT workspace FROM oauthFlow") }.count == 1)
    }

    @Test("at most maxPendingOAuthFlows wait at once", arguments: StoreKind.available)
    func flowCap(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        for index in 0..<StoreLimits.maxPendingOAuthFlows { try await store.insertOAuthFlow(Self.flow("s\(index)")) }
        await #expect(throws: AccessStoreError.self) { try await store.insertOAuthFlow(Self.flow("one-more")) }
        _ = try await store.takeOAuthFlow(state: "s0", at: T.t0)
        try await store.insertOAuthFlow(Self.flow("one-more"))
    }

    @Test("key rotation re-seals client secrets and pending verifiers")
    func rotation() async throws {
        let store = try makeStore()
        try await store.putOAuthClient(clientId: "app-1", secret: "client-secret", at: T.t0)
        try await store.insertOAuthFlow(Self.flow())
        let (rotated, _) = try await store.resealCredentials(with: MasterKey.generate(), at: T.at(minutes: 1))
        #expect(try await rotated.openOAuthClientSecret(clientId: "app-1") == "client-secret")
        #expect(try await rotated.takeOAuthFlow(state: "state-1", at: T.at(minutes: 2))?.codeVerifier == "verifier-state-1")
        await #expect(throws: AccessStoreError.oauthClientTampered(clientId: "app-1")) { try await store.openOAuthClientSecret(clientId: "app-1") }
    }

    @Test("reauthorization: marked only for the fingerprint seen; storing again makes the credential active", arguments: StoreKind.available)
    func credentialState(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let first = try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "{\"a\":1}", fingerprintOf: "refresh-1", at: T.t0)
        #expect(first.fingerprint == CredentialSealer.fingerprint(of: "refresh-1"))
        #expect(first.state == .active)
        #expect(try await store.markCredentialReauthorizationRequired(workspaceGid: "1000", purpose: .sync, fingerprint: "sha256:000000000000", reason: "x", at: T.t0) == false)
        #expect(try await store.markCredentialReauthorizationRequired(workspaceGid: "1000", purpose: .sync, fingerprint: first.fingerprint, reason: "invalid_grant", at: T.t0))
        let marked = try #require(try await store.credentialSummaries().first)
        #expect(marked.state == .reauthorizationRequired)
        #expect(marked.stateReason == "invalid_grant")
        try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "{\"a\":2}", fingerprintOf: "refresh-2", at: T.at(minutes: 1))
        let active = try #require(try await store.credentialSummaries().first)
        #expect(active.state == .active)
        #expect(active.stateReason == nil)
    }

    @Test("replaceCredential writes only over the fingerprint it read", arguments: StoreKind.available)
    func compareAndSwap(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let first = try await store.putCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "one", fingerprintOf: "refresh-1", at: T.t0)
        #expect(try await store.replaceCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "two", fingerprintOf: "refresh-1",
                                                  onlyIfFingerprint: first.fingerprint, at: T.at(minutes: 1))?.fingerprint == first.fingerprint)
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "two")
        #expect(try await store.replaceCredential(workspaceGid: "1000", purpose: .sync, kind: .oauth, secret: "three", fingerprintOf: nil,
                                                  onlyIfFingerprint: "sha256:ffffffffffff", at: T.at(minutes: 2)) == nil)
        #expect(try await store.openCredential(workspaceGid: "1000", purpose: .sync)?.secret == "two")
    }
}
