import Foundation
import Testing
@testable import AccessStore

@Suite("Provision intents", .closesStores)
struct ProvisionIntentStoreTests {
    private func draft(_ call: String = "call-1", operation: ProvisionWriteOperation = .addToWorkspace, team: String? = nil,
                       email: String = "ada@acme.example", attempt: Int = 1) -> ProvisionIntentDraft {
        ProvisionIntentDraft(callId: call, principal: "cn=host1", idempotencyKey: nil, workspaceGid: "1000", operation: operation,
                             teamGid: team, email: email, userGid: nil, userRef: email, attempt: attempt)
    }

    @Test("an intent reads back whole, open until resolved; a second resolve changes nothing", arguments: StoreKind.available)
    func lifecycle(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let full = ProvisionIntentDraft(callId: "call-1", principal: "cn=host1", idempotencyKey: "idem-7", workspaceGid: "1000",
                                        operation: .removeFromTeam, teamGid: "t1", email: "bob@acme.example", userGid: "u2",
                                        userRef: "u2", attempt: 2)
        let first = try await store.recordProvisionIntent(full, at: T.t0)
        let second = try await store.recordProvisionIntent(draft(), at: T.at(minutes: 1))
        #expect(second > first)
        let open = try await store.openProvisionIntents()
        #expect(open == [
            ProvisionIntent(id: first, draft: full, createdAt: T.t0, outcome: nil, resolvedAt: nil, reconcileAttempts: 0),
            ProvisionIntent(id: second, draft: draft(), createdAt: T.at(minutes: 1), outcome: nil, resolvedAt: nil, reconcileAttempts: 0),
        ])
        #expect(try await store.resolveProvisionIntent(id: first, outcome: .done, at: T.at(minutes: 2)))
        #expect(try await store.resolveProvisionIntent(id: first, outcome: .refused, at: T.at(minutes: 3)) == false)
        #expect(try await store.resolveProvisionIntent(id: 999_999, outcome: .done, at: T.at(minutes: 3)) == false)
        #expect(try await store.openProvisionIntents().map(\.id) == [second])
        let resolved = try #require(try await store.provisionIntents(callId: "call-1").first)
        #expect(resolved.id == first && resolved.outcome == .done && resolved.resolvedAt == T.at(minutes: 2))
    }

    @Test("undetermined reconciliations are counted on open intents only; upTo and callId select", arguments: StoreKind.available)
    func reconcileAndSelect(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let a = try await store.recordProvisionIntent(draft("call-a"), at: T.t0)
        let b = try await store.recordProvisionIntent(draft("call-b", operation: .addToTeam, team: "t1"), at: T.t0)
        let c = try await store.recordProvisionIntent(draft("call-a", operation: .removeFromWorkspace, attempt: 2), at: T.t0)
        try await store.noteProvisionIntentUndetermined(id: a)
        try await store.noteProvisionIntentUndetermined(id: a)
        try await store.resolveProvisionIntent(id: b, outcome: .unknown, at: T.t0)
        try await store.noteProvisionIntentUndetermined(id: b)
        try await store.noteProvisionIntentUndetermined(id: 999_999)
        #expect(try await store.openProvisionIntents().map(\.reconcileAttempts) == [2, 0])
        #expect(try await store.provisionIntents(callId: "call-b").map(\.reconcileAttempts) == [0])
        #expect(try await store.openProvisionIntents(upTo: a).map(\.id) == [a])
        #expect(try await store.openProvisionIntents(upTo: c).map(\.id) == [a, c])
        #expect(try await store.openProvisionIntents(upTo: a - 1).isEmpty)
        #expect(try await store.provisionIntents(callId: "call-a").map(\.id) == [a, c])
        #expect(try await store.provisionIntents(callId: "call-a").map(\.draft.operation) == [.addToWorkspace, .removeFromWorkspace])
        #expect(try await store.provisionIntents(callId: "nothing").isEmpty)
    }

    @Test("pruning deletes only intents resolved before the instant", arguments: StoreKind.available)
    func prune(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        let old = try await store.recordProvisionIntent(draft("old"), at: T.t0)
        let edge = try await store.recordProvisionIntent(draft("edge"), at: T.t0)
        let open = try await store.recordProvisionIntent(draft("open"), at: T.t0)
        try await store.resolveProvisionIntent(id: old, outcome: .applied, at: T.at(minutes: 1))
        try await store.resolveProvisionIntent(id: edge, outcome: .notApplied, at: T.at(minutes: 10))
        #expect(try await store.pruneResolvedProvisionIntents(before: T.at(minutes: 10)) == 1)
        #expect(try await store.provisionIntents(callId: "old").isEmpty)
        #expect(try await store.provisionIntents(callId: "edge").map(\.outcome) == [.notApplied])
        #expect(try await store.openProvisionIntents().map(\.id) == [open])
        #expect(try await store.pruneResolvedProvisionIntents(before: T.at(minutes: 10)) == 0)
    }

    @Test("empty fields, an attempt below 1 and a team gid on the wrong write are refused; nothing is recorded",
          arguments: StoreKind.available)
    func badDrafts(kind: StoreKind) async throws {
        let store = try await kind.makeAuditStore()
        var bad = draft()
        bad.callId = ""
        await #expect(throws: AccessStoreError.invalidArgument("the provision intent's callId is empty")) {
            try await store.recordProvisionIntent(bad, at: T.t0)
        }
        let fields: [(WritableKeyPath<ProvisionIntentDraft, String>, String)] = [
            (\.principal, "principal"), (\.workspaceGid, "workspaceGid"), (\.email, "email"), (\.userRef, "userRef"),
        ]
        for (path, name) in fields {
            bad = draft()
            bad[keyPath: path] = ""
            await #expect(throws: AccessStoreError.invalidArgument("the provision intent's \(name) is empty")) {
                try await store.recordProvisionIntent(bad, at: T.t0)
            }
        }
        await #expect(throws: AccessStoreError.invalidArgument("the provision intent's attempt is below 1")) {
            try await store.recordProvisionIntent(draft(attempt: 0), at: T.t0)
        }
        for wrong in [draft(operation: .addToWorkspace, team: "t1"), draft(operation: .addToTeam, team: nil),
                      draft(operation: .removeFromTeam, team: "")] {
            await #expect(throws: AccessStoreError.invalidArgument("a team gid is required for team writes and only for them")) {
                try await store.recordProvisionIntent(wrong, at: T.t0)
            }
        }
        #expect(try await store.openProvisionIntents().isEmpty)
    }
}
