import Foundation
import NIOSSL
import PostgresNIO

/// Where a ``PostgresAccessStore`` lives: a `postgres://` (or `postgresql://`) URL in libpq's form
/// (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS):
///
///     postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=PATH]
///
/// - `USER`, `PASSWORD` and `DATABASE` are percent-decoded; `PORT` defaults to 5432; a host in brackets is IPv6.
/// - `sslmode`, as libpq spells it: `disable` (plain TCP), `prefer` (the default: TLS when the server offers
///   it, unverified), `require` (TLS, certificate not verified), `verify-ca` (TLS, chain verified against the
///   trust roots, name not checked), `verify-full` (chain and host name verified).
/// - `sslrootcert`: a PEM file of trust roots for `verify-ca`/`verify-full` (default: the system's roots).
/// - A password the URL leaves out comes from `PGPASSWORD`, else from libpq's password file (`PGPASSFILE` or
///   `~/.pgpass`, ``PostgresPasswordFile``), as libpq looks them up.
///
/// ``redacted`` is the URL with the password replaced by `***`: the only form that is ever logged or shown.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values that this store supports.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    /// Never in ``description`` or ``redacted``.
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// A PEM file of trust roots (`sslrootcert`), or nil for the system's.
    public var trustRootsPath: String?

    /// The URL schemes accepted: libpq's two.
    public static let schemes: Set<String> = ["postgres", "postgresql"]

    /// Parses `text` (see the type's documentation).
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` naming what is wrong: the scheme, a missing user, host or
    ///   database, a port out of 1…65535, an unknown `sslmode` or query parameter, a password file open to others.
    ///   The message never holds the password.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              Self.schemes.contains(scheme) else {
            throw AccessStoreError.invalidArgument("the database URL must start with postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw AccessStoreError.invalidArgument("the database URL names no host (postgres://USER@HOST/DATABASE)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw AccessStoreError.invalidArgument("the database URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw AccessStoreError.invalidArgument("the database URL names no database (postgres://USER@HOST/DATABASE)")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw AccessStoreError.invalidArgument("the database URL's port must be 1...65535, got \(port)")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        // URLComponents' `user`, `password` and `path` are already percent-decoded (decoding them again would lose
        // a password holding `%`).
        self.username = user
        self.database = database
        self.password = try components.password ?? environment["PGPASSWORD"]
            ?? PostgresPasswordFile.password(host: self.host, port: self.port, database: database, username: user, environment: environment)
        self.tlsMode = .prefer
        self.trustRootsPath = nil
        var seen: Set<String> = []
        for item in components.queryItems ?? [] {
            guard seen.insert(item.name).inserted else {
                throw AccessStoreError.invalidArgument("the database URL gives \(item.name) twice")
            }
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw AccessStoreError.invalidArgument("the database URL's sslmode must be one of \(modes), got \(item.value ?? "nothing")")
                }
                tlsMode = mode
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else {
                    throw AccessStoreError.invalidArgument("the database URL's sslrootcert names no file")
                }
                trustRootsPath = path
            default:
                throw AccessStoreError.invalidArgument(
                    "the database URL has an unknown parameter \(item.name) (known: sslmode, sslrootcert)")
            }
        }
    }

    /// True when `text` is meant as a PostgreSQL URL (its scheme is one of ``schemes``), whatever else it holds.
    public static func isPostgresURL(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        return schemes.contains(text[..<colon].lowercased())
    }

    /// The URL with the password as `***` (or none): what logs, errors and `config check` show.
    public var redacted: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password == nil ? nil : "***"
        components.host = host.contains(":") ? "[\(host)]" : host
        components.port = port
        components.path = "/" + database
        components.queryItems = [URLQueryItem(name: "sslmode", value: tlsMode.rawValue)]
            + (trustRootsPath.map { [URLQueryItem(name: "sslrootcert", value: $0)] } ?? [])
        return components.string ?? "postgres://\(username)@\(host):\(port)/\(database)"
    }

    public var description: String { redacted }

    /// The same server and credentials with another database (the tests make one per store).
    public func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }

    /// The TLS configuration `sslmode` asks for, nil for `disable`; `required` is false for `prefer` only.
    /// - Throws: NIOSSL's errors when `sslrootcert` cannot be read.
    private func tlsConfiguration() throws -> (configuration: TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable:
            return nil
        case .prefer, .require:
            configuration.certificateVerification = .none
        case .verifyCA, .verifyFull:
            configuration.certificateVerification = tlsMode == .verifyFull ? .fullVerification : .noHostnameVerification
            if let trustRootsPath {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustRootsPath))
                } catch {
                    throw AccessStoreError.invalidArgument("the database URL's sslrootcert \(trustRootsPath) cannot be read as PEM certificates (\(error))")
                }
            }
        }
        return (configuration, tlsMode != .prefer)
    }

    /// postgres-nio's pool configuration for this location.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = try tlsConfiguration().map { $0.required ? .require($0.configuration) : .prefer($0.configuration) } ?? .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(Self.connectTimeoutSeconds))
        return configuration
    }

    /// postgres-nio's single-connection configuration for this location (the check at connect).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = try tlsConfiguration().map {
            $0.required ? .require(try NIOSSLContext(configuration: $0.configuration)) : .prefer(try NIOSSLContext(configuration: $0.configuration))
        } ?? .disable
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(Self.connectTimeoutSeconds))
        return configuration
    }

    /// How long opening one connection may take (TCP, TLS and login), in seconds.
    public static let connectTimeoutSeconds = 10
}
