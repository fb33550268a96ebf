import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension AsanaAccessCommand {
    /// `asana-access list-users --workspace GID|NAME [filters] [--changed-since MOMENT | --as-of MOMENT] [--fields a,b] [--limit N] [--cursor C] [--all]`: calls `listUsers`.
    ///
    /// The server reads its last snapshot (run `sync` first), or its history with `--as-of`. One page per call; `--all` follows
    /// `nextCursor` until the last page and prints the pages as one result (`nextCursor` absent).
    struct ListUsers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-users",
            abstract: "List the people of a workspace from its last sync, with filters.")

        /// Largest page the server serves (`listUsers` `limit` is 1...1000, protocol.md).
        static let maximumLimit = 1000

        @Option(help: ArgumentHelp("Workspace: gid or exact name (as in Asana's admin console).", valueName: "gid-or-name"), completion: .custom(NameCache.completeWorkspace))
        var workspace: String

        @Flag var activity: ActivityFilter?

        @Flag(inversion: .prefixedNo, help: "Only workspace admins (--admin) or only non-admins (--no-admin).")
        var admin: Bool?

        @Flag(inversion: .prefixedNo, help: "Only guests (--guest) or only non-guests (--no-guest).")
        var guest: Bool?

        @Flag(inversion: .prefixedNo, help: "Only people with an unknown membership flag, shown as ? (--flags-unknown), or only people whose flags are all known (--no-flags-unknown).")
        var flagsUnknown: Bool?

        @Option(help: ArgumentHelp("Only members of this team (gid or exact name).", valueName: "gid-or-name"), completion: .custom(NameCache.completeTeam))
        var team: String?

        @Option(help: ArgumentHelp("Only people whose name or email contains this text (case-insensitive).", valueName: "text"))
        var query: String?

        @Flag(help: "Also list people who have left the workspace (they show a DEPARTED date).")
        var includeDeparted = false

        @Option(help: ArgumentHelp("Only people added, updated or departed after this moment (\(MomentArgument.help)); departed people included.", valueName: "moment"))
        var changedSince: String?

        @Option(help: ArgumentHelp("The people as of this moment instead of the last sync (\(MomentArgument.help); a date means the end of that day).", valueName: "moment"))
        var asOf: String?

        @Option(help: ArgumentHelp("Only these members of each person, comma-separated (gid is always included), e.g. email,isAdmin,teams.", valueName: "names"))
        var fields: String?

        @Option(help: ArgumentHelp("Page size, 1...1000 (server default when absent; 1000 with --all).", valueName: "n"))
        var limit: Int?

        @Option(help: ArgumentHelp("Start after this cursor (the nextCursor of an earlier page).", valueName: "cursor"))
        var cursor: String?

        @Flag(help: "Follow nextCursor until the last page and print everything.")
        var all = false

        @OptionGroup(title: "Connection Options") var connection: ConnectionOptions

        func validate() throws {
            if workspace.isEmpty { throw ValidationError("--workspace must not be empty.") }
            if let changedSince { _ = try MomentArgument.param(changedSince, option: "--changed-since") }
            if let asOf { _ = try MomentArgument.param(asOf, option: "--as-of") }
            if changedSince != nil && asOf != nil { throw ValidationError("--as-of and --changed-since cannot be combined (asana-access changes lists what changed between two moments).") }
            if let fields, Self.fieldNames(fields).isEmpty { throw ValidationError("--fields must name at least one member.") }
            if let limit, !(1...Self.maximumLimit).contains(limit) {
                throw ValidationError("--limit must be in 1...\(Self.maximumLimit), got \(limit).")
            }
        }

        /// The `listUsers` params without `cursor`.
        var baseParams: [String: JSONValue] {
            get throws {
            var params: [String: JSONValue] = ["workspace": .string(workspace)]
            if let activity { params["active"] = .bool(activity == .active) }
            if let admin { params["admin"] = .bool(admin) }
            if let guest { params["guest"] = .bool(guest) }
            if let flagsUnknown { params["flagsUnknown"] = .bool(flagsUnknown) }
            if let team { params["team"] = .string(team) }
            if let query { params["query"] = .string(query) }
            if includeDeparted { params["includeDeparted"] = .bool(true) }
            // A run id is an integer on the wire; a relative span is sent as the time it stands for.
            if let changedSince { params["changedSince"] = try JSONValue(encoding: MomentArgument.param(changedSince, option: "--changed-since")) }
            if let asOf { params["asOf"] = try JSONValue(encoding: MomentArgument.param(asOf, option: "--as-of")) }
            if let fields { params["fields"] = .array(Self.fieldNames(fields).map { .string($0) }) }
            if let pageSize = limit ?? (all ? Self.maximumLimit : nil) { params["limit"] = .integer(Int64(pageSize)) }
            return params
            }
        }

        /// The names of a comma-separated `--fields` list, trimmed, empty ones dropped.
        static func fieldNames(_ list: String) -> [String] {
            list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        func run() async throws {
            let base = try baseParams
            let result = try await connection.withClient { client in
                try await Self.fetch(client: client, params: base, cursor: cursor, followCursors: all)
            }
            if let page = try? AccessProtocol.ListUsers.result(from: result) {
                var teams: [String: String] = [:]
                for person in page.users { for team in person.teams { teams[team.gid] = team.name } }
                NameCache.record(workspaces: [(page.workspace.gid, page.workspace.name)], teams: teams.map { (gid: $0.key, name: $0.value) })
            }
            switch connection.outputMode {
            case .json:
                try OutputMode.printJSON(result)
            case .human:
                print(try Self.table(of: result, fields: fields.map(Self.fieldNames)))
            }
        }

        /// Calls `listUsers` once, or page after page when `followCursors`, and merges the pages:
        /// the first page's members with `users` concatenated and `nextCursor` from the last page.
        /// - Throws: `RPCError`; ``ClientFailure`` when the server hands back a cursor it already gave (it would loop).
        static func fetch(client: RPCClient, params: [String: JSONValue], cursor: String?, followCursors: Bool) async throws -> JSONValue {
            var cursor = cursor
            var seen: Set<String> = []
            var merged: [String: JSONValue]?
            var users: [JSONValue] = []
            while true {
                var page = params
                if let cursor { page["cursor"] = .string(cursor) }
                let answer = try await client.call("listUsers", params: .object(page))
                guard case .object(var members) = answer else {
                    throw ClientFailure.connection(.malformedResponse("listUsers answered with a \(answer.typeName), not an object"))
                }
                users += members["users"]?.asArray ?? []
                let next = members["nextCursor"]?.stringValue
                members["nextCursor"] = nil
                if merged == nil { merged = members }
                guard followCursors, let next else {
                    if let next { merged?["nextCursor"] = .string(next) }
                    break
                }
                guard seen.insert(next).inserted else {
                    throw ClientFailure.connection(.malformedResponse("listUsers returned the cursor \(next) twice"))
                }
                cursor = next
            }
            merged?["users"] = .array(users)
            return .object(merged ?? [:])
        }

        /// The answer as a table with a footer naming the workspace, the snapshot time and the next cursor.
        /// Only the columns of members the answer holds (all, or those `--fields` named); `?` is an unknown value.
        /// - Throws: ``ClientFailure`` when the answer does not have the shape of ``AccessProtocol/ListUsers/Result``.
        /// - Parameter fields: the members `--fields` asked for, which name the columns when the page is empty.
        static func table(of answer: JSONValue, fields: [String]? = nil) throws -> String {
            let result = try AccessProtocol.ListUsers.result(from: answer)
            let asked = fields.map { Set($0.compactMap(Person.Member.init(rawValue:))).union([.gid]) } ?? Set(Person.Member.allCases)
            let held = result.users.isEmpty ? asked : result.users.reduce(into: Set<Person.Member>()) { $0.formUnion($1.members) }
            func flag(_ value: Bool?) -> String { value.map { $0 ? "yes" : "no" } ?? "?" }
            let columns: [(member: Person.Member, title: String, cell: (Person) -> String)] = [
                (.gid, "GID", { $0.gid }),
                (.name, "NAME", { $0.name ?? "-" }),
                (.email, "EMAIL", { $0.email ?? "-" }),
                (.isActive, "ACTIVE", { flag($0.isActive) }),
                (.isAdmin, "ADMIN", { flag($0.isAdmin) }),
                (.isGuest, "GUEST", { flag($0.isGuest) }),
                (.isViewOnly, "VIEW-ONLY", { flag($0.isViewOnly) }),
                (.teams, "TEAMS", { $0.teams.isEmpty ? "-" : $0.teams.map(\.name).joined(separator: ", ") }),
                (.departedAt, "DEPARTED", { $0.departedAt.map { String(JSONEncoder.protocolTimestamp($0).prefix(10)) } ?? "-" }),
                (.change, "CHANGE", { $0.change?.rawValue ?? "-" }),
            ].filter { held.contains($0.member) && ($0.member != .change || result.changedSince != nil) }
            var table = TextTable(header: columns.map(\.title))
            for person in result.users {
                table.rows.append(columns.map { $0.cell(person) })
            }
            var lines = [table.render(), ""]
            let count = result.users.count
            var footer = "\(count) \(count == 1 ? "person" : "people") in \(result.workspace.name) (\(result.workspace.gid))"
            if let syncedAt = result.syncedAt { footer += ", synced \(JSONEncoder.protocolTimestamp(syncedAt))" }
            if let since = result.changedSince { footer += ", changed since \(JSONEncoder.protocolTimestamp(since))" }
            if let asOf = result.asOf {
                footer += ", as of \(JSONEncoder.protocolTimestamp(asOf.time)) (sync run \(asOf.syncRunId); history complete from \(JSONEncoder.protocolTimestamp(asOf.historyFrom)))"
            }
            lines.append(footer)
            if let next = result.nextCursor {
                lines.append("more: --cursor \(next) (or --all)")
            }
            return lines.joined(separator: "\n")
        }
    }
}
