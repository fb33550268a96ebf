import Foundation

/// libpq's password file (https://www.postgresql.org/docs/current/libpq-pgpass.html): where a password the URL and
/// `PGPASSWORD` leave out is found, so that it need be in neither the configuration nor the environment.
///
/// The file is `PGPASSFILE`, else `~/.pgpass` (`HOME`). Each line is `hostname:port:database:username:password`;
/// `*` in any of the first four fields matches anything; `\:` and `\\` stand for `:` and `\`; lines starting with
/// `#` are comments. The first line that matches gives the password.
enum PostgresPasswordFile {
    /// The password for the connection, or nil when there is no file or no line matches.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the file is readable or writable by its group or
    ///   others (libpq ignores such a file; here the operator is told, mode and fix included), or cannot be read.
    static func password(host: String, port: Int, database: String, username: String, environment: [String: String]) throws -> String? {
        guard let path = location(environment) else { return nil }
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }  // no file: nothing to look up
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw AccessStoreError.invalidArgument(
                "the password file \(path) is open to its group or others (mode \(String(mode, radix: 8))): libpq would ignore it; run chmod 0600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AccessStoreError.invalidArgument("the password file \(path) cannot be read as UTF-8 text")
        }
        let wanted = [host, String(port), database, username]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.fields(line)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// `PGPASSFILE`, else `$HOME/.pgpass`; nil without either.
    static func location(_ environment: [String: String]) -> String? {
        if let file = environment["PGPASSFILE"], !file.isEmpty { return file }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".pgpass")
    }

    /// The fields of one line, split at unescaped `:`, with `\:` and `\\` unescaped.
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var field = ""
        var escaped = false
        for character in line {
            if escaped {
                field.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }
}
