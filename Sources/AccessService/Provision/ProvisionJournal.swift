import AccessProtocol
import AccessStore
import AsanaAPI
import Foundation
import LineRPC

/// One Asana membership write of a provision: what will be sent, to whom.
struct ProvisionWrite: Sendable {
    var operation: ProvisionWriteOperation
    var workspaceGid: String
    /// The team, for team writes.
    var teamGid: String?
    /// The person's email as given to `provision`.
    var email: String
    /// The person's gid, when known before the write.
    var userGid: String?
    /// The `user` value sent (a gid or the email).
    var userRef: String

    /// The call as shown in a target's `calls`, e.g. `POST /workspaces/1000/addUser {"user":"ann@example.com"}`.
    var call: String {
        let path: String
        switch operation {
        case .addToWorkspace: path = "/workspaces/\(workspaceGid)/addUser"
        case .removeFromWorkspace: path = "/workspaces/\(workspaceGid)/removeUser"
        case .addToTeam: path = "/teams/\(teamGid ?? "")/addUser"
        case .removeFromTeam: path = "/teams/\(teamGid ?? "")/removeUser"
        }
        return #"POST \#(path) {"user":\#(JSONValue.string(userRef).jsonText)}"#
    }
}

/// The write-ahead journal of one `provision` call (issue 10, item 6): before each Asana write an
/// intent is committed (a `provisionIntent` row, then a `provision.intent` audit event), after it
/// its outcome (a `provision.outcome` audit event, then the row is closed). A crash between the two
/// leaves the row open; ``AccessService/reconcileProvisionIntents(upTo:)`` settles it on the next start.
struct ProvisionJournal: Sendable {
    let service: AccessService
    /// One id per `provision` call, shared by its writes.
    let callId: String
    let principal: String
    let idempotencyKey: String?

    /// Audit method of the intent committed before a write.
    static let intentMethod = "provision.intent"
    /// Audit method of a write's outcome, recorded by the call that made it.
    static let outcomeMethod = "provision.outcome"
    /// Audit method of an intent settled by reading Asana after a restart.
    static let reconciledMethod = "provision.reconciled"

    /// Commits the intent of `write`. Nothing may be sent to Asana unless this returns.
    /// - Returns: the intent's id.
    /// - Throws: a storage error when the intent (row or audit event) could not be committed.
    func begin(_ write: ProvisionWrite, attempt: Int) async throws -> Int64 {
        let draft = self.draft(write, attempt: attempt)
        // The row first: if the process dies before the audit event, the open row is still reconciled.
        let id = try await service.store.recordProvisionIntent(draft, at: service.now())
        try await service.audit(principal: principal, method: Self.intentMethod,
                                params: ProvisionWriteAudit(id: id, draft: draft), result: [String: String](), outcome: "pending")
        return id
    }

    /// The intent of `write`'s `attempt`-th send in this call.
    private func draft(_ write: ProvisionWrite, attempt: Int) -> ProvisionIntentDraft {
        ProvisionIntentDraft(
            callId: callId, principal: principal, idempotencyKey: idempotencyKey, workspaceGid: write.workspaceGid,
            operation: write.operation, teamGid: write.teamGid, email: write.email, userGid: write.userGid,
            userRef: write.userRef, attempt: attempt)
    }

    /// Records the outcome of the write of intent `id`: `done` when `error` is nil, `refused` when Asana answered
    /// with a refusal, `unknown` otherwise. Never throws: when the outcome cannot be recorded, the intent stays
    /// open and is reconciled on the next start (logged).
    func finish(_ id: Int64, _ write: ProvisionWrite, attempt: Int, error: (any Error)?) async {
        let outcome: ProvisionIntentOutcome
        var result = ProvisionOutcomeAudit()
        if let error {
            let asanaError = error as? AsanaAPIError
            result.error = asanaError.map(AccessError.upstream) ?? (error as? RPCError) ?? .internalError("\(error)")
            if let status = asanaError.flatMap(Self.refusalStatus) {
                outcome = .refused
                result.status = status
            } else {
                outcome = .unknown
            }
        } else {
            outcome = .done
        }
        do {
            // The audit event first: a crash before the row is closed only repeats the record (reconciled later).
            try await service.audit(principal: principal, method: Self.outcomeMethod,
                                    params: ProvisionWriteAudit(id: id, draft: draft(write, attempt: attempt)), result: result, outcome: outcome.rawValue)
            try await service.store.resolveProvisionIntent(id: id, outcome: outcome, at: service.now())
        } catch {
            service.logger.error("could not record a provision write's outcome; it will be reconciled on the next start",
                                 metadata: ["intent": "\(id)", "outcome": "\(outcome.rawValue)", "error": "\(error)"])
        }
    }

    /// The HTTP status of an answer that means Asana did not apply the write, or nil when it may have
    /// (5xx, transport failure, an unreadable 2xx answer).
    static func refusalStatus(_ error: AsanaAPIError) -> Int? {
        switch error {
        case .unauthorized: return 401
        case .forbidden: return 403
        case .notFound: return 404
        case .rateLimited: return 429
        case .badRequest(let message):
            // Other 4xx come as `badRequest` with the message starting "HTTP <status>: ".
            if message.hasPrefix("HTTP "), let status = Int(message.dropFirst(5).prefix { $0.isNumber }) { return status }
            return 400
        case .oauth(let status, _, _): return status
        case .server, .transport, .malformedPage, .malformedResponse: return nil
        }
    }
}

/// The `params` of `provision.intent`, `provision.outcome` and `provision.reconciled` audit events.
struct ProvisionWriteAudit: Encodable {
    /// The intent's id.
    var intent: Int64
    var callId: String
    var idempotencyKey: String?
    var workspace: String
    var operation: ProvisionWriteOperation
    var team: String?
    var email: String
    var userGid: String?
    var attempt: Int
    var call: String

    init(id: Int64, draft: ProvisionIntentDraft) {
        intent = id
        callId = draft.callId
        idempotencyKey = draft.idempotencyKey
        workspace = draft.workspaceGid
        operation = draft.operation
        team = draft.teamGid
        email = draft.email
        userGid = draft.userGid
        attempt = draft.attempt
        call = ProvisionWrite(draft).call
    }
}

/// The `result` of a `provision.outcome` audit event: `{}` when done; `{status, error}` when refused; `{error}` when unknown.
struct ProvisionOutcomeAudit: Encodable {
    var status: Int?
    var error: RPCError?
}
