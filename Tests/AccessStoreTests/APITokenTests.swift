import AccessProtocol
import Crypto
import Foundation
import GRDB
import Testing
@testable import AccessStore

@Suite("API tokens", .closesStores)
struct APITokenTests {
    /// The stored columns of the token with this id.
    func storedRow(_ store: SQLiteAccessStore, id: String) throws -> Row? {
        try store.dbWriter.read { try Row.fetchOne($0, sql: "SELECT * FROM apiToken WHERE id = ?", arguments: [id]) }
    }

    func storedLastUsed(_ store: SQLiteAccessStore, name: String) async throws -> Int64? {
        try await store.dbWriter.read { try Int64.fetchOne($0, sql: "SELECT lastUsedAt FROM apiToken WHERE name = ?", arguments: [name]) }
    }

    @Test("a created token has the documented shape and verifies with its role", arguments: StoreKind.available, AccessRole.allCases)
    func createThenVerify(kind: StoreKind, role: AccessRole) async throws {
        let store = try await makeStore(kind)
        let (token, summary) = try await store.createAPIToken(name: "ci-\(role.rawValue)", role: role, at: T.t0)
        #expect(summary == APITokenSummary(id: summary.id, name: "ci-\(role.rawValue)", role: role, createdAt: T.t0, lastUsedAt: nil, revokedAt: nil))

        // aat_ + 16 lowercase hex + _ + 43 base64url = 64 ASCII characters.
        #expect(token.utf8.count == 64)
        #expect(token.hasPrefix("aat_" + summary.id + "_"))
        #expect(summary.id.count == 16)
        #expect(summary.id.allSatisfy { "0123456789abcdef".contains($0) })
        let secret = String(token.dropFirst(21))
        #expect(secret.count == 43)
        #expect(secret.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })

        let verified = try #require(try await store.verifyAPIToken(token, at: T.at(minutes: 1)))
        #expect(verified == APITokenSummary(id: summary.id, name: "ci-\(role.rawValue)", role: role, createdAt: T.t0, lastUsedAt: T.at(minutes: 1), revokedAt: nil))
        #expect(try await store.apiTokens() == [verified])
    }

    @Test("the secret decodes to 32 bytes; only SHA-256 of the secret text is stored")
    func storedHashOnly() async throws {
        let store = try makeStore()
        let (token, summary) = try await store.createAPIToken(name: "deploy", role: .operator, at: T.t0)
        let secret = String(token.dropFirst(21))
        var base64 = secret.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += "="
        #expect(Data(base64Encoded: base64)?.count == 32)

        let row = try #require(try storedRow(store, id: summary.id))
        #expect(row["secretHash"] as Data == Data(SHA256.hash(data: Array(secret.utf8))))
        #expect(row["role"] as String == "operator")
        #expect(row["createdAt"] as Int64 == 1_700_000_000_000)
        #expect(row["lastUsedAt"] as Int64? == nil)
        #expect(row["revokedAt"] as Int64? == nil)
        for column in row.columnNames {
            let value = row[column] as DatabaseValue
            if case .string(let text) = value.storage {
                #expect(!text.contains(secret), "secret in column \(column)")
            }
            if case .blob(let bytes) = value.storage {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "secret in column \(column)")
            }
        }
    }

    @Test("every token is new: ids and secrets differ", arguments: StoreKind.available)
    func fresh(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        var tokens: [String] = []
        for index in 0..<20 { tokens.append(try await store.createAPIToken(name: "t\(index)", role: .reader, at: T.t0).token) }
        #expect(Set(tokens.map { $0.prefix(20) }).count == 20)
        #expect(Set(tokens.map { $0.dropFirst(21) }).count == 20)
    }

    @Test("every single-character change anywhere in the token → nil, and nothing is written")
    func oneCharacterChanged() async throws {
        let store = try makeStore()
        let (token, summary) = try await store.createAPIToken(name: "admin-bot", role: .admin, at: T.t0)
        let characters = Array(token)
        for position in characters.indices {
            var changed = characters
            // 'a'/'b' are valid hex and base64url, so changes in id and secret still parse.
            changed[position] = characters[position] == "a" ? "b" : "a"
            #expect(try await store.verifyAPIToken(String(changed), at: T.at(minutes: 1)) == nil, "position \(position)")
            // The same, with the case flipped (an uppercase id is malformed; in the secret it is another secret).
            let flipped = characters[position].isUppercase ? characters[position].lowercased() : characters[position].uppercased()
            if flipped != String(characters[position]) {
                changed[position] = Character(flipped)
                #expect(try await store.verifyAPIToken(String(changed), at: T.at(minutes: 1)) == nil, "case flip at \(position)")
            }
        }
        #expect(try await storedLastUsed(store, name: "admin-bot") == nil)
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 2))?.id == summary.id)
    }

    @Test("truncated, extended, unknown-id, cross-token, garbage and empty texts → nil", arguments: StoreKind.available)
    func malformedAndUnknown(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let (token, summary) = try await store.createAPIToken(name: "reader-1", role: .reader, at: T.t0)
        let (other, _) = try await store.createAPIToken(name: "reader-2", role: .reader, at: T.t0)
        let secret = String(token.dropFirst(21))
        var rng = SystemRandomNumberGenerator()
        let randomBytes = (0..<64).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        let unknownId = "0123456789abcdef" == summary.id ? "fedcba9876543210" : "0123456789abcdef"
        let rejected: [String] = [
            "",
            "aat_",
            "aat__",
            String(token.dropLast()),
            String(token.dropLast(10)),
            String(token.prefix(20)),
            String(token.prefix(21)),
            token + "A",
            token + "\n",
            " " + token,
            "Bearer " + token,
            "AAT_" + token.dropFirst(4),
            "aat_\(unknownId)_\(secret)",
            "aat_\(summary.id.uppercased())_\(secret)",
            // Id of one token with the secret of the other.
            String(token.prefix(21)) + other.dropFirst(21),
            String(other.prefix(21)) + secret,
            // Right length, padded secret.
            "aat_\(summary.id)_\(secret.dropLast())=",
            "aat_\(summary.id)-\(secret)",
            String(decoding: randomBytes, as: UTF8.self),
            APITokenText.base64URL(randomBytes),
            "aat_" + String(repeating: "é", count: 60),
            "aat_\(summary.id)_" + String(repeating: "🙂", count: 43),
            String(repeating: "aat_\(summary.id)_", count: 10_000),
            "\0" + token.dropFirst(),
        ]
        for text in rejected {
            #expect(try await store.verifyAPIToken(text, at: T.at(minutes: 1)) == nil, "accepted \(text.prefix(80).debugDescription)")
        }
        #expect(try await store.apiTokens().allSatisfy { $0.lastUsedAt == nil })
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 1))?.name == "reader-1")
        #expect(try await store.verifyAPIToken(other, at: T.at(minutes: 1))?.name == "reader-2")
    }

    @Test("revoke: true then false; the revoked token no longer verifies; others still do", arguments: StoreKind.available)
    func revoke(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let (token, summary) = try await store.createAPIToken(name: "old-ci", role: .operator, at: T.t0)
        let (keep, _) = try await store.createAPIToken(name: "new-ci", role: .operator, at: T.t0)
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 1)) != nil)

        #expect(try await store.revokeAPIToken(name: "old-ci", at: T.at(minutes: 2)))
        #expect(try await store.revokeAPIToken(name: "old-ci", at: T.at(minutes: 3)) == false)
        #expect(try await store.revokeAPIToken(name: "no-such-token", at: T.at(minutes: 3)) == false)
        #expect(try await store.revokeAPIToken(name: "", at: T.at(minutes: 3)) == false)

        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 4)) == nil)
        #expect(try await store.verifyAPIToken(keep, at: T.at(minutes: 4))?.name == "new-ci")
        let listed = try await store.apiTokens()
        #expect(listed.map(\.name) == ["new-ci", "old-ci"])
        #expect(listed[1] == APITokenSummary(id: summary.id, name: "old-ci", role: .operator, createdAt: T.t0,
                                             lastUsedAt: T.at(minutes: 1), revokedAt: T.at(minutes: 2)))
        #expect(listed[0].revokedAt == nil)
    }

    @Test("valid names are accepted", arguments: StoreKind.available, ["a", "Z", "0", "ci-bot_1.prod", "...", "-", String(repeating: "x", count: 64)])
    func validNames(kind: StoreKind, name: String) async throws {
        let store = try await makeStore(kind)
        let (token, summary) = try await store.createAPIToken(name: name, role: .reader, at: T.t0)
        #expect(summary.name == name)
        #expect(try await store.verifyAPIToken(token, at: T.t0)?.name == name)
    }

    @Test("invalid names → invalidArgument, nothing stored", arguments: StoreKind.available, ["", String(repeating: "x", count: 65), "has space", "tab\t", "new\nline", "a/b", "a:b",
                      "ünïcode", "emoji🙂", "e\u{301}", "quote'", "semi;colon", "percent%", "\0"])
    func invalidNames(kind: StoreKind, name: String) async throws {
        let store = try await makeStore(kind)
        await #expect(throws: AccessStoreError.invalidArgument("a token name must be 1–64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")) {
            try await store.createAPIToken(name: name, role: .admin, at: T.t0)
        }
        #expect(try await store.apiTokens().isEmpty)
    }

    @Test("a name is unique, even after revocation, and case-sensitive", arguments: StoreKind.available)
    func uniqueNames(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let (first, _) = try await store.createAPIToken(name: "backup", role: .reader, at: T.t0)
        await #expect(throws: AccessStoreError.apiTokenNameTaken(name: "backup")) {
            try await store.createAPIToken(name: "backup", role: .admin, at: T.at(minutes: 1))
        }
        #expect(try await store.revokeAPIToken(name: "backup", at: T.at(minutes: 2)))
        await #expect(throws: AccessStoreError.apiTokenNameTaken(name: "backup")) {
            try await store.createAPIToken(name: "backup", role: .reader, at: T.at(minutes: 3))
        }
        #expect(try await store.apiTokens().count == 1)
        #expect(try await store.verifyAPIToken(first, at: T.at(minutes: 4)) == nil)
        #expect(try await store.createAPIToken(name: "Backup", role: .reader, at: T.at(minutes: 5)).summary.name == "Backup")
        #expect(AccessStoreError.apiTokenNameTaken(name: "backup").description
            == "An API token named backup already exists (names stay taken after revocation): choose another name.")
    }

    @Test("listing is sorted by name and exposes neither secret nor hash")
    func listing() async throws {
        let store = try makeStore()
        var issued: [String: String] = [:]
        for (name, role) in [("zeta", AccessRole.admin), ("alpha", .reader), ("Mid.1", .operator), ("mid-2", .reader)] {
            issued[name] = try await store.createAPIToken(name: name, role: role, at: T.t0).token
        }
        let listed = try await store.apiTokens()
        #expect(listed.map(\.name) == ["Mid.1", "alpha", "mid-2", "zeta"])
        #expect(listed.map(\.role) == [.operator, .reader, .reader, .admin])

        // Only these fields, none of them bytes (a `@Nullable` member's storage is `_name`).
        let labels = Mirror(reflecting: listed[0]).children.compactMap(\.label).map { $0.hasPrefix("_") ? String($0.dropFirst()) : $0 }
        #expect(labels == ["id", "name", "role", "createdAt", "lastUsedAt", "revokedAt", "expiresAt"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(listed), as: UTF8.self)
        let hashes = try await store.dbWriter.read { try Data.fetchAll($0, sql: "SELECT secretHash FROM apiToken") }
        #expect(hashes.count == 4)
        for hash in hashes {
            #expect(!json.contains(hash.base64EncodedString()))
            #expect(!json.contains(APITokenText.hex(Array(hash))))
        }
        for token in issued.values {
            #expect(!json.contains(String(token.dropFirst(21))))
        }
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(listed[0])) as? [String: Any])
        #expect(Set(object.keys) == ["id", "name", "role", "createdAt", "lastUsedAt", "revokedAt", "expiresAt"])
    }

    @Test("lastUsedAt is written on first use, then at most once a minute")
    func lastUsedThrottling() async throws {
        let store = try makeStore()
        let (token, _) = try await store.createAPIToken(name: "busy", role: .reader, at: T.t0)
        let ms = 1_700_000_000_000 as Int64
        #expect(StoreLimits.apiTokenLastUsedInterval == 60)

        #expect(try await store.verifyAPIToken(token, at: T.t0.addingTimeInterval(5))?.lastUsedAt == T.t0.addingTimeInterval(5))
        #expect(try await storedLastUsed(store, name: "busy") == ms + 5_000)

        // Within the minute: accepted, nothing written, the stored value returned.
        for seconds in [5.0, 6, 30, 64.999] {
            #expect(try await store.verifyAPIToken(token, at: T.t0.addingTimeInterval(seconds))?.lastUsedAt == T.t0.addingTimeInterval(5))
            #expect(try await storedLastUsed(store, name: "busy") == ms + 5_000)
        }
        // A clock that went backwards does not move it back.
        #expect(try await store.verifyAPIToken(token, at: T.t0)?.lastUsedAt == T.t0.addingTimeInterval(5))
        #expect(try await storedLastUsed(store, name: "busy") == ms + 5_000)

        // A minute later: written again.
        #expect(try await store.verifyAPIToken(token, at: T.t0.addingTimeInterval(65))?.lastUsedAt == T.t0.addingTimeInterval(65))
        #expect(try await storedLastUsed(store, name: "busy") == ms + 65_000)
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 60))?.lastUsedAt == T.at(minutes: 60))
        #expect(try await store.apiTokens().first?.lastUsedAt == T.at(minutes: 60))

        // A failed check writes nothing.
        #expect(try await store.verifyAPIToken(String(token.dropLast()) + (token.last == "A" ? "B" : "A"), at: T.at(minutes: 120)) == nil)
        #expect(try await storedLastUsed(store, name: "busy") == ms + 3_600_000)
    }

    @Test("a token revoked after its last use is refused even when lastUsedAt would not be written", arguments: StoreKind.available)
    func revokedWithinThrottle(kind: StoreKind) async throws {
        let store = try await makeStore(kind)
        let (token, _) = try await store.createAPIToken(name: "short-lived", role: .admin, at: T.t0)
        #expect(try await store.verifyAPIToken(token, at: T.t0) != nil)
        #expect(try await store.revokeAPIToken(name: "short-lived", at: T.t0.addingTimeInterval(1)))
        #expect(try await store.verifyAPIToken(token, at: T.t0.addingTimeInterval(2)) == nil)
        #expect(try await store.verifyAPIToken(token, at: T.at(minutes: 5)) == nil)
    }

    @Test("roles order reader < operator < admin and encode as their names")
    func roles() throws {
        #expect(AccessRole.allCases == [.reader, .operator, .admin])
        #expect(AccessRole.reader < .operator && AccessRole.operator < .admin && AccessRole.reader < .admin)
        #expect(!(AccessRole.admin < .admin))
        #expect(AccessRole.allCases.sorted(by: >) == [.admin, .operator, .reader])
        #expect(AccessRole.admin >= .operator)
        #expect(AccessRole.allCases.map(\.rawValue) == ["reader", "operator", "admin"])
        #expect(String(decoding: try JSONEncoder().encode([AccessRole.operator]), as: UTF8.self) == "[\"operator\"]")
        #expect(try JSONDecoder().decode([AccessRole].self, from: Data("[\"admin\"]".utf8)) == [.admin])
        #expect(AccessRole(rawValue: "root") == nil)
    }

    @Test("token text helpers: hex, base64url without padding, parse by position")
    func textHelpers() throws {
        #expect(APITokenText.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(APITokenText.base64URL([0xfb, 0xff]) == "-_8")
        #expect(APITokenText.base64URL(Array("foob".utf8)) == "Zm9vYg")
        let secret = "_-" + String(repeating: "A", count: 40) + "_"
        let parsed = try #require(APITokenText.parse("aat_00112233445566ff_" + secret))
        #expect(parsed == APITokenText(id: "00112233445566ff", secret: secret))
        #expect(parsed.text == "aat_00112233445566ff_" + secret)
        let generated = APITokenText.generate()
        #expect(APITokenText.parse(generated.text) == generated)
        #expect(generated.secretHash.count == 32)
    }
}

