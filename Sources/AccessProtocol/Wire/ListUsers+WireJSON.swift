import Foundation

// `listUsers` answers write their own wire JSON: a page of 100 people through the general encoder cost about 60% of
// the server's CPU for the call (a tree of boxed values, keys sorted at every level; Benchmarks/RESULTS.md, session 8).
// Members are written in the order the wire encoder sorts them; WireJSONWritableTests compares every shape with it.

extension ListUsers.Result: WireJSONWritable {
    public func writeWireJSON(to json: inout [UInt8]) {
        // About 400 bytes a person with a team or two: one allocation instead of the array doubling its way up.
        json.reserveCapacity(json.count + 256 + users.count * 448)
        json.append(UInt8(ascii: "{"))
        if let asOf {
            json.append(contentsOf: #""asOf":"#.utf8)
            WireJSON.writeEncoded(asOf, to: &json)
            json.append(UInt8(ascii: ","))
        }
        if let changedSince {
            json.append(contentsOf: #""changedSince":"#.utf8)
            WireJSON.writeDate(changedSince, to: &json)
            json.append(UInt8(ascii: ","))
        }
        if let nextCursor {
            json.append(contentsOf: #""nextCursor":"#.utf8)
            WireJSON.writeString(nextCursor, to: &json)
            json.append(UInt8(ascii: ","))
        }
        json.append(contentsOf: #""syncedAt":"#.utf8)
        WireJSON.writeDate(syncedAt, to: &json)
        json.append(contentsOf: #","users":["#.utf8)
        for (index, person) in users.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            person.writeWireJSON(to: &json)
        }
        json.append(contentsOf: #"],"workspace":"#.utf8)
        workspace.writeWireJSON(to: &json)
        json.append(UInt8(ascii: "}"))
    }
}

extension Person: WireJSONWritable {
    /// The members in ``members`` (and `gid`), an unknown value as `null`, as ``encode(to:)`` writes them.
    public func writeWireJSON(to json: inout [UInt8]) {
        json.append(UInt8(ascii: "{"))
        var first = true
        // Every member (no `fields`) is the common case: no set lookup per member.
        let every = members.count == Self.everyMember.count
        func key(_ name: StaticString, _ member: Member) -> Bool {
            guard every || member == .gid || members.contains(member) else { return false }
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            json.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { json.append(contentsOf: $0) }
            json.append(contentsOf: #"":"#.utf8)
            return true
        }
        if key("change", .change) { WireJSON.writeString(change?.rawValue, to: &json) }
        if key("changedAt", .changedAt) { WireJSON.writeDate(changedAt, to: &json) }
        if key("departedAt", .departedAt) { WireJSON.writeDate(departedAt, to: &json) }
        if key("email", .email) { WireJSON.writeString(email, to: &json) }
        if key("firstSeenAt", .firstSeenAt) { WireJSON.writeDate(firstSeenAt, to: &json) }
        if key("gid", .gid) { WireJSON.writeString(gid, to: &json) }
        if key("isActive", .isActive) { WireJSON.writeBool(isActive, to: &json) }
        if key("isAdmin", .isAdmin) { WireJSON.writeBool(isAdmin, to: &json) }
        if key("isGuest", .isGuest) { WireJSON.writeBool(isGuest, to: &json) }
        if key("isViewOnly", .isViewOnly) { WireJSON.writeBool(isViewOnly, to: &json) }
        if key("lastSeenAt", .lastSeenAt) { WireJSON.writeDate(lastSeenAt, to: &json) }
        if key("name", .name) { WireJSON.writeString(name, to: &json) }
        if key("teams", .teams) {
            json.append(UInt8(ascii: "["))
            for (index, team) in teams.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                team.writeWireJSON(to: &json)
            }
            json.append(UInt8(ascii: "]"))
        }
        json.append(UInt8(ascii: "}"))
    }
}

extension Person.Team: WireJSONWritable {
    public func writeWireJSON(to json: inout [UInt8]) {
        json.append(contentsOf: #"{"gid":"#.utf8)
        WireJSON.writeString(gid, to: &json)
        json.append(contentsOf: #","isAdmin":"#.utf8)
        WireJSON.writeBool(isAdmin, to: &json)
        json.append(contentsOf: #","isGuest":"#.utf8)
        WireJSON.writeBool(isGuest, to: &json)
        json.append(contentsOf: #","isLimitedAccess":"#.utf8)
        WireJSON.writeBool(isLimitedAccess, to: &json)
        json.append(contentsOf: #","name":"#.utf8)
        WireJSON.writeString(name, to: &json)
        json.append(UInt8(ascii: "}"))
    }
}

extension WorkspaceRef: WireJSONWritable {
    public func writeWireJSON(to json: inout [UInt8]) {
        json.append(contentsOf: #"{"gid":"#.utf8)
        WireJSON.writeString(gid, to: &json)
        json.append(contentsOf: #","isOrganization":"#.utf8)
        WireJSON.writeBool(isOrganization, to: &json)
        json.append(contentsOf: #","name":"#.utf8)
        WireJSON.writeString(name, to: &json)
        json.append(UInt8(ascii: "}"))
    }
}
