import Foundation
import Testing
import TestSupport
@testable import AccessStore

@Suite("PostgreSQL password file (PGPASSFILE, ~/.pgpass)")
struct PostgresPasswordFileTests {
    /// Writes `text` as a password file with `mode` and returns the environment that points at it.
    func passfile(_ dir: TempDirectory, _ text: String, mode: Int = 0o600) throws -> [String: String] {
        let path = dir.file("pgpass")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return ["PGPASSFILE": path]
    }

    @Test("the first matching line gives the password: exact fields, * wildcards, \\: and \\\\ escapes, comments skipped")
    func lookup() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let environment = try passfile(dir, """
            # host:port:database:username:password
            db.internal:5432:other:asana_access:not-this-one
            db.internal:5432:asana_access:asana_access:s3cr\\:et\\\\x
            *:*:*:asana_access:fallback
            \\:\\:1:6432:db:u:for-ipv6
            """)
        #expect(try PostgresLocation("postgres://asana_access@db.internal/asana_access", environment: environment).password == "s3cr:et\\x")
        #expect(try PostgresLocation("postgres://asana_access@db.internal/reports", environment: environment).password == "fallback")
        #expect(try PostgresLocation("postgres://u@[::1]:6432/db", environment: environment).password == "for-ipv6")
        #expect(try PostgresLocation("postgres://nobody@db.internal/asana_access", environment: environment).password == nil)
        // The URL's password, then PGPASSWORD, come first.
        #expect(try PostgresLocation("postgres://asana_access:inline@db.internal/asana_access", environment: environment).password == "inline")
        var withVariable = environment
        withVariable["PGPASSWORD"] = "from-variable"
        #expect(try PostgresLocation("postgres://asana_access@db.internal/asana_access", environment: withVariable).password == "from-variable")
        // ~/.pgpass when PGPASSFILE is not set; no file, no password.
        #expect(try PostgresLocation("postgres://asana_access@db.internal/asana_access", environment: ["HOME": dir.path]).password == nil)
        try FileManager.default.moveItem(atPath: dir.file("pgpass"), toPath: dir.file(".pgpass"))
        #expect(try PostgresLocation("postgres://asana_access@db.internal/asana_access", environment: ["HOME": dir.path]).password == "s3cr:et\\x")
    }

    @Test("a password file its group or others may read is refused, naming the mode and the fix, never the password")
    func openFileRefused() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let environment = try passfile(dir, "*:*:*:*:hunter2\n", mode: 0o644)
        do {
            _ = try PostgresLocation("postgres://u@h/db", environment: environment)
            Issue.record("a mode 0644 password file was used")
        } catch {
            #expect("\(error)".contains("mode 644") && "\(error)".contains("chmod 0600"), "\(error)")
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
