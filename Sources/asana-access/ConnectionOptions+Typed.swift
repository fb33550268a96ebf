import AccessProtocol
import ArgumentParser
import Foundation
import LineRPC

extension ConnectionOptions {
    /// Connects, calls `method` with `params` and returns the answer as it came (what `--json` prints) and
    /// decoded as the method's result (what the human output reads).
    /// - Throws: as ``withClient(_:)``; ``ClientFailure`` (exit 3) when the answer does not have the result's shape.
    func call<M: AccessMethod>(_ method: M.Type, _ params: M.Params) async throws -> (answer: JSONValue, result: M.Result) {
        let encoded = try JSONValue(encoding: params)
        let answer = try await withClient { client in try await client.call(M.name, params: encoded) }
        return (answer, try M.result(from: answer))
    }

    /// Prints `answer` as one line of JSON, or `human` for people at a terminal (``outputMode``).
    func print(_ answer: JSONValue, human: () -> String) throws {
        switch outputMode {
        case .json: try OutputMode.printJSON(answer)
        case .human: Swift.print(human())
        }
    }
}

/// A secret read for a command: from a file, or piped on stdin; never from the command line, where
/// other users could read it in the process list and the shell keeps it in its history.
enum SecretInput {
    /// The secret, surrounding white space removed.
    /// - Parameters:
    ///   - file: `--secret-file`; nil reads stdin, which must not be a terminal (typing would show it).
    ///   - what: what the secret is, for messages (e.g. `the client secret`).
    ///   - example: the command to show in the message about piping it.
    /// - Throws: `ValidationError` (exit 2) when the file cannot be read, stdin is a terminal, or the secret is empty.
    static func read(file: String?, what: String, example: String) throws -> String {
        let raw: Data
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read --secret-file \(file)")
            }
            raw = contents
        } else {
            guard isatty(STDIN_FILENO) == 0 else {
                throw ValidationError("reading \(what) from a terminal would show it as typed: pipe it on stdin (printf '%s' \"$SECRET\" | \(example)) or pass --secret-file")
            }
            raw = FileHandle.standardInput.readDataToEndOfFile()
        }
        let secret = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if secret.isEmpty { throw ValidationError("\(what) is empty: pipe it on stdin or pass --secret-file") }
        return secret
    }
}

/// Times in human output: ISO 8601 UTC with milliseconds, as on the wire; `-` for none.
enum TimeText {
    static func text(_ date: Date?) -> String {
        date.map(JSONEncoder.protocolTimestamp) ?? "-"
    }
}
