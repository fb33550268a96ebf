import AccessProtocol
import Foundation

/// One change to record: a row of `accessChange` without its person and provenance.
struct ChangeEntry: Equatable {
    var kind: AccessChange.Kind
    var teamGid: String?
    var before: JSONValue?
    var after: JSONValue?
}

/// The changes between two states of a person, in a fixed order (workspace membership first, then
/// teams by gid). Pure: history's writer records what it returns.
enum AccessChangeDiff {
    /// The changes of a person's workspace membership state from `before` (nil: never seen) to `after`.
    ///
    /// A flag that goes between unknown and known is never a grant or a revocation: those flags are
    /// reported together as `flagsBecameKnown` or `flagsBecameUnknown` (known history is never inferred).
    static func person(from before: PersonState?, to after: PersonState) -> [ChangeEntry] {
        guard let before else {
            return after.departed ? [] : [ChangeEntry(kind: .joined, after: after.wholeValue)]
        }
        switch (before.departed, after.departed) {
        case (true, false): return [ChangeEntry(kind: .returned, after: after.wholeValue)]
        case (false, true): return [ChangeEntry(kind: .left, before: before.wholeValue)]
        default: break
        }
        var entries: [ChangeEntry] = []
        if before.name != after.name {
            entries.append(ChangeEntry(kind: .renamed, before: ["name": before.name.map(JSONValue.string) ?? .null],
                                       after: ["name": after.name.map(JSONValue.string) ?? .null]))
        }
        if before.email != after.email {
            entries.append(ChangeEntry(kind: .emailChanged, before: ["email": before.email.map(JSONValue.string) ?? .null],
                                       after: ["email": after.email.map(JSONValue.string) ?? .null]))
        }
        let flags: [(String, Bool?, Bool?, AccessChange.Kind, AccessChange.Kind)] = [
            ("isActive", before.isActive, after.isActive, .activated, .deactivated),
            ("isAdmin", before.isAdmin, after.isAdmin, .adminGranted, .adminRevoked),
            ("isGuest", before.isGuest, after.isGuest, .becameGuest, .becameMember),
            ("isViewOnly", before.isViewOnly, after.isViewOnly, .viewOnlyOn, .viewOnlyOff),
        ]
        entries += flagChanges(flags, teamGid: nil)
        return entries
    }

    /// The changes of a person's team memberships from `before` to `after` (team gid → rights), by team gid.
    static func teams(from before: [String: TeamRights], to after: [String: TeamRights]) -> [ChangeEntry] {
        var entries: [ChangeEntry] = []
        for teamGid in Set(before.keys).union(after.keys).sorted() {
            switch (before[teamGid], after[teamGid]) {
            case (nil, let new?): entries.append(ChangeEntry(kind: .teamJoined, teamGid: teamGid, after: new.value))
            case (let old?, nil): entries.append(ChangeEntry(kind: .teamLeft, teamGid: teamGid, before: old.value))
            case (let old?, let new?) where old != new:
                let flags: [(String, Bool?, Bool?, AccessChange.Kind, AccessChange.Kind)] = [
                    ("isAdmin", old.isAdmin, new.isAdmin, .teamRightsChanged, .teamRightsChanged),
                    ("isGuest", old.isGuest, new.isGuest, .teamRightsChanged, .teamRightsChanged),
                    ("isLimitedAccess", old.isLimitedAccess, new.isLimitedAccess, .teamRightsChanged, .teamRightsChanged),
                ]
                // Known rights that changed are one entry with the whole rights before and after.
                let changes = flagChanges(flags, teamGid: teamGid)
                let rightsChanged = changes.contains { $0.kind == .teamRightsChanged }
                if rightsChanged {
                    entries.append(ChangeEntry(kind: .teamRightsChanged, teamGid: teamGid, before: old.value, after: new.value))
                }
                entries += changes.filter { $0.kind != .teamRightsChanged }
            default: break
            }
        }
        return entries
    }

    /// One entry per flag that changed between two known values (`on` for false → true, `off` for true →
    /// false), then one `flagsBecameKnown` and one `flagsBecameUnknown` entry for the flags that went
    /// between unknown and known (their members only).
    private static func flagChanges(_ flags: [(String, Bool?, Bool?, AccessChange.Kind, AccessChange.Kind)], teamGid: String?) -> [ChangeEntry] {
        var entries: [ChangeEntry] = []
        var learned: (before: [String: JSONValue], after: [String: JSONValue]) = ([:], [:])
        var forgotten: (before: [String: JSONValue], after: [String: JSONValue]) = ([:], [:])
        for (name, old, new, on, off) in flags where old != new {
            switch (old, new) {
            case (let old?, let new?):
                entries.append(ChangeEntry(kind: new ? on : off, teamGid: teamGid, before: [name: .bool(old)], after: [name: .bool(new)]))
            case (nil, let new?):
                learned.before[name] = .null
                learned.after[name] = .bool(new)
            case (let old?, nil):
                forgotten.before[name] = .bool(old)
                forgotten.after[name] = .null
            case (nil, nil): break
            }
        }
        if !learned.after.isEmpty {
            entries.append(ChangeEntry(kind: .flagsBecameKnown, teamGid: teamGid, before: .object(learned.before), after: .object(learned.after)))
        }
        if !forgotten.before.isEmpty {
            entries.append(ChangeEntry(kind: .flagsBecameUnknown, teamGid: teamGid, before: .object(forgotten.before), after: .object(forgotten.after)))
        }
        return entries
    }
}
