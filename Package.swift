// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "asana-access",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "asana-accessd", targets: ["asana-accessd"]),
        .executable(name: "asana-access", targets: ["asana-access"]),
        .executable(name: "asana-sim", targets: ["asana-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The daemon's settings: one table read through a ConfigReader (flags > environment > file > defaults);
        // the YAML trait brings Yams for the config file, JSON stays on for `.json` files.
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["JSON", "YAML"]),
        // Already in the graph through swift-configuration: Yams to list a config file's keys (an unknown key
        // is an error), SystemPackage for the FilePath that FileProvider takes.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        // The PostgreSQL store (`serve --database postgres://…`): a connection pool, TLS, LISTEN/NOTIFY.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The wire contract of asana-access, Foundation only: the JSON value and coders of the wire,
        // the JSON-RPC error object and the error catalogue, every method's params and result, and the
        // shared models. The server, the transport, the client and the tests all follow it.
        .target(name: "AccessProtocol"),
        // The catalogue of the server's metrics (name, type, unit, labels, help) and the swift-metrics
        // handles the modules record into; no backend (the server bootstraps Prometheus in `serve`).
        .target(name: "AccessMetrics", dependencies: [
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The operator's HTTP listener: /metrics in the Prometheus text format, /healthz and /readyz.
        .target(name: "MetricsEndpoint", dependencies: [
            "AccessMetrics",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // JSON-RPC 2.0 over newline-delimited TLS: framing, envelope, server and client.
        .target(name: "LineRPC", dependencies: [
            "AccessProtocol", "AccessMetrics",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // HTTP to the Asana REST API: bearer auth, pagination, retries, typed models.
        .target(name: "AsanaAPI", dependencies: [
            "AccessMetrics",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The store: its surface as async protocols (`AccessStore`), and two implementations of them:
        // `SQLiteAccessStore` (the embedded default: one server, one file) and `PostgresAccessStore` (several
        // replicas on one PostgreSQL database), each with its own migrations; the sealing, the audit chain's MAC
        // and the history's diff are shared.
        .target(name: "AccessStore", dependencies: [
            "AccessProtocol",
            .product(name: "GRDB", package: "GRDB.swift"),
            // SQLite's C API, for the `searchKey` SQL function (SearchKey.install).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The use cases and the RPC method table.
        .target(name: "AccessService", dependencies: [
            "AccessProtocol", "LineRPC", "AsanaAPI", "AccessStore", "AccessMetrics",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // An in-process Asana API over HTTP, for tests and the demo.
        .target(name: "AsanaSimulator", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], exclude: ["README.md"]),
        // A development CA, server and client certificate set (`asana-accessd certs dev`, the demo, tests), and
        // production certificates from the operator's own CA (`certs ca|server|client|show`).
        .target(name: "DevCertificates", dependencies: [
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The settings of `asana-accessd serve`, defined once (key, environment variable, flag, default, unit,
        // rule, secret), read through swift-configuration: flags > environment > config file > defaults.
        .target(name: "ServerConfiguration", dependencies: [
            "AccessProtocol",
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "SystemPackage", package: "swift-system"),
            // log.level is a Logger.Level, its names the rule.
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "asana-accessd", dependencies: [
            "ServerConfiguration", "AccessProtocol", "AccessService", "AsanaSimulator", "LineRPC", "AccessStore", "AsanaAPI", "DevCertificates",
            "AccessMetrics", "MetricsEndpoint",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .executableTarget(name: "asana-access", dependencies: [
            "AccessProtocol", "LineRPC",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "asana-sim", dependencies: [
            "AsanaSimulator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Helpers shared by the test targets (not a product): the service harness, the OAuth consent of the
        // simulator, test certificates made in-process, polling, the repository root.
        .target(name: "TestSupport", dependencies: [
            "AccessProtocol", "AccessService", "AccessStore", "AsanaAPI", "AsanaSimulator", "DevCertificates", "LineRPC",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "LineRPCTests", dependencies: [
            "AccessProtocol", "LineRPC", "DevCertificates", "TestSupport",
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "AccessProtocolTests", dependencies: ["AccessProtocol", "LineRPC", "TestSupport"]),
        .testTarget(name: "AsanaAPITests", dependencies: ["AsanaAPI", "AccessMetrics", "TestSupport"]),
        .testTarget(name: "AccessStoreTests", dependencies: ["AccessProtocol", "AccessStore", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "AsanaSimulatorTests", dependencies: [
            "AsanaSimulator", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "AccessServiceTests", dependencies: [
            "AccessProtocol", "AccessService", "AsanaSimulator", "DevCertificates", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "DevCertificatesTests", dependencies: [
            "DevCertificates", "TestSupport",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "ClientTests", dependencies: [
            "AccessProtocol", "LineRPC", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ServerConfigurationTests", dependencies: [
            "ServerConfiguration", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "AccessProtocol", "LineRPC", "DevCertificates", "AccessStore", "TestSupport", "AccessMetrics", "MetricsEndpoint",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
