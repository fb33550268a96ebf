import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Pagination (https://developers.asana.com/docs/pagination)")
struct PaginationTests {
    @Test("250 users with limit 100: three pages, each user exactly once, next_page then null")
    func walkAllPages() async throws {
        try await withSimulator(seed: TestSeeds.organization(users: 250)) { client in
            var path: String? = "/users?workspace=1000&limit=100&opt_fields=name,email"
            var pages: [[String]] = []
            var lastNextPage: Any?
            while let current = path {
                let reply = try await client.get(current)
                #expect(reply.status == 200)
                pages.append(gids(reply.dataArray))
                let nextPage = try #require(reply.object["next_page"])
                lastNextPage = nextPage
                if let next = nextPage as? [String: Any] {
                    let offset = try #require(next["offset"] as? String)
                    let nextPath = try #require(next["path"] as? String)
                    #expect(nextPath.hasPrefix("/users?workspace=1000&limit=100&opt_fields=name,email&offset="))
                    #expect(next["uri"] as? String == client.simulator.baseURL + nextPath)
                    #expect(!offset.isEmpty && !offset.contains("="))
                    path = nextPath
                } else {
                    path = nil
                }
                #expect(pages.count <= 4)
            }
            #expect(pages.map(\.count) == [100, 100, 50])
            #expect(lastNextPage is NSNull)
            let all = pages.flatMap { $0 }
            #expect(Set(all).count == 250)
            #expect(all == (1001...1250).map(String.init))  // sorted by gid
        }
    }

    @Test("limit outside 1...100 or not a number → 400", arguments: ["0", "101", "-1", "abc"])
    func badLimit(limit: String) async throws {
        try await withSimulator { client in
            let reply = try await client.get("/users?workspace=1000&limit=\(limit)")
            #expect(reply.status == 400)
            #expect(reply.errorMessage?.hasPrefix("limit: ") == true)
        }
    }

    @Test("limit 1 and 100 are accepted")
    func limitBounds() async throws {
        try await withSimulator { client in
            let one = try await client.get("/users?workspace=1000&limit=1")
            #expect(one.status == 200)
            #expect(one.dataArray.count == 1)
            #expect(one.object["next_page"] is [String: Any])
            let hundred = try await client.get("/users?workspace=1000&limit=100")
            #expect(hundred.status == 200)
            #expect(hundred.dataArray.count == 10)
            #expect(hundred.object["next_page"] is NSNull)
        }
    }

    @Test("no limit: no next_page key up to 1000, 400 'result is too large' above")
    func unpaginated() async throws {
        try await withSimulator(seed: TestSeeds.organization(users: 1000)) { client in
            let reply = try await client.get("/users?workspace=1000")
            #expect(reply.status == 200)
            #expect(reply.dataArray.count == 1000)
            #expect(reply.object.keys.sorted() == ["data"])
        }
        try await withSimulator(seed: TestSeeds.organization(users: 1001)) { client in
            let reply = try await client.get("/users?workspace=1000")
            #expect(reply.status == 400)
            #expect(reply.errorMessage == "The result is too large. You should use pagination (may require specifying a workspace)!")
        }
    }

    @Test("forged, altered, foreign-list and offset-without-limit tokens → 400")
    func badOffsets() async throws {
        try await withSimulator { client in
            let first = try await client.get("/users?workspace=1000&limit=3")
            let token = try #require((first.object["next_page"] as? [String: Any])?["offset"] as? String)
            let good = try await client.get("/users?workspace=1000&limit=3&offset=\(token)")
            #expect(good.status == 200)
            #expect(gids(good.dataArray) == ["1004", "1005", "1006"])

            // Alter a character in the middle: the last base64 character may carry only padding bits.
            var altered = Array(token)
            let middle = altered.count / 2
            altered[middle] = altered[middle] == "A" ? "B" : "A"
            for bad in ["garbage", "eyJib3JkZXIiOjF9", String(altered)] {
                let reply = try await client.get("/users?workspace=1000&limit=3&offset=\(bad)")
                #expect(reply.status == 400, "offset \(bad)")
                #expect(reply.errorMessage?.hasPrefix("offset: ") == true)
            }
            // A token of another list is refused.
            let other = try await client.get("/workspaces/1000/workspace_memberships?limit=3&offset=\(token)")
            #expect(other.status == 400)
            // offset without limit
            let noLimit = try await client.get("/users?workspace=1000&offset=\(token)")
            #expect(noLimit.status == 400)
        }
    }

    @Test("an offset older than the configured lifetime → 400")
    func expiredOffset() async throws {
        let clock = FakeClock()
        let configuration = SimulatorConfiguration(offsetLifetime: .seconds(900), now: { clock.now })
        try await withSimulator(configuration: configuration) { client in
            let first = try await client.get("/users?workspace=1000&limit=5")
            let token = try #require((first.object["next_page"] as? [String: Any])?["offset"] as? String)
            clock.advance(seconds: 899)
            #expect(try await client.get("/users?workspace=1000&limit=5&offset=\(token)").status == 200)
            clock.advance(seconds: 2)
            #expect(try await client.get("/users?workspace=1000&limit=5&offset=\(token)").status == 400)
        }
    }

    @Test("pages stay consistent when a user is added between pages (keyset offsets)")
    func stableAcrossWrites() async throws {
        try await withSimulator { client in
            let first = try await client.get("/users?workspace=1000&limit=5")
            #expect(gids(first.dataArray) == ["1001", "1002", "1003", "1004", "1005"])
            let next = try #require((first.object["next_page"] as? [String: Any])?["path"] as? String)
            let added = try await client.post("/workspaces/1000/addUser", user: "new.person@acme.example")
            #expect(added.status == 200)
            let second = try await client.get(next)
            let newGid = try #require(added.dataObject["gid"] as? String)
            #expect(gids(second.dataArray) == ["1006", "1007", "1008", "1009", "1010"])
            let third = try await client.get(try #require((second.object["next_page"] as? [String: Any])?["path"] as? String))
            #expect(gids(third.dataArray) == [newGid])
            #expect(third.object["next_page"] is NSNull)
        }
    }

    @Test("workspaces, teams and memberships lists paginate too")
    func otherLists() async throws {
        try await withSimulator { client in
            let teams = try await client.get("/workspaces/1000/teams?limit=1")
            #expect(gids(teams.dataArray) == ["3001"])
            #expect(teams.object["next_page"] is [String: Any])
            let memberships = try await client.get("/teams/3001/team_memberships?limit=1")
            #expect(gids(memberships.dataArray) == ["30011"])
            let workspaces = try await client.get("/workspaces?limit=100")
            #expect(gids(workspaces.dataArray) == ["1000"])
            #expect(workspaces.object["next_page"] is NSNull)
        }
    }

    @Test("offset token codec: round trip, list binding, expiry")
    func tokenCodec() {
        let clock = FakeClock()
        let paginator = Paginator(secret: 42, lifetime: .seconds(10), now: { clock.now })
        let token = paginator.makeToken(border: "1234", listKey: "/users?workspace=1")
        #expect(paginator.decode(token: token, listKey: "/users?workspace=1") == "1234")
        #expect(paginator.decode(token: token, listKey: "/users?workspace=2") == nil)
        let otherSecret = Paginator(secret: 43, lifetime: .seconds(10), now: { clock.now })
        #expect(otherSecret.decode(token: token, listKey: "/users?workspace=1") == nil)
        clock.advance(seconds: 11)
        #expect(paginator.decode(token: token, listKey: "/users?workspace=1") == nil)
    }

    @Test("a page after a border that was removed starts at the next gid; removing and re-adding keeps every list in step")
    func borderRemovedBetweenPages() async throws {
        try await withSimulator { client in
            let first = try await client.get("/users?workspace=1000&limit=4")
            #expect(gids(first.dataArray) == ["1001", "1002", "1003", "1004"])
            let next = try #require((first.object["next_page"] as? [String: Any])?["path"] as? String)
            #expect(try await client.post("/workspaces/1000/removeUser", user: "1004").status == 200)
            #expect(try await client.post("/workspaces/1000/removeUser", user: "1005").status == 200)
            #expect(gids(try await client.get(next).dataArray) == ["1006", "1007", "1008", "1009"])
            // The removed people keep their (inactive) memberships; a re-added one is listed again, once.
            #expect(try await client.post("/workspaces/1000/addUser", user: "1005").status == 200)
            let users = gids(try await client.get("/users?workspace=1000&limit=100").dataArray)
            #expect(users == ["1001", "1002", "1003"] + (5...10).map { String(1000 + $0) })
            let memberships = try await client.get("/workspaces/1000/workspace_memberships?limit=100&opt_fields=user,is_active")
            let ofPerson1005 = memberships.dataArray.filter { ($0["user"] as? [String: Any])?["gid"] as? String == "1005" }
            #expect(ofPerson1005.map { $0["is_active"] as? Bool } == [false, true])
        }
    }

    @Test("the ordered index: inserts in any order, no duplicates, removal, the first gid after any border")
    func gidIndex() {
        var index = GidIndex(["30", "4", "200", "4"])
        #expect(index.gids == ["4", "30", "200"])
        index.insert("1000")
        index.insert("31")
        index.insert("31")
        #expect(index.gids == ["4", "30", "31", "200", "1000"])
        index.remove("30")
        index.remove("5")
        #expect(index.gids == ["4", "31", "200", "1000"])
        #expect(index.contains("200") && !index.contains("30"))
        #expect(index.firstIndex(after: "30") == 1)  // a border no longer in the list
        #expect(index.firstIndex(after: "4") == 1)
        #expect(index.firstIndex(after: "3") == 0)
        #expect(index.firstIndex(after: "1000") == 4)
    }

    @Test("gids sort numerically")
    func gidOrder() {
        #expect(gidLess("999", "1000"))
        #expect(!gidLess("1000", "999"))
        #expect(gidLess("1000", "1001"))
        #expect(["20", "3", "100"].sorted(by: gidLess) == ["3", "20", "100"])
    }
}
