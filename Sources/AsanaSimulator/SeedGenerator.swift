/// A small deterministic PRNG (SplitMix64, Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014) so generated seeds are identical for the same `seed` on every platform (Swift's
/// `SystemRandomNumberGenerator` is not seedable). Tests use it too, so a failing random sequence replays.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { Int(next() % 100) < percent }
}

extension SimulatorSeed {
    /// The `demo-admin-token` personal access token of the generated admin, Ada Admin.
    public static let demoAdminToken = "demo-admin-token"
    /// The `demo-member-token` personal access token of the generated non-admin member, Max Member.
    public static let demoMemberToken = "demo-member-token"
    /// Domains the generated guests' emails use (outside the organization's `email_domains`).
    public static let generatedGuestDomains = ["partners.example", "freelance.example"]

    /// The redirect URIs of the generated OAuth apps: a loopback callback and the native-app out-of-band URN
    /// (https://developers.asana.com/docs/oauth).
    public static let demoRedirectURIs = ["http://127.0.0.1/oauth/callback", "urn:ietf:wg:oauth:2.0:oob"]
    /// The generated full-permission OAuth app: `demo-client` / `demo-client-secret`.
    public static let demoOAuthApp = OAuthApp(
        clientId: "demo-client", clientSecret: "demo-client-secret", redirectURIs: demoRedirectURIs, granular: false)
    /// The generated granular-scope OAuth app: `demo-granular-client` / `demo-granular-secret`.
    public static let demoGranularOAuthApp = OAuthApp(
        clientId: "demo-granular-client", clientSecret: "demo-granular-secret", redirectURIs: demoRedirectURIs, granular: true)

    /// A deterministic organization for tests and the demo: the same arguments always give the same seed.
    ///
    /// - One organization, gid `"1000"`, named `organizationName`, `is_organization: true`, `email_domains` =
    ///   [first word of the name, lower-cased letters and digits, + `".example"`] (`"acme.example"` by default).
    /// - `users` users in total (at least 2): gid `"1001"` is Ada Admin `<ada.admin@acme.example>`, an active
    ///   admin with token ``demoAdminToken``; gid `"1002"` is Max Member `<max.member@acme.example>`, an active
    ///   non-admin with token ``demoMemberToken``, in the first team. The others get "First Last" names and unique
    ///   `first.last[N]@domain` emails; about 3% are guests (emails in ``generatedGuestDomains``, `is_guest`),
    ///   about 2% view-only, about 1% extra admins and about 1% removed earlier (`is_active: false`, in no team).
    /// - `teams` teams with unique names ("Engineering", "Design", …; past the built-in list, "<name> 2", …).
    /// - Each active user (Ada too) is in 0-3 distinct teams; about 10% of team memberships are team admins;
    ///   a guest's team memberships have `is_guest: true`.
    /// - gids are allocated in order: users, teams, workspace memberships, team memberships.
    /// - OAuth apps ``demoOAuthApp`` (full permissions) and ``demoGranularOAuthApp`` (granular scopes).
    public static func generated(
        organizationName: String = "Acme Corp", users: Int = 1500, teams: Int = 20, seed: UInt64 = 1
    ) -> SimulatorSeed {
        var rng = SplitMix64(seed: seed)
        var nextGid: UInt64 = 1001
        func allocate() -> String {
            defer { nextGid += 1 }
            return String(nextGid)
        }
        let domain = generatedDomain(for: organizationName)
        let workspace = Workspace(gid: "1000", name: organizationName, isOrganization: true, emailDomains: [domain])

        struct Person {
            var user: User
            var isAdmin = false
            var isGuest = false
            var isViewOnly = false
            var isActive = true
        }
        var people: [Person] = []
        var usedEmails = Set<String>()
        let userCount = max(users, 2)
        for index in 0..<userCount {
            var person: Person
            switch index {
            case 0:
                person = Person(user: User(gid: allocate(), name: "Ada Admin", email: "ada.admin@\(domain)"), isAdmin: true)
            case 1:
                person = Person(user: User(gid: allocate(), name: "Max Member", email: "max.member@\(domain)"))
            default:
                let first = firstNames[Int(rng.next() % UInt64(firstNames.count))]
                let last = lastNames[Int(rng.next() % UInt64(lastNames.count))]
                let isGuest = rng.chance(3)
                let userDomain = isGuest ? generatedGuestDomains[Int(rng.next() % 2)] : domain
                let base = "\(first.lowercased()).\(last.lowercased())"
                var email = "\(base)@\(userDomain)"
                var suffix = 2
                while usedEmails.contains(email) {
                    email = "\(base)\(suffix)@\(userDomain)"
                    suffix += 1
                }
                person = Person(user: User(gid: allocate(), name: "\(first) \(last)", email: email), isGuest: isGuest)
                person.isViewOnly = !isGuest && rng.chance(2)
                person.isAdmin = !isGuest && !person.isViewOnly && rng.chance(1)
                person.isActive = person.isAdmin || !rng.chance(1)  // about 1% removed earlier
            }
            if let email = person.user.email { usedEmails.insert(email) }
            people.append(person)
        }

        var teamList: [Team] = []
        for index in 0..<max(teams, 0) {
            let base = teamNames[index % teamNames.count]
            let round = index / teamNames.count
            teamList.append(Team(gid: allocate(), name: round == 0 ? base : "\(base) \(round + 1)", organization: workspace.gid))
        }

        var memberships: [WorkspaceMembership] = []
        for person in people {
            memberships.append(
                WorkspaceMembership(
                    gid: allocate(), user: person.user.gid, workspace: workspace.gid, isActive: person.isActive,
                    isAdmin: person.isAdmin, isGuest: person.isGuest, isViewOnly: person.isViewOnly))
        }

        var teamMemberships: [TeamMembership] = []
        if !teamList.isEmpty {
            for (index, person) in people.enumerated() where person.isActive {
                var chosen: [Int] = []
                var draws = Int(rng.next() % 4)
                if index == 1 {  // Max Member is in the first team
                    chosen.append(0)
                    draws = max(draws - 1, 0)
                }
                for _ in 0..<draws {
                    let pick = Int(rng.next() % UInt64(teamList.count))
                    if !chosen.contains(pick) { chosen.append(pick) }
                }
                for pick in chosen.sorted() {
                    teamMemberships.append(
                        TeamMembership(
                            gid: allocate(), user: person.user.gid, team: teamList[pick].gid,
                            isAdmin: !person.isGuest && rng.chance(10), isGuest: person.isGuest, isLimitedAccess: false))
                }
            }
        }

        return SimulatorSeed(
            workspaces: [workspace], users: people.map(\.user), workspaceMemberships: memberships, teams: teamList,
            teamMemberships: teamMemberships,
            tokens: [Token(token: demoAdminToken, user: people[0].user.gid), Token(token: demoMemberToken, user: people[1].user.gid)],
            oauthApps: [demoOAuthApp, demoGranularOAuthApp])
    }

    /// `"Acme Corp"` → `"acme.example"`; `"example.example"` when the name has no letters or digits.
    static func generatedDomain(for organizationName: String) -> String {
        let firstWord = organizationName.split(separator: " ").first.map(String.init) ?? ""
        let cleaned = firstWord.lowercased().filter { ($0.isASCII && $0.isLetter) || $0.isASCIIDigit }
        return (cleaned.isEmpty ? "example" : cleaned) + ".example"
    }

    private static let firstNames = [
        "Alice", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kavya", "Liam",
        "Mei", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wen", "Ximena",
        "Yusuf", "Zoe", "Amara", "Bjorn", "Carmen", "Diego", "Emeka", "Freya", "Goran", "Hana", "Ivan", "Julia",
        "Kenji", "Lucia", "Mateo", "Noor",
    ]
    private static let lastNames = [
        "Anders", "Baptiste", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ibrahim", "Jensen",
        "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka",
        "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Alvarez", "Becker", "Chen", "Dias", "Ekstrom",
        "Fontaine", "Gupta", "Horvat", "Ito", "Jovanovic", "Kim", "Lopez", "Mensah", "Novak",
    ]
    private static let teamNames = [
        "Engineering", "Design", "Marketing", "Sales", "Finance", "Legal", "Support", "Operations", "People",
        "Product", "Security", "Data", "Research", "IT", "Facilities", "Partnerships", "Growth", "Brand",
        "Content", "Platform", "Infrastructure", "Mobile", "Web", "Quality", "Analytics", "Procurement",
        "Recruiting", "Communications", "Strategy", "Customer Success",
    ]
}
