import AccessStore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL server the tests use, when there is one: `ASANA_ACCESS_TEST_POSTGRES_URL` names it (a
/// superuser's URL; `scripts/test.sh` starts a throwaway cluster with `scripts/postgres-cluster.sh` and sets it).
/// Each store under test gets a database of its own (``freshDatabase()``), so tests never see each other's rows.
///
/// When the variable is unset the PostgreSQL cases are not run; `ASANA_ACCESS_REQUIRE_POSTGRES=1` (set by
/// `scripts/test.sh`) turns that into a failing test, so CI cannot lose them silently.
public enum TestPostgres {
    public static let urlVariable = "ASANA_ACCESS_TEST_POSTGRES_URL"
    public static let requireVariable = "ASANA_ACCESS_REQUIRE_POSTGRES"

    /// The server's location, or nil when the tests run without PostgreSQL.
    public static let server: PostgresLocation? = {
        guard let text = ProcessInfo.processInfo.environment[urlVariable], !text.isEmpty else { return nil }
        do {
            return try PostgresLocation(text)
        } catch {
            fatalError("\(urlVariable) is not a PostgreSQL URL: \(error)")
        }
    }()

    /// The PEM file of the CA that signed the server's certificate (`ASANA_ACCESS_TEST_POSTGRES_CA`; scripts/test.sh
    /// sets it to the throwaway cluster's), for the TLS tests; nil when unknown.
    public static let certificateAuthority: String? = ProcessInfo.processInfo.environment["ASANA_ACCESS_TEST_POSTGRES_CA"].flatMap { $0.isEmpty ? nil : $0 }

    /// True when the environment asks for the PostgreSQL cases to run.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment[requireVariable] == "1" }

    private static let counter = Atomic<Int>(0)

    /// Creates an empty database on ``server`` and returns its location.
    /// - Throws: when there is no server, or PostgreSQL refuses.
    public static func freshDatabase() async throws -> PostgresLocation {
        guard let server else { throw TestPostgresError.noServer }
        let name = "t_\(ProcessInfo.processInfo.processIdentifier)_\(counter.add(1, ordering: .relaxed).newValue)_\(UInt32.random(in: 0...UInt32.max))"
        _ = try await withAdminConnection(server) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger)
        }
        return server.with(database: name)
    }

    /// `location` as a URL with its password (for a child process's `--database`), `sslmode=disable`.
    public static func url(_ location: PostgresLocation) -> String {
        func encoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
        }
        let password = location.password.map { ":" + encoded($0) } ?? ""
        return "postgres://\(encoded(location.username))\(password)@\(location.host):\(location.port)/\(encoded(location.database))?sslmode=disable"
    }

    /// The integer the query `sql` answers with (its first row's first column), e.g. a `count(*)`.
    public static func integer(_ location: PostgresLocation, _ sql: String) async throws -> Int64? {
        try await withAdminConnection(location) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect().first?.decode(Int64.self)
        }
    }

    /// The rows the query `sql` answers with, each column as text (the query casts what is not text).
    public static func textRows(_ location: PostgresLocation, _ sql: String) async throws -> [[String?]] {
        try await withAdminConnection(location) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect().map { row in
                try row.map { cell in try cell.decode(String?.self) }
            }
        }
    }

    /// Runs `body` on a single connection to `location` (no pool), closed afterwards.
    public static func withAdminConnection<T: Sendable>(
        _ location: PostgresLocation, _ body: (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let logger = Logger(label: "test-postgres")
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let result = try await body(connection, logger)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

public enum TestPostgresError: Error, CustomStringConvertible {
    case noServer

    public var description: String {
        "no PostgreSQL server for the tests: set \(TestPostgres.urlVariable) (scripts/test.sh starts one)"
    }
}
