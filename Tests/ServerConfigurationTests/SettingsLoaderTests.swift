import Foundation
import Logging
import ServerConfiguration
import Testing
import TestSupport

/// The settings table read through swift-configuration: precedence, sources and every kind of bad input.
@Suite("Settings: flags > environment > config file > defaults")
struct SettingsLoaderTests {
    /// A config file in a fresh temporary directory, mode `mode`.
    func file(_ text: String, mode: Int = 0o600, name: String = "asana-accessd.yaml") throws -> String {
        let directory = try ScratchDirectories.make(prefix: "settings")
        let path = (directory as NSString).appendingPathComponent(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func load(_ arguments: [String] = [], environment: [String: String] = [:], settings: [SettingDefinition] = ServerSettings.all) async throws(SettingsError) -> EffectiveSettings {
        try await SettingsLoader.load(arguments: arguments, environment: environment, settings: settings)
    }

    @Test("defaults when nothing is given, each from `default`")
    func defaults() async throws {
        let settings = try await load()
        #expect(settings[ServerSettings.port] == 7443)
        #expect(settings[ServerSettings.syncInterval] == 86400)
        #expect(settings[ServerSettings.clientCA] == nil)
        #expect(settings[ServerSettings.historyRetention] == nil)
        #expect(settings[ServerSettings.principalRoles] == [])
        #expect(settings.entries.allSatisfy { $0.source == .defaultValue })
        #expect(settings.entries.count == ServerSettings.all.count)
        #expect(settings.configFile == nil)
    }

    @Test("database.url: a postgres URL, shown with its password as ***; anything else refused without echoing the password")
    func databaseURL() async throws {
        let settings = try await load(["--database", "postgres://svc:s3cret@db.internal:5432/asana?sslmode=verify-full"])
        #expect(settings[ServerSettings.databaseURL] == "postgres://svc:s3cret@db.internal:5432/asana?sslmode=verify-full")
        #expect(settings.entry(ServerSettings.databaseURL).displayValue == "postgres://svc:***@db.internal:5432/asana?sslmode=verify-full")
        #expect(try await load()[ServerSettings.databaseURL] == nil)
        for bad in ["mysql://svc:s3cret@db/asana", "postgres://svc:s3cret@db", "postgres://db/asana"] {
            do {
                _ = try await load(["--database", bad])
                Issue.record("accepted \(bad)")
            } catch {
                #expect("\(error)".contains("--database"))
                #expect(!"\(error)".contains("s3cret"), "\(error)")
            }
        }
        #expect(SettingDefinition.redactingPassword("postgresql://u:p%40ss@[::1]:6432/d?x=@y") == "postgresql://u:***@[::1]:6432/d?x=@y")
        #expect(SettingDefinition.redactingPassword("postgres://u@h/d") == "postgres://u@h/d")
    }

    @Test("the typed settings: each read as its own type with its default from the table; keys, flags and variables unique")
    func typedTable() async throws {
        let settings = try await load()
        #expect(settings[ServerSettings.port] == 7443)
        #expect(settings[ServerSettings.port] == ServerSettings.port.defaultValue)
        #expect(settings[ServerSettings.logLevel] == Logger.Level.info)
        #expect(settings[ServerSettings.clientCertificates] == .required)
        #expect(settings[ServerSettings.masterKey] == nil)
        #expect(settings[ServerSettings.principalRoles] == [])
        #expect(settings[ServerSettings.asanaBaseURL] == "https://app.asana.com/api/1.0")
        #expect(settings[ServerSettings.leaseTTL] == 30)
        #expect(ServerSettings.all.count == 25)
        for projection in [\SettingDefinition.key, \.flag, \.environment] {
            let names = ServerSettings.all.map { $0[keyPath: projection] }
            #expect(Set(names).count == names.count, "duplicates in \(names)")
        }
        // A word setting's rule is its enum's cases, so the check and the type cannot differ.
        #expect(ServerSettings.logLevel.definition.expectation == "one of trace, debug, info, notice, warning, error, critical")
        #expect(ServerSettings.clientCertificates.definition.expectation == "one of required, optional")
        let typed = try await load(["--log-level", "debug", "--history-retention", "30", "--client-certificates", "optional", "--client-ca", "ca.pem"])
        #expect(typed[ServerSettings.logLevel] == .debug)
        #expect(typed[ServerSettings.historyRetention] == 30)
        #expect(typed[ServerSettings.clientCA] == "ca.pem")
        #expect(typed.source(ServerSettings.historyRetention) == .flag("history-retention"))
    }

    @Test("a flag beats the environment, which beats the file, which beats the default; each value says where it came from")
    func precedence() async throws {
        let path = try file("""
            server: {port: 9000, host: 0.0.0.0}
            sync:
              interval: 600
              deadline: 120
            log.level: debug
            """)
        let settings = try await load(["--port", "9443", "--config", path],
                                      environment: ["ASANA_ACCESSD_PORT": "8443", "ASANA_ACCESSD_SYNC_INTERVAL": "300", "ASANA_ACCESSD_HOST": ""])
        #expect(settings[ServerSettings.port] == 9443)
        #expect(settings.source(ServerSettings.port) == .flag("port"))
        #expect(settings[ServerSettings.syncInterval] == 300)
        #expect(settings.source(ServerSettings.syncInterval) == .environment("ASANA_ACCESSD_SYNC_INTERVAL"))
        #expect(settings[ServerSettings.syncDeadline] == 120)
        #expect(settings.source(ServerSettings.syncDeadline) == .file(path))
        #expect(settings[ServerSettings.logLevel] == .debug)  // a dotted key works as well as a nested one
        #expect(settings[ServerSettings.host] == "0.0.0.0")  // an empty variable is no value
        #expect(settings[ServerSettings.asanaConnectTimeout] == 5)
        #expect(settings.source(ServerSettings.asanaConnectTimeout) == .defaultValue)
        #expect(settings.configFile == path)
        // A flag given twice: the last one counts (a harness's default, then a test's own).
        #expect(try await load(["--sync-interval", "0", "--sync-interval", "5"])[ServerSettings.syncInterval] == 5)
    }

    @Test("the file can come from ASANA_ACCESSD_CONFIG; lists from a YAML sequence, repeated flags or a comma-separated variable")
    func listsAndConfigVariable() async throws {
        let path = try file("tls:\n  clientCA: ca.pem\n  principalRoles: [alice=admin, bob=reader]\n")
        let fromFile = try await load(environment: ["ASANA_ACCESSD_CONFIG": path])
        #expect(fromFile[ServerSettings.principalRoles] == ["alice=admin", "bob=reader"])
        #expect(fromFile[ServerSettings.clientCA] == "ca.pem")
        let fromEnvironment = try await load(environment: ["ASANA_ACCESSD_CONFIG": path, "ASANA_ACCESSD_PRINCIPAL_ROLES": "carol=operator,dave=admin"])
        #expect(fromEnvironment[ServerSettings.principalRoles] == ["carol=operator", "dave=admin"])
        let fromFlags = try await load(["--principal-role", "erin=admin", "--principal-role=frank=reader", "--config", path])
        #expect(fromFlags[ServerSettings.principalRoles] == ["erin=admin", "frank=reader"])
        #expect(fromFlags.source(ServerSettings.principalRoles) == .flag("principal-role"))
    }

    /// The problems of a load that must fail.
    func problems(_ arguments: [String] = [], environment: [String: String] = [:], settings: [SettingDefinition] = ServerSettings.all) async -> SettingsError? {
        do {
            _ = try await load(arguments, environment: environment, settings: settings)
            return nil
        } catch {
            return error
        }
    }

    @Test("an unknown key in the file names the file and the key, and suggests the right one")
    func unknownKey() async throws {
        let path = try file("sync:\n  intervall: 60\n")
        let error = try #require(await problems(["--config", path]))
        #expect(error.kind == .usage)
        #expect(error.description.contains("the config file \(path) has an unknown key sync.intervall; did you mean sync.interval?"), "\(error)")
    }

    @Test("did you mean: a typo in a key or flag, or a key under the wrong section; nothing for a name far from every one")
    func suggestions() async throws {
        let typo = try file("server:\n  prot: 9000\n")
        #expect(await problems(["--config", typo])?.description.contains("unknown key server.prot; did you mean server.port?") == true)
        let section = try file("interval: 600\n")
        #expect(await problems(["--config", section])?.description.contains("unknown key interval; did you mean sync.interval?") == true)
        let far = try file("colour: blue\n")
        let farError = try #require(await problems(["--config", far]))
        #expect(farError.description.contains("unknown key colour") && !farError.description.contains("did you mean"), "\(farError)")
        #expect(await problems(["--maxinflight", "4"])?.problems == ["unknown option --maxinflight; did you mean --max-in-flight?", "unexpected argument 4: serve takes only --flag VALUE options (see `asana-accessd serve --help`)"])
    }

    @Test("a wrong type names the file, key and what is expected")
    func wrongType() async throws {
        let path = try file("sync:\n  interval: daily\n")
        let error = try #require(await problems(["--config", path]))
        #expect(error.kind == .usage)
        #expect(error.description == "the config file \(path), key sync.interval: expected a whole number of seconds, at least 0")
        let list = try file("tls: {principalRoles: alice=admin}\n")
        #expect(await problems(["--config", list])?.description == "the config file \(list), key tls.principalRoles: expected a list of NAME=reader|operator|admin")
        let variable = try #require(await problems(environment: ["ASANA_ACCESSD_PORT": "seventy"]))
        #expect(variable.description == "ASANA_ACCESSD_PORT=seventy: expected a whole number between 0 and 65535")
        let flag = try #require(await problems(["--sync-deadline", "soon"]))
        #expect(flag.description == "--sync-deadline soon: expected a whole number of seconds, at least 1")
    }

    @Test("values out of range or not allowed, every problem at once")
    func outOfRange() async throws {
        let path = try file("server: {port: 70000}\nasana: {maxConcurrentReads: 51, baseURL: 'ftp://x'}\nlog: {level: loud}\ntls: {principalRoles: [alice=boss]}\n")
        let error = try #require(await problems(["--config", path, "--history-retention", "0"]))
        #expect(error.kind == .usage)
        #expect(error.problems == [
            "the config file \(path), key server.port: 70000 is out of range; expected a whole number between 0 and 65535",
            "the config file \(path), key tls.principalRoles: alice=boss is not NAME=reader|operator|admin; expected a list of NAME=reader|operator|admin",
            "the config file \(path), key asana.baseURL: ftp://x is not an http(s) URL; expected an http(s) URL such as https://app.asana.com/api/1.0",
            "the config file \(path), key asana.maxConcurrentReads: 51 is out of range; expected a whole number of count between 1 and 50",
            "--history-retention: 0 is out of range; expected a whole number of days between 1 and 36500",
            "the config file \(path), key log.level: loud is not allowed; expected one of trace, debug, info, notice, warning, error, critical",
        ])
    }

    @Test("unknown flags, flags without a value, a stray argument")
    func badFlags() async throws {
        #expect(await problems(["--sync-intervall", "5"])?.problems == ["unknown option --sync-intervall; did you mean --sync-interval?", "unexpected argument 5: serve takes only --flag VALUE options (see `asana-accessd serve --help`)"])
        #expect(await problems(["--port"])?.problems == ["--port needs a value: a whole number between 0 and 65535"])
    }

    @Test("client certificates: optional needs a client CA")
    func clientCertificates() async throws {
        let error = try #require(await problems(["--client-certificates", "optional"]))
        #expect(error.description.hasPrefix("--client-certificates needs a client CA"))
        let settings = try await load(["--client-certificates", "optional", "--client-ca", "ca.pem"])
        #expect(settings[ServerSettings.clientCertificates] == .optional)
        #expect(await problems(["--client-certificates", "maybe", "--client-ca", "ca.pem"])?.problems == ["--client-certificates: maybe is not allowed; expected one of required, optional"])
    }

    @Test("a missing, unreadable or malformed file names the file")
    func unreadableFile() async throws {
        let missing = "/nonexistent/asana-accessd.yaml"
        let error = try #require(await problems(["--config", missing]))
        #expect(error.kind == .file)
        #expect(error.description == "cannot read the config file \(missing): No such file or directory")
        if getuid() != 0 {  // root reads a mode-000 file anyway
            let closed = try file("server: {port: 1}\n", mode: 0o000)
            #expect(await problems(["--config", closed])?.kind == .file)
        }
        let malformed = try file("server: [port: 1\n")
        let parse = try #require(await problems(["--config", malformed]))
        #expect(parse.kind == .usage)
        #expect(parse.description.hasPrefix("the config file \(malformed) is not valid YAML"), "\(parse)")
        let scalar = try file("just words\n")
        #expect(await problems(["--config", scalar])?.description.hasPrefix("the config file \(scalar) must be a mapping") == true)
        let empty = try file("")
        #expect(try await load(["--config", empty])[ServerSettings.port] == 7443)
    }

    @Test("a table with a secret: its value is redacted, and a file others may read is refused")
    func secrets() async throws {
        let vaultToken = Setting<String?>("vault.token", env: "ASANA_ACCESSD_VAULT_TOKEN", flag: "vault-token", default: nil, secret: true, "A test secret.")
        let table = ServerSettings.all + [vaultToken.definition]
        let open = try file("vault: {token: s3cret}\n", mode: 0o644)
        let error = try #require(await problems(["--config", open], settings: table))
        #expect(error.kind == .file)
        #expect(error.description == "the config file \(open) may hold secrets (vault.token) but group or others may read it (mode 644): chmod 600 \(open)")
        let closed = try file("vault: {token: s3cret}\n", mode: 0o600)
        let settings = try await load(["--config", closed], settings: table)
        #expect(settings[vaultToken] == "s3cret")
        #expect(settings.entry(vaultToken).displayValue == "<redacted>")
        // Without a secret in the table, a readable file is fine (nothing in it can be secret).
        let readable = try file("server: {port: 1}\n", mode: 0o644)
        #expect(try await load(["--config", readable])[ServerSettings.port] == 1)
    }

    @Test("the sample config deploy/asana-accessd.yaml is valid and complete")
    func sample() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("deploy/asana-accessd.yaml").path
        let settings = try await load(["--config", path])
        #expect(settings[ServerSettings.clientCertificates] == .optional)
        #expect(settings[ServerSettings.principalRoles] == ["idm-automation=operator", "it-admin=admin"])
        #expect(settings[ServerSettings.historyRetention] == 2555)
        #expect(settings.source(ServerSettings.dataDirectory) == .file(path))
    }
}
