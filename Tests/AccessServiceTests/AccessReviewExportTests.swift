import AccessProtocol
import AccessStore
import Foundation
import LineRPC
import TestSupport
import Testing
@testable import AccessService

@Suite("exportAccessReview: the access review file, in chunks")
struct AccessReviewExportTests {
    private static let workspace = WorkspaceRef(gid: "1000", name: "Acme, \"Inc\"", isOrganization: true)
    private static let moment = Date(timeIntervalSince1970: 1_782_777_600)  // 2026-06-30T00:00:00Z

    private func person(_ name: String?, email: String?, teams: [Person.Team] = []) -> Person {
        Person(gid: "42", name: name, email: email, isActive: true, isAdmin: nil, isGuest: false, isViewOnly: false, teams: teams,
               firstSeenAt: Self.moment, lastSeenAt: Self.moment, departedAt: nil, changedAt: Self.moment, change: nil)
    }

    @Test("CSV rows: RFC 4180 quoting, CRLF, UTF-8 text as it is, unknown flags named, one row per team")
    func csvRows() {
        let rows = AccessReviewFile.csvRows(person("Zoë \"Z\" O'Neil, Jr.", email: "zoe@acme.example", teams: [
            .init(gid: "7", name: "R&D, East", isAdmin: true, isGuest: false, isLimitedAccess: nil),
            .init(gid: "8", name: "שלום 👋 e\u{301}", isAdmin: false, isGuest: false, isLimitedAccess: false),
        ]), workspace: Self.workspace, asOf: Self.moment)
        #expect(rows == [
            "1000,\"Acme, \"\"Inc\"\"\",2026-06-30T00:00:00.000Z,42,\"Zoë \"\"Z\"\" O'Neil, Jr.\",zoe@acme.example,true,unknown,false,false,2026-06-30T00:00:00.000Z,7,\"R&D, East\",true,false,unknown\r\n",
            "1000,\"Acme, \"\"Inc\"\"\",2026-06-30T00:00:00.000Z,42,\"Zoë \"\"Z\"\" O'Neil, Jr.\",zoe@acme.example,true,unknown,false,false,2026-06-30T00:00:00.000Z,8,שלום 👋 e\u{301},false,false,false\r\n",
        ])
        let lonely = AccessReviewFile.csvRows(person(nil, email: nil), workspace: Self.workspace, asOf: Self.moment)
        #expect(lonely.count == 1)
        #expect(lonely[0].hasSuffix(",,,,,\r\n"), "no team: empty team columns")
        #expect(AccessReviewFile.csvHeader.hasPrefix("\u{FEFF}workspace_gid,workspace_name,as_of,user_gid,"))
        #expect(AccessReviewFile.csvHeader.split(separator: ",").count == AccessReviewFile.csvColumns.count)
    }

    @Test("CSV: a cell a spreadsheet would run as a formula gets a leading quote", arguments: [
        ("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\""), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"), ("Ada", "Ada"), ("a=b", "a=b"),
    ])
    func formulaGuard(name: String, cell: String) {
        let row = AccessReviewFile.csvRows(person(name, email: "x@acme.example"), workspace: Self.workspace, asOf: Self.moment)[0]
        #expect(row.contains(",42," + cell + ",x@acme.example,"), "\(row)")
    }

    @Test("the file as of a run, chunk by chunk, has one row per person and team of that picture; the first chunk is audited")
    func exportMatchesThePicture() async throws {
        let harness = try await ServiceHarness.start(users: 150, teams: 4)
        defer { Task { await harness.stop() } }
        var service = harness.service
        service.exportChunkBytes = 4096  // several chunks
        let run = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        _ = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "after.the.run@acme.example", action: .add), principal: "tester")

        for format in [ExportAccessReview.Format.csv, .jsonl] {
            var params = ExportAccessReview.Params(workspace: harness.workspace, asOf: .run(run.runId), format: format)
            var file = ""
            var rows = 0
            var chunks = 0
            while true {
                let answer = try await service.exportAccessReview(params, principal: "token:auditor")
                #expect(answer.asOf.syncRunId == run.runId)
                file += answer.chunk
                rows += answer.rows
                chunks += 1
                guard let next = answer.nextCursor else { break }
                params.cursor = next
                params.asOf = nil
            }
            #expect(chunks > 2, "\(format): \(chunks) chunks")
            let people = try await harness.allUsers().filter { $0.email != "after.the.run@acme.example" }  // the picture as of the run
            let expectedRows = format == .csv ? people.map { max(1, $0.teams.count) }.reduce(0, +) : people.count
            #expect(rows == expectedRows)
            let lines = file.split(separator: format == .csv ? "\r\n" : "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == expectedRows + (format == .csv ? 1 : 0))
            #expect(!file.contains("after.the.run@acme.example"), "the provision came after the run")
            if format == .jsonl {
                let gids = try lines.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))["gid"]?.stringValue }
                #expect(gids == people.map(\.gid))
            }
        }
        let audited = try await harness.service.listAuditEvents(ListAuditEvents.Params(method: "exportAccessReview"))
        #expect(audited.items.count == 2, "one event per file, not per chunk")
        #expect(audited.items.allSatisfy { $0.principal == "token:auditor" && $0.params.contains("\"asOf\"") })
    }

    @Test("a cursor of another format or altered is refused; before any sync: 1031")
    func badCursors() async throws {
        let harness = try await ServiceHarness.start(users: 30, teams: 1)
        defer { Task { await harness.stop() } }
        do {
            _ = try await harness.service.exportAccessReview(.init(workspace: harness.workspace, format: .csv), principal: nil)
            Issue.record("exported before any sync")
        } catch let error as RPCError {
            #expect(error.kind == .workspaceNotSynced)
        }
        _ = try await harness.service.sync(workspace: harness.workspace, principal: nil)
        var service = harness.service
        service.exportChunkBytes = 100
        let first = try await service.exportAccessReview(.init(workspace: harness.workspace, format: .csv), principal: nil)
        let cursor = try #require(first.nextCursor)
        for (format, text) in [(ExportAccessReview.Format.jsonl, cursor), (.csv, String(cursor.dropLast(2))), (.csv, "x")] {
            do {
                _ = try await service.exportAccessReview(.init(workspace: harness.workspace, format: format, cursor: text), principal: nil)
                Issue.record("accepted \(text)")
            } catch let error as RPCError {
                #expect(error.data?["field"] == "cursor")
            }
        }
        do {
            _ = try await service.exportAccessReview(.init(workspace: harness.workspace, asOf: .time("2001-01-01"), format: .csv), principal: nil)
        } catch let error as RPCError {
            #expect(error.kind == .historyBeforeFirstSync)
        }
    }

    @Test("html: one self-contained page, a table row per CSV row, the summary's counts, the chart, the period's changes, provenance")
    func htmlPage() async throws {
        let harness = try await ServiceHarness.start(users: 120, teams: 3)
        defer { Task { await harness.stop() } }
        var service = harness.service
        service.exportChunkBytes = 8192
        _ = try await service.sync(workspace: harness.workspace, principal: nil)
        _ = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "in.the.period@acme.example", action: .add), principal: "okta-bot")
        let run = try await service.sync(workspace: harness.workspace, principal: nil)
        func file(_ format: ExportAccessReview.Format) async throws -> (text: String, rows: Int) {
            var params = ExportAccessReview.Params(workspace: harness.workspace, asOf: .run(run.runId), format: format)
            var text = "", rows = 0
            while true {
                let answer = try await service.exportAccessReview(params, principal: "token:auditor")
                text += answer.chunk
                rows += answer.rows
                guard let next = answer.nextCursor else { return (text, rows) }
                params = ExportAccessReview.Params(workspace: harness.workspace, format: format, cursor: next)
            }
        }
        let html = try await file(.html)
        let csv = try await file(.csv)
        #expect(html.rows == csv.rows)
        #expect(html.text.components(separatedBy: "<tr class=\"access-row\">").count - 1 == csv.rows)
        #expect(html.text.hasPrefix("<!DOCTYPE html>"))
        #expect(html.text.hasSuffix("</html>\n"))
        #expect(html.text.components(separatedBy: "</html>").count == 2, "closed once, in the last chunk")
        #expect(!html.text.contains("<script"))
        #expect(html.text.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
        let people = try await harness.allUsers()
        #expect(html.text.contains("<dd id=\"count-people\">\(people.count)</dd>"))
        #expect(html.text.contains("<dd id=\"count-admins\">\(people.filter { $0.isAdmin == true }.count)</dd>"))
        #expect(html.text.contains("<dd id=\"count-joined\">\(people.count)</dd>"), "everyone joined in the period: the first sync is in it")
        #expect(html.text.components(separatedBy: "<polyline class=\"series\"").count - 1 == 3)
        #expect(html.text.contains("provision by okta-bot"))
        #expect(html.text.contains("sync run \(run.runId)"))
        #expect(html.text.contains("the whole chain verified"))
        do {
            _ = try await service.exportAccessReview(.init(workspace: harness.workspace, format: .csv, since: .run(run.runId)), principal: nil)
            Issue.record("since accepted for csv")
        } catch let error as RPCError {
            #expect(error.data?["field"] == "since")
        }
    }
}
