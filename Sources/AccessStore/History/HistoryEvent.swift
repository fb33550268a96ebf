import AccessProtocol
import Foundation

/// One change for history to record, as a snapshot or a provision change sees it; each store's history writer
/// turns it into intervals and access changes with ``HistoryRecords``.
enum HistoryEvent: Equatable {
    /// A team's name from `from` (nil: no such team) to `to` (nil: deleted).
    case team(gid: String, from: String?, to: String?)
    /// A person's workspace membership from `from` (nil: never seen) to `to`. `firstSeenAt` and `lastSeenAt`
    /// (Unix milliseconds) are the person's row's after the change.
    case person(gid: String, from: PersonState?, to: PersonState, firstSeenAt: Int64, lastSeenAt: Int64)
    /// A person's team memberships (team gid → rights); `person` names them in the change rows, `teamNames`
    /// names each team (a team missing from it is named by its gid).
    case teams(userGid: String, person: PersonState, from: [String: TeamRights], to: [String: TeamRights], teamNames: [String: String])
}

/// A row of the access change log (`accessChange` / `access_change`) without its id.
struct AccessChangeRecord: Equatable {
    var userGid: String
    var userName: String?
    var userEmail: String?
    var kind: AccessChange.Kind
    var teamGid: String?
    var teamName: String?
    /// JSON text, nil for none.
    var before: String?
    var after: String?
    /// Unix milliseconds.
    var observedAt: Int64
    var notBefore: Int64?
    var syncRunId: Int64?
    var provisionCallId: String?
    var principal: String?
}

extension AccessChangeRecord {
    /// A stored row (`id`), its kind as stored (`kindName`).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the kind is not one this build knows (see ``accessChange(id:)``).
    init(id: Int64, userGid: String, userName: String?, userEmail: String?, kindName: String, teamGid: String?, teamName: String?,
         before: String?, after: String?, observedAt: Int64, notBefore: Int64?, syncRunId: Int64?, provisionCallId: String?,
         principal: String?) throws {
        guard let kind = AccessChange.Kind(rawValue: kindName) else {
            throw AccessStoreError.invalidArgument("accessChange \(id) has an unknown kind \"\(kindName)\"")
        }
        self.init(userGid: userGid, userName: userName, userEmail: userEmail, kind: kind, teamGid: teamGid, teamName: teamName,
                  before: before, after: after, observedAt: observedAt, notBefore: notBefore, syncRunId: syncRunId,
                  provisionCallId: provisionCallId, principal: principal)
    }

    /// The change as ``HistoryStore/listAccessChanges(_:)`` answers it.
    /// - Throws: `DecodingError` when `before` or `after` is not JSON.
    func accessChange(id: Int64) throws -> AccessChange {
        func json(_ text: String?) throws -> JSONValue? {
            guard let text else { return nil }
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        }
        return AccessChange(
            id: id, kind: kind,
            person: AccessChange.PersonRef(gid: userGid, name: userName, email: userEmail),
            team: teamGid.map { AccessChange.TeamRef(gid: $0, name: teamName ?? $0) },
            before: try json(before), after: try json(after),
            observedAt: UnixMillis.date(observedAt),
            notBefore: UnixMillis.date(notBefore),
            syncRunId: syncRunId,
            provision: principal.flatMap { who in provisionCallId.map { AccessChange.ProvisionRef(principal: who, callId: $0) } })
    }
}

/// The interval of a person's workspace membership that a change opens at `now` (open-ended).
struct PersonInterval: Equatable {
    var userGid: String
    var state: PersonState
    /// Unix milliseconds.
    var firstSeenAt: Int64
    /// The last time a departed person was seen present; nil while present.
    var lastSeenAt: Int64?
}

/// How history events become intervals and change rows, the same for every store: an interval ends where the
/// next begins (`now`), nothing is written for what did not change, and each change row carries its provenance.
enum HistoryRecords {
    /// The interval `event` opens for a person, nil when the person did not change (or `event` is not a person's).
    static func personInterval(_ event: HistoryEvent) -> PersonInterval? {
        guard case .person(let gid, let before, let after, let firstSeenAt, let lastSeenAt) = event, before != after else { return nil }
        return PersonInterval(userGid: gid, state: after, firstSeenAt: firstSeenAt, lastSeenAt: after.departed ? lastSeenAt : nil)
    }

    /// The team memberships `event` changes: (team gid, rights after; nil when the membership ended), by team gid.
    static func membershipChanges(_ event: HistoryEvent) -> [(teamGid: String, rights: TeamRights?)] {
        guard case .teams(_, _, let before, let after, _) = event, before != after else { return [] }
        return Set(before.keys).union(after.keys).sorted().compactMap { teamGid in
            before[teamGid] == after[teamGid] ? nil : (teamGid, after[teamGid])
        }
    }

    /// The name a team event leaves (nil: the team is gone), or nothing when it does not change a team.
    static func teamChange(_ event: HistoryEvent) -> (teamGid: String, name: String?)? {
        guard case .team(let gid, let before, let after) = event, before != after else { return nil }
        return (gid, after)
    }

    /// The change rows of `event` observed at `now` (Unix milliseconds) with `provenance`; `previousSync` is the
    /// workspace's previous sync (a sync's `notBefore`), ignored for a provision.
    static func changes(_ event: HistoryEvent, now: Int64, provenance: ChangeProvenance, previousSync: Int64?) -> [AccessChangeRecord] {
        var notBefore: Int64?
        var syncRunId: Int64?
        var principal: String?
        var callId: String?
        switch provenance {
        case .sync(let runId):
            notBefore = previousSync
            syncRunId = runId
        case .provision(let who, let call):
            notBefore = now
            principal = who
            callId = call
        }
        func record(_ entry: ChangeEntry, userGid: String, person: PersonState, teamName: String?) -> AccessChangeRecord {
            AccessChangeRecord(
                userGid: userGid, userName: person.name, userEmail: person.email, kind: entry.kind, teamGid: entry.teamGid,
                teamName: entry.teamGid.map { teamName ?? $0 }, before: entry.before?.jsonText, after: entry.after?.jsonText,
                observedAt: now, notBefore: notBefore, syncRunId: syncRunId, provisionCallId: callId, principal: principal)
        }
        switch event {
        case .team:
            return []
        case .person(let gid, let before, let after, _, _):
            guard before != after else { return [] }
            // A departure is named as the person was while present.
            let label = after.departed ? (before ?? after) : after
            return AccessChangeDiff.person(from: before, to: after).map { record($0, userGid: gid, person: label, teamName: nil) }
        case .teams(let gid, let person, let before, let after, let names):
            guard before != after else { return [] }
            return AccessChangeDiff.teams(from: before, to: after).map { entry in
                record(entry, userGid: gid, person: person, teamName: entry.teamGid.flatMap { names[$0] })
            }
        }
    }
}
